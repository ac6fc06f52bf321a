from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from modeltranslation.translator import translator
from pypdf import PdfReader

from checkin.models import Checkpoint
from events.demo import DEMO_EVENTS
from events.models import Event, Room, Session, SessionSpeaker, Track, Venue
from organisations.invoicing import invoicing_problems
from organisations.models import Organisation
from payments.models import Invoice
from payments.services import invoice_payment_available
from registrations import services
from registrations.models import Invitation, OutgoingEmail, Registration, TicketType
from speakers.models import Speaker
from tests.factories import PARIS, SessionFactory

pytestmark = pytest.mark.django_db

COLLOQUIUM = "protection-sociale-et-territoires-2027"
CEREMONY = "ceremonie-des-voeux-fhf-paca-2027"
DEMO_MODELS = (Organisation, Venue, Event, Room, Track, Session, Speaker, SessionSpeaker)


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def roles_of(session) -> list[tuple[str, str]]:
    return [(link.speaker.name, link.role) for link in session.session_speakers.all()]


def snapshot() -> dict:
    """Every row of the demo tables, with its values, to compare two runs."""
    return {model.__name__: sorted(model.objects.values_list()) for model in DEMO_MODELS}


def test_seed_demo_builds_the_lyon_colloquium_with_its_programme_and_speakers():
    seed_demo()

    event = Event.objects.get(slug=COLLOQUIUM)
    assert event.organisation.name == "Chaire «\u00a0Protection sociale et territoires\u00a0»"
    assert (event.kind, event.access, event.status) == ("colloquium", "public", "published")
    assert event.title_fr == "Protection sociale et territoires"
    assert event.venue.address == "Sciences Po Lyon, 14 avenue Berthelot, 69007 Lyon"
    assert event.venue.organisation == event.organisation
    assert "Groupe Mutualiste Confluences" in event.description_fr
    assert event.sessions.count() >= 14
    assert event.rooms.count() >= 3
    assert set(event.tracks.values_list("name_fr", flat=True)) == {
        "Solidarités territoriales",
        "Santé et autonomie",
    }
    types = Counter(event.sessions.values_list("type", flat=True))
    assert types[Session.Type.WELCOME] >= 1
    assert types[Session.Type.PLENARY] >= 2  # opening and closing
    assert types[Session.Type.KEYNOTE] >= 1
    assert types[Session.Type.ROUND_TABLE] >= 3
    assert types[Session.Type.WORKSHOP] >= 3
    assert types[Session.Type.BREAK] >= 3  # breaks and lunches
    assert {
        "Déjeuner",
        "Séance d’ouverture",
        "Séance de clôture\u00a0: conclusions et perspectives",
    } <= set(event.sessions.values_list("title_fr", flat=True))

    speakers = Speaker.objects.filter(session_roles__session__event=event).distinct()
    assert speakers.count() >= 12
    assert all(speaker.title_fr and speaker.affiliation for speaker in speakers)
    assert set(
        SessionSpeaker.objects.filter(session__event=event).values_list("role", flat=True)
    ) == {"speaker", "chair", "moderator", "discussant"}
    assert all(not speaker.photo and not speaker.photo_consent for speaker in speakers)


def test_each_colloquium_round_table_has_one_moderator_and_three_or_four_speakers():
    seed_demo()

    round_tables = Session.objects.filter(event__slug=COLLOQUIUM, type=Session.Type.ROUND_TABLE)
    assert round_tables.count() >= 3
    for round_table in round_tables:
        roles = Counter(round_table.session_speakers.values_list("role", flat=True))
        assert roles["moderator"] == 1, round_table.title_fr
        assert 3 <= roles["speaker"] <= 4, round_table.title_fr


def test_colloquium_workshops_run_in_parallel_rooms_with_limited_seats_and_sign_up():
    seed_demo()

    workshops = Session.objects.filter(event__slug=COLLOQUIUM, type=Session.Type.WORKSHOP)
    assert workshops.count() >= 3
    assert all(workshop.requires_signup for workshop in workshops)
    assert all(0 < workshop.capacity <= workshop.room.capacity for workshop in workshops)
    thursday_afternoon = workshops.filter(start=datetime(2027, 5, 20, 14, 0, tzinfo=PARIS))
    assert len({workshop.room_id for workshop in thursday_afternoon}) == 3


