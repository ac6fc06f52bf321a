"""Organisers list, register and cancel attendees through the API, for their own events only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checkin import services as checkin
from organisations.models import Membership
from registrations.models import OutgoingEmail, Registration
from tests.factories import SessionFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

URL = "/api/v1/registrations/"


@pytest.fixture
def ticket():
    return TicketTypeFactory(event__slug="protection-sociale", name_fr="Plein tarif", capacity=100)


@pytest.fixture
def organiser(client_for, ticket):
    return client_for(ticket.event.organisation)


@pytest.fixture
def other_ticket():
    """A ticket of another organisation's event (FHF PACA)."""
    return TicketTypeFactory(event__slug="voeux-fhf", name_fr="Invité")


def new_registration(ticket, **changes):
    return {
        "event": ticket.event.slug,
        "ticket_type": ticket.pk,
        "first_name": "Camille",
        "last_name": "Durand",
        "email": "Camille.Durand@example.org",
        "organisation": "Conseil départemental du Rhône",
        **changes,
    }


# --- Reading ------------------------------------------------------------------------------------


def test_an_organiser_lists_their_events_registrations_without_any_personal_link(
    organiser, ticket, other_ticket
):
    mine = RegistrationFactory(
        ticket_type=ticket,
        first_name="Camille",
        last_name="Durand",
        email="camille@example.org",
        job_title="Directrice",
        created_at=ticket.event.start - timedelta(days=10),
    )
    RegistrationFactory(ticket_type=other_ticket)

    response = organiser.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    (item,) = response.json()["results"]
    assert item == {
        "id": mine.pk,
        "event": "protection-sociale",
        "ticket_type": ticket.pk,
        "category": "professional",
        "status": "confirmed",
        "first_name": "Camille",
        "last_name": "Durand",
        "email": "camille@example.org",
        "organisation": "Sciences Po Lyon",
        "job_title": "Directrice",
        "institution": "",
        "mandate": "",
        "accessibility_needs": "",
        "language": "fr",
        "consent_photos": False,
        "consent_news": False,
        "companion_of": None,
        "invitation": None,
        "sessions": [],
        "created_at": mine.created_at.astimezone(ticket.event.zone).isoformat(),
        "confirmed_at": mine.confirmed_at.astimezone(ticket.event.zone).isoformat(),
        "cancelled_at": None,
        "offer_expires_at": None,
        "checked_in_at": None,
    }
    assert mine.manage_token not in response.content.decode()
    detail = organiser.get(f"{URL}{mine.pk}/")
    assert detail.json() == item
    assert mine.manage_token not in detail.content.decode()


def test_registrations_are_filtered_by_event_ticket_status_and_email(organiser, ticket):
    second_event_ticket = TicketTypeFactory(
        event__organisation=ticket.event.organisation, event__slug="seminaire"
    )
    student = TicketTypeFactory(event=ticket.event, category="student")
    RegistrationFactory(ticket_type=ticket, email="a@example.org", last_name="A")
    RegistrationFactory(
        ticket_type=ticket, email="b@example.org", last_name="B", status="waitlisted"
    )
    RegistrationFactory(ticket_type=student, email="c@example.org", last_name="C")
    RegistrationFactory(ticket_type=second_event_ticket, email="d@example.org", last_name="D")

    def names(**params):
        response = organiser.get(URL, params)
        assert response.status_code == 200, response.content
        return sorted(item["last_name"] for item in response.json()["results"])

    assert names(event="protection-sociale") == ["A", "B", "C"]
    assert names(event="seminaire") == ["D"]
    assert names(ticket_type=student.pk) == ["C"]
    assert names(status="waitlisted") == ["B"]
    assert names(email=" B@Example.org ") == ["B"]


