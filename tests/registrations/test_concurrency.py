"""Many people press "Register" for the last seats at the same instant.

Each buyer runs in its own thread with its own database connection; a barrier releases them
together once every connection is open. The same stories run on SQLite (the default) and on
PostgreSQL (`DATABASE_URL=postgres://…`); the controls switch the seat lock off to show that
the tests can see the race.
"""

import time
from collections import Counter

import pytest
from django.db import connection

from registrations import services
from registrations.models import Registration, SessionSignup
from tests.concurrency import run_together
from tests.factories import SessionFactory, TicketTypeFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_for_several_connections"),
]

# Seconds slept between counting the seats and taking one. It widens the race window so that,
# without the lock, every buyer counts before any of them writes: the control then oversells
# every time instead of by luck of scheduling. The locked tests run with it too, which shows
# that the lock, not timing, keeps the count right.
RACE_WINDOW = 0.02


def details(label: str) -> services.AttendeeDetails:
    return services.AttendeeDetails(
        first_name="Camille",
        last_name=f"Durand {label}",
        email=f"camille.{label}@example.org",
        organisation="Sciences Po Lyon",
        consent_processing=True,
    )


def widen_race_window(monkeypatch, counter: str) -> None:
    """Sleep RACE_WINDOW after `services.<counter>` has counted the seats taken."""
    count = getattr(services, counter)

    def count_then_wait(*args, **kwargs):
        taken = count(*args, **kwargs)
        time.sleep(RACE_WINDOW)
        return taken

    monkeypatch.setattr(services, counter, count_then_wait)


@pytest.fixture(params=["natural timing", "widened race window"])
def race(request, monkeypatch):
    """Run a locked test twice: as scheduling falls, and with the control's race window."""
    return request.param == "widened race window"


def last_five_seats():
    """A free ticket of 10 seats, 5 of them already confirmed."""
    ticket = TicketTypeFactory(capacity=10)
    for number in range(5):
        services.register_attendee(
            event=ticket.event, ticket_type=ticket, attendee=details(f"early{number}")
        )
    return ticket


def fifty_buyers(ticket) -> list:
    def register(index):
        return services.register_attendee(
            event=ticket.event, ticket_type=ticket, attendee=details(f"buyer{index}")
        ).status

    return run_together(50, register)


def test_fifty_buyers_for_the_last_five_seats_give_five_confirmed_and_forty_five_waitlisted(
    race, monkeypatch
):
    if race:
        widen_race_window(monkeypatch, "seats_taken")
    ticket = last_five_seats()

    outcomes = fifty_buyers(ticket)

    errors = [repr(outcome) for outcome in outcomes if isinstance(outcome, Exception)]
    assert errors == []
    assert Counter(outcomes) == {"confirmed": 5, "waitlisted": 45}
    assert Registration.objects.filter(ticket_type=ticket, status="confirmed").count() == 10
    assert Registration.objects.filter(ticket_type=ticket, status="waitlisted").count() == 45


def test_control_without_the_seat_lock_the_last_five_seats_are_oversold(monkeypatch):
    """The control: with the row lock switched off, PostgreSQL's READ COMMITTED transactions
    all count 5 free seats at once and all confirm, so the test above can see a race.

    On SQLite the write lock is the database's own, taken when the IMMEDIATE transaction
    begins, before the count: buyers are serialised even without the row lock, so here the
    control must show no overselling."""
    widen_race_window(monkeypatch, "seats_taken")
    monkeypatch.setattr(services, "SEAT_LOCK_ENABLED", False)
    ticket = last_five_seats()

    outcomes = fifty_buyers(ticket)

    errors = [repr(outcome) for outcome in outcomes if isinstance(outcome, Exception)]
    assert errors == []
    confirmed = Registration.objects.filter(ticket_type=ticket, status="confirmed").count()
    if connection.vendor == "sqlite":
        assert Counter(outcomes) == {"confirmed": 5, "waitlisted": 45}
        assert confirmed == 10
    else:
        assert Counter(outcomes)["confirmed"] > 5
        assert confirmed > 10


def last_three_workshop_seats():
    """A workshop of 5 seats, 2 taken, in an event with seats to spare."""
    ticket = TicketTypeFactory(capacity=100)
    workshop = SessionFactory(event=ticket.event, capacity=5, requires_signup=True)
    for number in range(2):
        services.register_attendee(
            event=ticket.event,
            ticket_type=ticket,
            attendee=details(f"early{number}"),
            sessions=[workshop],
        )
    return ticket, workshop


def twenty_sign_ups(ticket, workshop) -> list:
    def register(index):
        return services.register_attendee(
            event=ticket.event,
            ticket_type=ticket,
            attendee=details(f"buyer{index}"),
            sessions=[workshop],
        ).status

    return run_together(20, register)


def test_twenty_sign_ups_for_the_last_three_workshop_seats_give_three_and_refuse_the_rest(
    race, monkeypatch
):
    if race:
        widen_race_window(monkeypatch, "session_seats_taken")
    ticket, workshop = last_three_workshop_seats()

    outcomes = twenty_sign_ups(ticket, workshop)

    refused = [outcome for outcome in outcomes if isinstance(outcome, services.SoldOut)]
    others = [repr(o) for o in outcomes if isinstance(o, Exception) and o not in refused]
    assert others == []
    assert outcomes.count("confirmed") == 3
    assert len(refused) == 17
    assert {error.field for error in refused} == {"sessions"}
    assert SessionSignup.objects.filter(session=workshop).count() == 5
    # Nothing is saved for those refused: no registration without its workshop.
    assert Registration.objects.filter(event=ticket.event).count() == 5


def test_control_without_the_seat_lock_the_last_three_workshop_seats_are_oversold(monkeypatch):
    """The control for the workshop: without the row lock PostgreSQL lets every sign-up count
    3 free seats at once. On SQLite the IMMEDIATE transaction serialises them anyway."""
    widen_race_window(monkeypatch, "session_seats_taken")
    monkeypatch.setattr(services, "SEAT_LOCK_ENABLED", False)
    ticket, workshop = last_three_workshop_seats()

    outcomes = twenty_sign_ups(ticket, workshop)

    others = [
        repr(o)
        for o in outcomes
        if isinstance(o, Exception) and not isinstance(o, services.SoldOut)
    ]
    assert others == []
    signups = SessionSignup.objects.filter(session=workshop).count()
    if connection.vendor == "sqlite":
        assert outcomes.count("confirmed") == 3
        assert signups == 5
    else:
        assert outcomes.count("confirmed") > 3
        assert signups > 5