def test_no_demo_speaker_is_due_in_two_sessions_at_once():
    seed_demo()

    links = SessionSpeaker.objects.select_related("session", "speaker")
    for link in links:
        clashes = [
            other.session.title_fr
            for other in links
            if other.speaker_id == link.speaker_id
            and other.session_id != link.session_id
            and other.session.start < link.session.end
            and link.session.start < other.session.end
        ]
        assert clashes == [], f"{link.speaker} in {link.session.title_fr}"


def test_seed_demo_builds_the_invitation_only_new_year_ceremony_of_fhf_paca():
    seed_demo()

    event = Event.objects.get(slug=CEREMONY)
    assert event.organisation.name == "FHF PACA"
    assert (event.kind, event.status) == ("ceremony", "published")
    assert event.is_invitation_only
    assert event.title_fr == "Cérémonie des vœux 2027"
    assert event.venue.address == "Sciences Po Aix, 25 rue Gaston de Saporta, 13100 Aix-en-Provence"
    assert event.start == datetime(2027, 1, 15, 17, 0, tzinfo=UTC)
    assert event.end == datetime(2027, 1, 15, 20, 30, tzinfo=UTC)

    programme = list(event.sessions.order_by("start"))
    assert [session.type for session in programme] == [
        "welcome",
        "speech",
        "speech",
        "speech",
        "signing",
        "reception",
    ]
    assert programme[0].start == datetime(2027, 1, 15, 17, 0, tzinfo=UTC)
    assert roles_of(programme[1]) == [("Henri Castagnola", "speaker")]
    assert roles_of(programme[3]) == [("Catherine Alméras", "speaker")]
    signing = programme[4]
    assert signing.title_fr == (
        "Signature de la convention de partenariat entre la FHF PACA et Sciences Po Aix"
    )
    assert roles_of(signing) == [
        ("Henri Castagnola", "signatory"),
        ("Catherine Alméras", "signatory"),
        ("Valérie Sauvaire", "speaker"),
    ]
    assert {
        speaker.title_fr for speaker in Speaker.objects.filter(organisation=event.organisation)
    } == {
        "Président de la FHF PACA",
        "Déléguée générale de la FHF PACA",
        "Directrice de Sciences Po Aix",
    }


def test_every_translated_demo_field_has_french_and_english_text():
    seed_demo()

    for model in (Event, Room, Track, Session, Speaker):
        fields = translator.get_options_for_model(model).fields
        rows = list(model.objects.all())
        assert rows, model.__name__
        for row in rows:
            for field in fields:
                french, english = getattr(row, f"{field}_fr"), getattr(row, f"{field}_en")
                assert french, f"{model.__name__} {row} {field}_fr"
                assert english, f"{model.__name__} {row} {field}_en"
                assert french != english, f"{model.__name__} {row} {field} is not translated"


def test_demo_sessions_lie_within_their_event_at_the_right_paris_times():
    seed_demo()

    colloquium = Event.objects.get(slug=COLLOQUIUM)
    assert colloquium.time_zone == "Europe/Paris"
    assert colloquium.start == datetime(2027, 5, 20, 6, 30, tzinfo=UTC)
    assert colloquium.end == datetime(2027, 5, 21, 15, 30, tzinfo=UTC)
    opening = colloquium.sessions.get(title_fr="Séance d’ouverture")
    assert opening.start == datetime(2027, 5, 20, 7, 0, tzinfo=UTC)
    assert opening.start.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") == "20/05/2027 09:00"

    for session in Session.objects.select_related("event"):
        assert session.event.start <= session.start < session.end <= session.event.end
        assert 8 <= session.start.astimezone(session.event.zone).hour <= 20


def test_running_seed_demo_twice_creates_nothing_and_changes_nothing():
    first_output = seed_demo()
    before = snapshot()

    second_output = seed_demo()

    assert snapshot() == before
    assert second_output == first_output
    assert SessionSpeaker.objects.count() == len(
        set(SessionSpeaker.objects.values_list("session", "speaker", "role"))
    )


