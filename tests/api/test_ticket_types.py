"""Public ticket types with their live availability, as a partner's site reads them."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from registrations.models import Registration
from tests.factories import PARIS, EventFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/ticket-types/"


@pytest.fixture
def colloquium():
    return EventFactory(
        slug="protection-sociale",
        start=datetime(2099, 5, 20, 8, 30, tzinfo=PARIS),
        end=datetime(2099, 5, 21, 18, 0, tzinfo=PARIS),
        capacity=None,
    )


def test_a_partner_reads_the_tickets_of_a_colloquium_with_their_availability(anonymous, colloquium):
    student = TicketTypeFactory(
        event=colloquium,
        category="student",
        name_fr="Étudiant",
        name_en="Student",
        description_fr="Sur justificatif.",
        price=Decimal("15.00"),
        capacity=40,
        sale_start=datetime(2026, 1, 5, 9, 0, tzinfo=PARIS),
        sale_end=datetime(2099, 5, 19, 23, 59, tzinfo=PARIS),
        position=1,
    )
    RegistrationFactory.create_batch(3, ticket_type=student)
    RegistrationFactory(ticket_type=student, status=Registration.Status.CANCELLED)
    RegistrationFactory(ticket_type=student, status=Registration.Status.WAITLISTED)

    response = anonymous.get(URL, {"event": "protection-sociale"})

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": student.pk,
            "event": "protection-sociale",
            "category": "student",
            "name": {"fr": "Étudiant", "en": "Student"},
            "description": {"fr": "Sur justificatif.", "en": ""},
            "price": "15.00",
            "currency": "EUR",
            "vat_rate": "0.00",
            "sale_start": "2026-01-05T09:00:00+01:00",
            "sale_end": "2099-05-19T23:59:00+02:00",
            "is_on_sale": True,
            "seats_left": 37,
            "has_waiting_list": True,
        }
    ]


def test_seats_left_counts_the_events_own_capacity_and_is_null_without_a_limit(
    anonymous, colloquium
):
    colloquium.capacity = 5
    colloquium.save()
    limited = TicketTypeFactory(event=colloquium, capacity=10, position=1)
    open_ended = TicketTypeFactory(event=colloquium, capacity=None, position=2)
    RegistrationFactory.create_batch(2, ticket_type=limited)
    RegistrationFactory(ticket_type=open_ended, status=Registration.Status.OFFERED)
    RegistrationFactory(ticket_type=open_ended, status=Registration.Status.PENDING_PAYMENT)
    unlimited_event = EventFactory(start=colloquium.start, end=colloquium.end, capacity=None)
    free_for_all = TicketTypeFactory(event=unlimited_event, capacity=None)

    body = anonymous.get(URL).json()

    seats = {item["id"]: item["seats_left"] for item in body["results"]}
    assert seats == {limited.pk: 1, open_ended.pk: 1, free_for_all.pk: None}


def test_a_full_ticket_shows_no_seat_left_and_whether_a_waiting_list_is_kept(anonymous, colloquium):
    colloquium.has_waiting_list = False
    colloquium.save()
    ticket = TicketTypeFactory(event=colloquium, capacity=2)
    RegistrationFactory.create_batch(2, ticket_type=ticket)

    (item,) = anonymous.get(URL).json()["results"]

    assert (item["seats_left"], item["has_waiting_list"]) == (0, False)


def test_tickets_out_of_their_sale_window_say_they_are_not_on_sale(anonymous, colloquium):
    now = timezone.now()
    TicketTypeFactory(event=colloquium, name_fr="Bientôt", sale_start=now + timedelta(days=1))
    TicketTypeFactory(event=colloquium, name_fr="Fini", sale_end=now - timedelta(minutes=1))

    body = anonymous.get(URL).json()

    assert {item["name"]["fr"]: item["is_on_sale"] for item in body["results"]} == {
        "Bientôt": False,
        "Fini": False,
    }


def test_only_the_public_forms_tickets_are_listed(anonymous, colloquium):
    TicketTypeFactory(event=colloquium, name_fr="Public")
    TicketTypeFactory(event=colloquium, name_fr="Partenaire", is_public=False)
    ceremony = EventFactory(
        access=Event.Access.INVITATION, start=colloquium.start, end=colloquium.end
    )
    TicketTypeFactory(event=ceremony, name_fr="Invité")
    draft = EventFactory(status=Event.Status.DRAFT, start=colloquium.start, end=colloquium.end)
    TicketTypeFactory(event=draft, name_fr="Brouillon")
    past = EventFactory(
        start=datetime(2020, 5, 20, 8, 30, tzinfo=PARIS), end=datetime(2020, 5, 21, tzinfo=PARIS)
    )
    TicketTypeFactory(event=past, name_fr="Passé")

    body = anonymous.get(URL).json()

    assert [item["name"]["fr"] for item in body["results"]] == ["Public"]


def test_tickets_are_filtered_by_event_and_an_unknown_event_is_a_clear_400(anonymous, colloquium):
    TicketTypeFactory(event=colloquium, name_fr="Colloque")
    other = EventFactory(start=colloquium.start, end=colloquium.end)
    TicketTypeFactory(event=other, name_fr="Autre")

    filtered = anonymous.get(URL, {"event": "protection-sociale"}).json()
    unknown = anonymous.get(URL, {"event": "nope"}, HTTP_ACCEPT_LANGUAGE="en")

    assert [item["name"]["fr"] for item in filtered["results"]] == ["Colloque"]
    assert unknown.status_code == 400
    assert list(unknown.json()) == ["event"]


def test_one_ticket_is_read_by_its_id_and_a_non_numeric_id_is_not_found(anonymous, colloquium):
    ticket = TicketTypeFactory(event=colloquium)

    assert anonymous.get(f"{URL}{ticket.pk}/").json()["id"] == ticket.pk
    assert anonymous.get(f"{URL}99999999999999999999999/").status_code == 404


def test_the_list_runs_the_same_number_of_queries_for_10_and_200_tickets(anonymous, colloquium):
    def add(count):
        for _ in range(count):
            ticket = TicketTypeFactory(event=colloquium, capacity=50)
            RegistrationFactory(ticket_type=ticket)

    add(10)
    with CaptureQueriesContext(connection) as with_10:
        assert anonymous.get(URL, {"page_size": 200}).status_code == 200
    add(190)
    with CaptureQueriesContext(connection) as with_200:
        body = anonymous.get(URL, {"page_size": 200}).json()

    assert len(body["results"]) == 200
    assert {item["seats_left"] for item in body["results"]} == {49}
    assert len(with_200) == len(with_10) == 2