def test_organisers_see_who_was_admitted_at_the_entrance_and_when(organiser, ticket):

    now = timezone.now()
    event = ticket.event
    event.start, event.end = now - timedelta(hours=1), now + timedelta(hours=5)
    event.save()
    arrived = RegistrationFactory(ticket_type=ticket, last_name="Arrivée")
    RegistrationFactory(ticket_type=ticket, last_name="Attendue")
    scan = checkin.check_in(
        checkpoint=checkin.entrance_checkpoint(event), token=arrived.badge_token, nonce="n-1"
    )

    def names(**params):
        response = organiser.get(URL, params)
        return {item["last_name"]: item["checked_in_at"] for item in response.json()["results"]}

    when = scan.checkin.scanned_at.astimezone(event.zone).isoformat()
    assert names() == {"Arrivée": when, "Attendue": None}
    assert names(checked_in="true") == {"Arrivée": when}
    assert names(checked_in="false") == {"Attendue": None}


def test_on_a_two_day_event_checked_in_at_is_the_first_days_arrival(organiser, ticket):

    now = timezone.now()
    event = ticket.event
    event.start, event.end = now - timedelta(days=1, hours=1), now + timedelta(hours=5)
    event.save()
    arrived = RegistrationFactory(ticket_type=ticket, last_name="Arrivée")
    entrance = checkin.entrance_checkpoint(event)
    today = checkin.check_in(checkpoint=entrance, token=arrived.badge_token, nonce="today")
    # Yesterday's scan, made offline, reaches the server after today's.
    yesterday = checkin.check_in(
        checkpoint=entrance,
        token=arrived.badge_token,
        nonce="yesterday",
        is_offline=True,
        scanned_at=now - timedelta(days=1),
    )
    assert (today.result, yesterday.result) == ("ok", "ok")

    (item,) = organiser.get(URL).json()["results"]

    assert item["checked_in_at"] == yesterday.checkin.scanned_at.astimezone(event.zone).isoformat()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"event": "voeux-fhf"}, "event"),  # another organisation's event
        ({"status": "paid"}, "status"),
        ({"ticket_type": "abc"}, "ticket_type"),
        ({"ticket_type": str(2**70)}, "ticket_type"),
        ({"checked_in": "maybe"}, "checked_in"),
    ],
)
def test_a_wrong_filter_is_a_400_naming_the_parameter(organiser, other_ticket, params, field):
    response = organiser.get(URL, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_another_organisations_registration_cannot_be_read_or_cancelled(organiser, other_ticket):
    theirs = RegistrationFactory(ticket_type=other_ticket)

    assert organiser.get(f"{URL}{theirs.pk}/").status_code == 404
    assert organiser.post(f"{URL}{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_door_staff_and_strangers_get_nothing(client_for, anonymous, ticket):
    registration = RegistrationFactory(ticket_type=ticket)
    door = client_for(ticket.event.organisation, role=Membership.Role.DOOR_STAFF)

    assert door.get(URL).status_code == 403
    assert door.post(URL, new_registration(ticket), format="json").status_code == 403
    assert door.post(f"{URL}{registration.pk}/cancel/").status_code == 403
    assert anonymous.get(URL).status_code == 401
    assert anonymous.post(f"{URL}{registration.pk}/cancel/").status_code == 401
    assert Registration.objects.count() == 1
    assert Registration.objects.get().status == "confirmed"


def test_the_list_runs_the_same_number_of_queries_for_10_and_200_registrations(organiser, ticket):
    session = SessionFactory(event=ticket.event, requires_signup=True)

    def add(count):
        for _ in range(count):
            registration = RegistrationFactory(ticket_type=ticket)
            registration.signups.create(session=session)

    add(10)
    with CaptureQueriesContext(connection) as with_10:
        assert organiser.get(URL, {"page_size": 200}).status_code == 200
    add(190)
    with CaptureQueriesContext(connection) as with_200:
        body = organiser.get(URL, {"page_size": 200}).json()

    assert len(body["results"]) == 200
    assert {tuple(item["sessions"]) for item in body["results"]} == {(session.pk,)}
    assert len(with_200) == len(with_10)


# --- Registering --------------------------------------------------------------------------------


def test_an_organiser_registers_someone_who_gets_a_confirmed_seat(organiser, ticket):
    response = organiser.post(
        URL, new_registration(ticket, consent_photos=True, language="en"), format="json"
    )

    assert response.status_code == 201, response.content
    registration = Registration.objects.get()
    assert response.json()["id"] == registration.pk
    assert (registration.status, registration.email, registration.language) == (
        "confirmed",
        "camille.durand@example.org",
        "en",
    )
    assert registration.consent_processing_at is not None
    assert registration.consent_photos is True
    assert list(registration.emails.values_list("kind", flat=True)) == [
        OutgoingEmail.Kind.CONFIRMATION
    ]


def test_an_organiser_may_give_a_ticket_that_is_not_on_the_public_form(organiser, ticket):
    partner = TicketTypeFactory(event=ticket.event, is_public=False, category="partner")

    response = organiser.post(URL, new_registration(partner), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["category"] == "partner"


def test_someone_registered_when_the_ticket_is_full_joins_the_waiting_list(organiser, ticket):
    ticket.capacity = 1
    ticket.save()
    RegistrationFactory(ticket_type=ticket)

    response = organiser.post(URL, new_registration(ticket), format="json")

    assert response.status_code == 201
    assert response.json()["status"] == "waitlisted"


def test_a_full_ticket_without_waiting_list_is_a_409_naming_the_ticket(organiser, ticket):
    ticket.capacity = 1
    ticket.save()
    ticket.event.has_waiting_list = False
    ticket.event.save()
    RegistrationFactory(ticket_type=ticket)

    response = organiser.post(
        URL, new_registration(ticket), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 409
    assert response.json() == {"ticket_type": ["This ticket is sold out."]}
    assert Registration.objects.count() == 1


def test_a_registration_with_a_workshop_takes_a_seat_in_it(organiser, ticket):
    workshop = SessionFactory(event=ticket.event, requires_signup=True, capacity=10)

    response = organiser.post(URL, new_registration(ticket, sessions=[workshop.pk]), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["sessions"] == [workshop.pk]


def _bad_input_cases():
    """(name, change to a good request, field named in the answer, status, English message)."""
    return [
        ("missing names", {"first_name": None, "last_name": None}, "first_name", 400, None),
        ("missing email", {"email": ""}, "email", 400, None),
        ("invalid email", {"email": "camille@"}, "email", 400, "Enter a valid email address."),
        (
            "10,000-character name",
            {"last_name": "D" * 10_000},
            "last_name",
            400,
            "At most 100 characters (10000 given).",
        ),
        (
            "newline in a name",
            {"first_name": "Camille\nBcc: victim@example.org"},
            "first_name",
            400,
            "Line breaks and control characters are not allowed here.",
        ),
        (
            "control character in a name",
            {"last_name": "Durand\x07"},
            "last_name",
            400,
            "Line breaks and control characters are not allowed here.",
        ),
        (
            "HTML in the organisation",
            {"organisation": "<script>alert(1)</script>"},
            "organisation",
            400,
            "HTML or other markup is not allowed here.",
        ),
        (
            "HTML in the accessibility needs",
            {"accessibility_needs": '<img src=x onerror="alert(1)">'},
            "accessibility_needs",
            400,
            "HTML or other markup is not allowed here.",
        ),
        (
            "unknown ticket type",
            {"ticket_type": 987654},
            "ticket_type",
            400,
            "Unknown ticket type.",
        ),
        ("not a ticket id", {"ticket_type": "plein-tarif"}, "ticket_type", 400, None),
        ("unknown event", {"event": "nope"}, "event", 400, None),
        ("unknown language", {"language": "de"}, "language", 400, None),
        ("unknown session", {"sessions": [987654]}, "sessions", 400, None),
    ]


@pytest.mark.parametrize(
    ("change", "field", "status", "message"),
    [case[1:] for case in _bad_input_cases()],
    ids=[case[0] for case in _bad_input_cases()],
)
def test_bad_input_is_refused_naming_the_field_and_saves_nothing(
    organiser, ticket, change, field, status, message
):
    data = {
        key: value for key, value in new_registration(ticket, **change).items() if value is not None
    }

    response = organiser.post(URL, data, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == status, response.content
    assert field in response.json()
    if message is not None:
        assert response.json()[field] == [message]
    assert Registration.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_another_events_ticket_type_is_refused(organiser, ticket):
    seminar_ticket = TicketTypeFactory(event__organisation=ticket.event.organisation)

    response = organiser.post(
        URL,
        new_registration(ticket, ticket_type=seminar_ticket.pk),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {"ticket_type": ["This ticket type is not one of this event's."]}
    assert Registration.objects.count() == 0


def test_another_organisations_ticket_type_or_event_is_unknown(organiser, ticket, other_ticket):
    wrong_ticket = organiser.post(
        URL,
        new_registration(ticket, ticket_type=other_ticket.pk),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    wrong_event = organiser.post(
        URL,
        new_registration(other_ticket),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert wrong_ticket.json() == {"ticket_type": ["Unknown ticket type."]}
    assert wrong_event.status_code == 400
    assert list(wrong_event.json()) == ["event"]
    assert Registration.objects.count() == 0


def test_a_ticket_out_of_its_sale_window_is_refused(organiser, ticket):
    ticket.sale_end = timezone.now() - timedelta(hours=1)
    ticket.save()

    response = organiser.post(
        URL, new_registration(ticket), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json() == {"ticket_type": ["This ticket is not on sale at the moment."]}
    assert Registration.objects.count() == 0


def test_an_email_already_registered_is_a_409_naming_the_email(organiser, ticket):
    RegistrationFactory(ticket_type=ticket, email="camille.durand@example.org")

    response = organiser.post(
        URL, new_registration(ticket), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 409
    assert list(response.json()) == ["email"]
    assert response.json()["email"][0].startswith(
        "This email address is already registered for this event."
    )
    assert Registration.objects.count() == 1


def test_errors_come_in_french_by_default(organiser, ticket):
    data = new_registration(ticket)
    del data["first_name"]

    response = organiser.post(URL, data, format="json")

    assert response.json() == {"first_name": ["Ce champ est obligatoire."]}


def test_a_body_that_is_not_an_object_is_a_clear_400(organiser, ticket):
    response = organiser.post(URL, "[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


# --- Cancelling ---------------------------------------------------------------------------------


def test_cancelling_frees_the_seat_for_the_first_on_the_waiting_list(organiser, ticket):
    ticket.capacity = 1
    ticket.save()
    holder = RegistrationFactory(ticket_type=ticket)
    first_in_line = RegistrationFactory(ticket_type=ticket, status="waitlisted")

    response = organiser.post(f"{URL}{holder.pk}/cancel/")
    again = organiser.post(f"{URL}{holder.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert again.json()["status"] == "cancelled"
    first_in_line.refresh_from_db()
    assert first_in_line.status == "offered"
    assert list(first_in_line.emails.values_list("kind", flat=True)) == ["seat_offer"]
    assert list(holder.emails.values_list("kind", flat=True)) == ["cancellation"]


# --- Abuse --------------------------------------------------------------------------------------


def test_too_many_writes_get_a_json_429_with_retry_after(organiser, ticket, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/m", "user": "2/m"},
    }
    answers = [
        organiser.post(
            URL,
            new_registration(ticket, email=f"person{n}@example.org"),
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        for n in range(3)
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[2]["Content-Type"] == "application/json"
    assert answers[2].json()["detail"].startswith("Request was throttled.")
    assert 0 < int(answers[2]["Retry-After"]) <= 60
    assert Registration.objects.count() == 2
    assert organiser.get(URL).status_code == 200  # reading is not limited