def test_seed_demo_reports_what_is_ready_in_french():
    output = seed_demo()

    events = Event.objects.filter(slug__in=[COLLOQUIUM, CEREMONY])
    sessions = Session.objects.filter(event__in=events).count()
    speakers = Speaker.objects.filter(session_roles__isnull=False).distinct().count()
    assert output == (
        f"Événements de démonstration prêts\u00a0: 2 événements, {sessions} sessions, "
        f"{speakers} intervenants, 6 types de billet, 12 inscriptions, 5 invitations.\n"
    )


def test_seed_demo_opens_registration_for_the_colloquium_and_a_guest_list_for_the_ceremony():
    seed_demo()
    seed_demo()  # idempotent: nothing doubles

    colloquium = Event.objects.get(slug=COLLOQUIUM)
    ceremony = Event.objects.get(slug=CEREMONY)
    public = TicketType.objects.filter(event=colloquium, is_public=True)
    assert sorted(public.values_list("category", flat=True)) == [
        "elected",
        "professional",
        "professional",
        "student",
    ]
    assert all(ticket.is_on_sale() for ticket in public)
    assert [ticket.name_fr for ticket in public if not ticket.is_free] == [
        "Tarif organismes publics"
    ]
    assert not TicketType.objects.get(event=ceremony).is_public
    assert Registration.objects.filter(event=colloquium, status="confirmed").count() == 6
    answers = sorted(Invitation.objects.filter(event=ceremony).values_list("answer", flat=True))
    assert answers == ["accepted", "accepted", "declined", "pending", "pending"]
    # Three seats at the ceremony: two guests who accepted, one with a plus-one.
    assert services.seats_taken(ceremony)["total"] == 3
    assert services.recount_seats(event=ceremony)["total"] == 3


def test_seed_demo_restores_a_session_an_organiser_renamed_without_duplicating_it():
    seed_demo()
    keynote = Session.objects.get(event__slug=COLLOQUIUM, type=Session.Type.KEYNOTE)
    demo_title = keynote.title_fr
    sessions_before = Session.objects.count()
    links_before = SessionSpeaker.objects.count()
    keynote.title_fr = "Conférence inaugurale (titre provisoire)"
    keynote.abstract_en = "To be confirmed."
    keynote.save()

    seed_demo()

    keynote.refresh_from_db()
    assert keynote.title_fr == demo_title
    assert keynote.abstract_en.startswith("From the non-take-up of benefits")
    assert keynote.sequence == 0  # same time, same room: calendars need no new version
    assert Session.objects.count() == sessions_before
    assert SessionSpeaker.objects.count() == links_before


def test_seed_demo_keeps_what_an_organiser_added_after_the_demo_dates():
    seed_demo()
    event = Event.objects.get(slug=COLLOQUIUM)
    event.end = datetime(2027, 5, 22, 13, 0, tzinfo=PARIS)
    event.save()
    visit = SessionFactory(
        event=event,
        title_fr="Visite de la CPAM du Rhône",
        start=datetime(2027, 5, 22, 10, 0, tzinfo=PARIS),
        end=datetime(2027, 5, 22, 12, 0, tzinfo=PARIS),
    )

    seed_demo()

    event.refresh_from_db()
    assert Session.objects.filter(pk=visit.pk).exists()
    assert event.start == datetime(2027, 5, 20, 8, 30, tzinfo=PARIS)
    assert event.end == datetime(2027, 5, 22, 12, 0, tzinfo=PARIS)


def test_seed_demo_moves_back_a_demo_session_and_shrinks_the_event_to_its_demo_dates():
    seed_demo()
    event = Event.objects.get(slug=COLLOQUIUM)
    event.end = datetime(2027, 5, 22, 18, 0, tzinfo=PARIS)
    event.save()
    drinks = event.sessions.get(type=Session.Type.RECEPTION)
    drinks.start = datetime(2027, 5, 22, 17, 0, tzinfo=PARIS)
    drinks.end = datetime(2027, 5, 22, 18, 0, tzinfo=PARIS)
    drinks.save()

    seed_demo()

    drinks.refresh_from_db()
    event.refresh_from_db()
    assert drinks.start == datetime(2027, 5, 21, 17, 0, tzinfo=PARIS)
    assert drinks.sequence == 1  # calendars are told the session moved back
    assert event.end == datetime(2027, 5, 21, 17, 30, tzinfo=PARIS)


