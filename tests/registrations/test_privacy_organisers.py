"""The organisers' side of a person's rights: find everything their organisation holds on an
email address across its events, export it, erase it with a reason; the same for speakers.
Nothing of another organisation is found, exported or erased."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from audit.models import AuditEntry
from events.models import SessionSpeaker
from organisations.models import Membership
from registrations.models import OutgoingEmail, Registration
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    MembershipFactory,
    SessionSpeakerFactory,
    TicketTypeFactory,
)
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

ADDRESS = "claude.martin@ch-arles.example"
URL = "/admin/registrations/registration/personal-data/"


@pytest.fixture
def world():
    lyon, other = EventFactory(), EventFactory()
    second = EventFactory(organisation=lyon.organisation)
    registrations = [
        RegistrationFactory(
            ticket_type=TicketTypeFactory(event=event),
            email=ADDRESS,
            first_name="Claude",
            last_name=f"Martin {n}",
            organisation="Centre hospitalier d'Arles",
        )
        for n, event in enumerate((lyon, second, other))
    ]
    organiser = MembershipFactory(organisation=lyon.organisation).user
    return {"mine": registrations[:2], "theirs": registrations[2], "organiser": organiser}


def test_an_organiser_finds_a_person_across_their_organisations_events_only(client, world):
    client.force_login(world["organiser"])

    page = client.get(URL, {"email": ADDRESS}).content.decode()
    export = client.get(URL, {"email": ADDRESS, "format": "json"})

    assert "Martin 0" in page
    assert "Martin 1" in page
    assert "Martin 2" not in page
    assert export["Content-Type"].startswith("application/json")
    assert export["Cache-Control"].startswith("private")
    data = json.loads(export.content)
    [held] = data.values()
    assert sorted(row["last_name"] for row in held["registrations"]) == ["Martin 0", "Martin 1"]
    assert "Martin 2" not in export.content.decode()


def test_a_bad_address_is_refused_with_a_message_and_nothing_found(client, world):
    client.force_login(world["organiser"])

    response = client.get(URL, {"email": "pas une adresse"})

    assert response.status_code == 200
    assert response.context["search"].errors["email"] == ["Saisissez une adresse e-mail valide."]
    assert response.context["found"] == []


def test_erasing_needs_a_reason_and_the_confirmation(client, world):
    client.force_login(world["organiser"])

    response = client.post(URL, {"email": ADDRESS, "reason": "", "confirm": ""})

    assert response.status_code == 200
    errors = response.context["erase"].errors
    assert errors["reason"] == ["Ce champ est obligatoire."]
    assert errors["confirm"] == ["Cochez la case pour confirmer l’effacement."]
    assert Registration.objects.filter(email=ADDRESS).count() == 3


def test_an_organiser_erases_a_person_in_their_organisation_and_the_reason_is_kept(client, world):
    client.force_login(world["organiser"])
    reason = "Demande reçue par courriel le 3 mars"

    response = client.post(URL, {"email": ADDRESS, "reason": reason, "confirm": "on"})

    assert response.status_code == 302
    for registration in world["mine"]:
        registration.refresh_from_db()
        assert registration.erased_at is not None
        assert registration.email != ADDRESS
        assert "Martin" not in registration.last_name
        entry = LogEntry.objects.get(object_id=str(registration.pk), user=world["organiser"])
        assert reason in entry.change_message
    erased = AuditEntry.objects.filter(action="registration.erase").order_by("pk")
    assert [(entry.channel, entry.actor_user) for entry in erased] == [
        ("back_office", world["organiser"])
    ] * 2
    assert all(entry.changes == {"reason": ["", reason]} for entry in erased)
    assert not AuditEntry.objects.filter(object_repr__contains="Martin").exists()
    theirs = Registration.objects.get(pk=world["theirs"].pk)
    assert (theirs.email, theirs.last_name, theirs.erased_at) == (ADDRESS, "Martin 2", None)


def test_door_staff_may_not_open_the_personal_data_page(client, world):
    door = MembershipFactory(
        organisation=world["mine"][0].event.organisation, role=Membership.Role.DOOR_STAFF
    ).user
    client.force_login(door)

    assert client.get(URL, {"email": ADDRESS}).status_code == 403


# --- Speakers -------------------------------------------------------------------------------


@pytest.fixture
def speaker_world():
    part = SessionSpeakerFactory(
        speaker__name="Dominique Nguyễn",
        speaker__email="dominique.nguyen@univ.example",
        speaker__bio_fr="Chercheuse en protection sociale.",
    )
    organiser = MembershipFactory(organisation=part.speaker.organisation).user
    OutgoingEmail.objects.create(
        kind=OutgoingEmail.Kind.PROGRAMME_UPDATE, speaker=part.speaker, facts={"x": "Nguyễn"}
    )
    return {"speaker": part.speaker, "session": part.session, "organiser": organiser}


def _speaker_action(client, speaker, action, **extra):
    return client.post(
        reverse("admin:speakers_speaker_changelist"),
        {"action": action, "_selected_action": [str(speaker.pk)], **extra},
    )


def test_an_organiser_exports_a_speakers_data(client, speaker_world):
    client.force_login(speaker_world["organiser"])

    response = _speaker_action(client, speaker_world["speaker"], "export_personal_data")

    [data] = json.loads(response.content)
    assert data["speaker"]["name"] == "Dominique Nguyễn"
    assert data["speaker"]["email"] == "dominique.nguyen@univ.example"
    assert [part["session"] for part in data["sessions"]] == [speaker_world["session"].title]


def test_an_organiser_erases_a_speakers_data_after_giving_a_reason(client, speaker_world):
    client.force_login(speaker_world["organiser"])
    speaker = speaker_world["speaker"]

    asked = _speaker_action(client, speaker, "erase_personal_data")
    refused = _speaker_action(client, speaker, "erase_personal_data", confirmed="1", reason="")
    done = _speaker_action(
        client, speaker, "erase_personal_data", confirmed="1", reason="Demande", confirm="on"
    )

    assert asked.status_code == 200
    assert "Dominique Nguyễn" in asked.content.decode()
    assert refused.context["form"].errors["reason"] == ["Ce champ est obligatoire."]
    assert done.status_code == 302
    speaker.refresh_from_db()
    assert speaker.name == "Nom retiré"
    assert (speaker.email, speaker.bio_fr, speaker.affiliation) == ("", "", "")
    assert SessionSpeaker.objects.filter(speaker=speaker).exists()
    assert not OutgoingEmail.objects.filter(speaker=speaker).exclude(facts={}).exists()
    assert not Speaker.objects.filter(name__contains="Nguyễn").exists()
    assert not LogEntry.objects.filter(object_repr__contains="Nguyễn").exists()
    entry = AuditEntry.objects.get(action="speaker.erase")
    assert (entry.channel, entry.actor_user, entry.object_repr) == (
        "back_office",
        speaker_world["organiser"],
        "Nom retiré",
    )


def test_another_organisations_organiser_cannot_erase_a_speaker(client, speaker_world):
    stranger = MembershipFactory().user
    client.force_login(stranger)

    _speaker_action(
        client,
        speaker_world["speaker"],
        "erase_personal_data",
        confirmed="1",
        reason="Demande",
        confirm="on",
    )

    speaker_world["speaker"].refresh_from_db()
    assert speaker_world["speaker"].name == "Dominique Nguyễn"
