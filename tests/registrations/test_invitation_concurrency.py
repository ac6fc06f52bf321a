"""A guest opens their invitation in two tabs and presses "Accept" in both at the same instant.

Each tab runs in its own thread with its own database connection; a barrier releases them
together once both connections are open. On PostgreSQL (`DATABASE_URL=postgres://…`) the
seat lock and the invitation's row lock make the second tab wait for the first, then find
its registration and get it back. On SQLite (the default) the IMMEDIATE transaction holds the
database's write lock from its start, which serialises the two tabs the same way: the same
stories run there and must give the same answer, not a skip.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import QuerySet

from registrations import services
from registrations.models import Invitation, OutgoingEmail, Registration
from tests.factories import TicketTypeFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_for_several_connections"),
]

# Seconds slept between checking for an existing registration and taking the seats: without
# the locks, both tabs then check before either writes, every time.
RACE_WINDOW = 0.2
PLUS_ONES = [("Claire", "Martin"), ("Paul", "Martin")]


def invitation_with_two_plus_ones() -> Invitation:
    ticket = TicketTypeFactory(
        event__access="invitation",
        event__kind="ceremony",
        event__capacity=50,
        category="guest",
        is_public=False,
    )
    return services.create_invitation(
        event=ticket.event,
        ticket_type=ticket,
        data={
            "first_name": "Jean-Luc",
            "last_name": "Martin",
            "email": "jl.martin@example.org",
            "plus_ones_allowed": 2,
        },
        deadline=ticket.event.start - timedelta(days=5),
    )


def accept_in_two_tabs(invitation: Invitation) -> list:
    """Both tabs accept at once; what each got back, or the error it raised."""
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def tab(index):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            outcomes[index] = services.accept_invitation(
                invitation=invitation,
                attendee=services.AttendeeDetails(
                    first_name="Jean-Luc",
                    last_name="Martin",
                    email="jl.martin@example.org",
                    consent_processing=True,
                ),
                plus_ones=PLUS_ONES,
            )
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a tab never finished"
    return outcomes


def widen_race_window(monkeypatch):
    count = services.seats_taken

    def counted_then_wait(*args, **kwargs):
        result = count(*args, **kwargs)
        time.sleep(RACE_WINDOW)
        return result

    monkeypatch.setattr(services, "seats_taken", counted_then_wait)


@pytest.fixture(params=["natural timing", "widened race window"])
def race(request, monkeypatch):
    if request.param == "widened race window":
        widen_race_window(monkeypatch)
    return request.param


def test_an_invitation_accepted_from_two_tabs_at_once_takes_one_seat_and_its_plus_ones_once(
    race,
):
    invitation = invitation_with_two_plus_ones()

    outcomes = accept_in_two_tabs(invitation)

    assert [repr(outcome) for outcome in outcomes if isinstance(outcome, Exception)] == []
    # The second tab gets the same registration back.
    assert outcomes[0].pk == outcomes[1].pk
    guest = Registration.objects.get(invitation=invitation)
    assert guest.status == "confirmed"
    assert sorted(guest.companions.values_list("first_name", flat=True)) == ["Claire", "Paul"]
    assert Registration.objects.filter(event=invitation.event).count() == 3
    assert OutgoingEmail.objects.filter(kind="confirmation", registration=guest).count() == 1
    invitation.refresh_from_db()
    assert invitation.answer == "accepted"


def test_control_without_the_locks_the_second_tab_fails_on_postgresql(monkeypatch):
    """The control: with the seat lock and the invitation's row lock switched off, PostgreSQL
    lets both tabs find no registration and both try to take the seats; the database's
    one-registration-per-invitation and one-seat-per-email constraints stop the second, which
    gets an error instead of its registration. So the test above can see the race.

    On SQLite the IMMEDIATE transaction takes the database's write lock before the check:
    the tabs are serialised even without the row locks, and both get the one registration."""
    widen_race_window(monkeypatch)
    monkeypatch.setattr(services, "SEAT_LOCK_ENABLED", False)
    monkeypatch.setattr(QuerySet, "select_for_update", lambda queryset, *args, **kwargs: queryset)
    invitation = invitation_with_two_plus_ones()

    outcomes = accept_in_two_tabs(invitation)

    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    guest = Registration.objects.get(invitation=invitation)
    # Whatever the database, the constraints keep it to one guest and their two plus-ones.
    assert Registration.objects.filter(event=invitation.event).count() == 3
    if connection.vendor == "sqlite":
        assert errors == []
        assert outcomes[0].pk == outcomes[1].pk == guest.pk
    else:
        assert len(errors) == 1
        assert isinstance(errors[0], services.RegistrationError)
        # Threads start in the default language: French.
        assert errors[0].message == "Cette adresse e-mail est déjà inscrite à cet événement."