def test_seed_demo_leaves_a_speakers_own_photo_consent_alone():
    seed_demo()
    Speaker.objects.filter(slug="henri-castagnola").update(
        photo_consent=True, email="president@example.org"
    )

    seed_demo()

    speaker = Speaker.objects.get(slug="henri-castagnola")
    assert (speaker.photo_consent, speaker.email) == (True, "president@example.org")


def test_demo_data_names_each_session_once_and_only_known_rooms_tracks_and_speakers():
    for demo in DEMO_EVENTS:
        titles = [session.title.fr for session in demo.sessions]
        slots = [(session.room, session.slot[0]) for session in demo.sessions]
        assert len(titles) == len(set(titles)), demo.slug
        assert len(slots) == len(set(slots)), demo.slug
        rooms = {room.key for room in demo.rooms}
        tracks = {track.slug for track in demo.tracks}
        speakers = {speaker.slug for speaker in demo.speakers}
        for session in demo.sessions:
            assert session.room in rooms
            assert session.track is None or session.track in tracks
            assert {slug for slug, _role in session.speakers} <= speakers


def test_seed_demo_saves_nothing_when_part_of_the_demo_is_invalid(monkeypatch):
    colloquium, ceremony = DEMO_EVENTS
    late_speech = replace(
        ceremony.sessions[1],
        slot=(
            datetime(2027, 1, 15, 22, 0, tzinfo=PARIS),
            datetime(2027, 1, 15, 23, 0, tzinfo=PARIS),
        ),
    )
    broken = replace(ceremony, sessions=(*ceremony.sessions[:1], late_speech))
    monkeypatch.setattr("events.demo.DEMO_EVENTS", (colloquium, broken))

    with pytest.raises(ValidationError) as refused:
        seed_demo()

    assert list(refused.value.message_dict) == ["start"]
    assert not Event.objects.exists()
    assert not Speaker.objects.exists()


def test_seed_demo_sets_up_the_door_entrance_and_one_list_per_workshop():
    seed_demo()
    seed_demo()  # idempotent

    colloquium = Event.objects.get(slug=COLLOQUIUM)
    workshops = Session.objects.filter(event=colloquium, requires_signup=True)
    checkpoints = Checkpoint.objects.filter(event=colloquium)
    assert checkpoints.filter(session__isnull=True).get().name_fr == "Entrée"
    assert set(checkpoints.exclude(session=None).values_list("session", flat=True)) == set(
        workshops.values_list("pk", flat=True)
    )
    assert Checkpoint.objects.filter(event__slug=CEREMONY).count() == 1


def test_seed_demo_shows_the_whole_invoice_path_once():
    seed_demo()
    seed_demo()  # idempotent: nothing is issued twice

    colloquium = Event.objects.get(slug=COLLOQUIUM)
    organisation = colloquium.organisation
    assert invoicing_problems(organisation) == []
    paid_ticket = TicketType.objects.get(event=colloquium, name_fr="Tarif organismes publics")
    assert (paid_ticket.price, paid_ticket.vat_rate) == (Decimal("120.00"), Decimal("20.00"))
    assert paid_ticket.allows_card
    assert invoice_payment_available(paid_ticket)

    invoice = Invoice.objects.get(event=colloquium, kind="invoice", status="issued")
    credit_note = Invoice.objects.get(event=colloquium, kind="credit_note")
    assert Invoice.objects.filter(event=colloquium).count() == 3
    assert sorted(invoice.payments.values_list("registration__last_name", flat=True)) == [
        "Garnier",
        "Moreau",
    ]
    assert invoice.total_gross == Decimal("240.00")
    assert invoice.total_net == Decimal("200.00")
    assert invoice.purchase_order_number == "EJ-2027-000123"
    assert credit_note.credited_invoice.status == "credited"
    assert credit_note.total_gross == Decimal("120.00")
    cancelled = credit_note.credited_payments.get().registration
    assert (cancelled.last_name, cancelled.status) == ("Roussel", "cancelled")
    for document in (invoice, credit_note):
        text = "\n".join(
            page.extract_text() for page in PdfReader(BytesIO(bytes(document.pdf))).pages
        )
        assert document.number in text
        assert "19691774400019" in text
    assert not OutgoingEmail.objects.filter(registration__event=colloquium).exists()
