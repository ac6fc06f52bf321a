"""Registrations, cancellations and claimed offers all at once, against the configured database
(SQLite by default, PostgreSQL with DATABASE_URL): no seat is ever sold twice, none is left
idle while someone waits, and no writer fails ("database is locked", deadlock).

The full-size figure (20,000 registrations through gunicorn) is bench/registrations.py's.
"""

from collections import Counter

import pytest

from registrations import services
from registrations.models import Registration
from tests.concurrency import run_together
from tests.factories import TicketTypeFactory
from tests.registrations.test_concurrency import details

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_for_several_connections"),
]

CAPACITY = 40
WORKERS = 8
EACH = 12  # registrations per worker; every third one is cancelled at once


def test_registrations_and_cancellations_at_once_neither_oversell_nor_leave_a_seat_idle():
    ticket = TicketTypeFactory(capacity=CAPACITY)

    def attendees_of(worker):
        for number in range(EACH):
            registration = services.register_attendee(
                event=ticket.event, ticket_type=ticket, attendee=details(f"{worker}-{number}")
            )
            if number % 3 == 0:
                services.cancel_registration(registration=registration)
        return "done"

    outcomes = run_together(WORKERS, attendees_of)

    assert [repr(outcome) for outcome in outcomes if outcome != "done"] == []
    cancelled = WORKERS * len(range(0, EACH, 3))
    still_registered = WORKERS * EACH - cancelled
    statuses = Counter(
        Registration.objects.filter(ticket_type=ticket).values_list("status", flat=True)
    )
    # Every freed seat went to the next in line at once: the seats are all held (confirmed, or
    # offered and awaiting the claim) and the others wait.
    assert statuses["confirmed"] + statuses["offered"] == CAPACITY
    assert statuses["waitlisted"] == still_registered - CAPACITY
    assert statuses["cancelled"] == cancelled

    offered = list(Registration.objects.filter(ticket_type=ticket, status="offered"))
    claims = run_together(
        len(offered), lambda index: services.claim_offer(registration=offered[index]).status
    )

    assert claims == ["confirmed"] * len(offered)
    assert Registration.objects.filter(ticket_type=ticket, status="confirmed").count() == CAPACITY
    assert services.seats_taken(ticket.event)[ticket.pk] == CAPACITY
    assert services.recount_seats(event=ticket.event)[ticket.pk] == CAPACITY
