"""Erasure in the trail scales with the person, not the trail (issue 13): the database picks
the entries of the person's organisation that may hold their values, Python rewrites only
those; another organisation's entries are its own and stay as they are."""

from contextlib import contextmanager

import pytest

from audit.context import ActorKind, Channel
from audit.models import AuditEntry
from registrations import privacy, services
from speakers import privacy as speaker_privacy
from tests.factories import OrganisationFactory, SpeakerFactory
from tests.registrations.attendee_steps import colloquium_ticket
from tests.registrations.test_retention import person

pytestmark = pytest.mark.django_db


def entries(organisation, count, *, action="event.change", **fields):
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor_kind=ActorKind.USER,
            actor_label="Agent comptable",
            channel=Channel.BACK_OFFICE,
            organisation=organisation,
            action=action,
            object_repr=f"Journée d'étude {number}",
            changes={"title": [f"Journée {number}", f"Journée d'étude {number}"]},
            **fields,
        )
        for number in range(count)
    )


@contextmanager
def loaded_entries():
    """The entries loaded from the database meanwhile (Model.from_db, Django's hook for it)."""
    loaded = []
    original = AuditEntry.from_db.__func__

    def from_db(cls, db, field_names, values):
        entry = original(cls, db, field_names, values)
        loaded.append(entry.pk)
        return entry

    AuditEntry.from_db = classmethod(from_db)
    try:
        yield loaded
    finally:
        del AuditEntry.from_db
        assert AuditEntry.from_db.__func__ is original


def dump() -> str:
    return " ".join(
        f"{entry.object_repr} {entry.changes}" for entry in AuditEntry.objects.all()
    ).casefold()


def test_an_erasure_rewrites_the_persons_entries_in_a_few_queries_whatever_the_trail_holds(
    django_assert_max_num_queries,
):
    ticket = colloquium_ticket()
    organisation = ticket.event.organisation
    registration = services.register_attendee(
        event=ticket.event, ticket_type=ticket, attendee=person(1)
    )
    # Thousands of entries about other things, in this organisation and another.
    entries(organisation, 1500)
    entries(OrganisationFactory(), 1500)
    # Where the person's values were quoted: a note in capitals, a payer's name with an
    # apostrophe and accents (JSON-escaped as the database stores it), a site-wide entry.
    AuditEntry.objects.create(
        actor_kind=ActorKind.USER,
        channel=Channel.BACK_OFFICE,
        organisation=organisation,
        action="invoice.cancel",
        object_repr="F-2027-0001",
        changes={
            "note": ["", "SÉRAPHINE QUILLEMBOIS1 a appelé"],
            "payer": ["Séraphine Quillembois1 (d'Arles)", "Centre hospitalier"],
            "lines": [[{"name": "s.quillembois1@example.org"}], []],
        },
    )
    AuditEntry.objects.create(
        actor_kind=ActorKind.SYSTEM,
        channel=Channel.SYSTEM,
        action="site_text.change",
        object_repr="Mentions légales",
        changes={"text": ["", "Écrire à s.quillembois1@example.org"]},
    )
    unrelated = AuditEntry.objects.filter(object_repr__startswith="Journée").order_by("pk")
    before = list(unrelated.values_list("object_repr", "changes"))

    with django_assert_max_num_queries(60), loaded_entries() as loaded:
        privacy.erase_registration(registration=registration, reason="demande écrite")

    # Python read the person's own entries and those quoting them, not the 3,000 others.
    assert len(loaded) <= 5

    text = dump()
    for value in ("séraphine quillembois1", "s.quillembois1@example.org"):
        assert value not in text
    cancelled = AuditEntry.objects.get(action="invoice.cancel")
    assert cancelled.object_repr == "F-2027-0001"
    assert cancelled.changes["note"] == ["", "anonymised"]
    assert cancelled.changes["payer"] == ["anonymised", "Centre hospitalier"]
    assert cancelled.changes["lines"] == [[{"name": "anonymised"}], []]
    assert AuditEntry.objects.get(action="site_text.change").changes["text"][1] == "anonymised"
    assert list(unrelated.values_list("object_repr", "changes")) == before


def test_scrubbing_finds_only_candidates_and_leaves_another_organisations_entries():
    speaker = SpeakerFactory(name="Aurélien Dufresne-Kérouac", email="adk@example.org")
    elsewhere = OrganisationFactory()
    entries(speaker.organisation, 300)
    AuditEntry.objects.create(
        actor_kind=ActorKind.USER,
        channel=Channel.BACK_OFFICE,
        organisation=speaker.organisation,
        action="session.change",
        object_repr="Table ronde",
        changes={"moderator": ["aurélien dufresne-kérouac", ""]},
    )
    # Another organisation's record of the same name is that organisation's data.
    theirs = AuditEntry.objects.create(
        actor_kind=ActorKind.USER,
        channel=Channel.BACK_OFFICE,
        organisation=elsewhere,
        action="session.change",
        object_repr="Aurélien Dufresne-Kérouac",
        changes={},
    )

    with loaded_entries() as loaded:
        speaker_privacy.erase_speaker(speaker=speaker, reason="")

    # The session's entry, and the erasure's own (read back by nobody): not the 300 others.
    assert len(loaded) <= 2
    changed = AuditEntry.objects.get(organisation=speaker.organisation, action="session.change")
    assert changed.changes["moderator"] == ["anonymised", ""]
    theirs.refresh_from_db()
    assert theirs.object_repr == "Aurélien Dufresne-Kérouac"
