"""Two gates scan the same badge at the same instant: the person is admitted once.

Each scanner runs in its own thread with its own connection, released together by a barrier;
the same stories run on SQLite and on PostgreSQL (`DATABASE_URL=postgres://…`).
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from registrations import checkin
from registrations.models import CheckIn
from tests.concurrency import run_together
from tests.factories import EventFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_for_several_connections"),
]

GATES = 6
# Seconds slept between reading the earlier scans and writing this one: without the row lock,
# every gate then reads "never admitted" before any of them writes.
RACE_WINDOW = 0.05


@pytest.fixture
def badge():
    now = timezone.now()
    event = EventFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=6))
    return RegistrationFactory(ticket_type=TicketTypeFactory(event=event))


def scan_at_every_gate(badge) -> list:
    event = badge.event
    entrance = checkin.entrance_checkpoint(event)
    devices = [
        checkin.create_scanner_device(event=event, name=f"Porte {number}")[0]
        for number in range(GATES)
    ]

    def scan(index):
        return checkin.check_in(
            checkpoint=entrance,
            token=badge.badge_token,
            nonce=f"gate-{index}",
            device=devices[index],
        ).result

    return run_together(GATES, scan)


def widen_race_window(monkeypatch) -> Counter:
    """Sleep after the earlier scans were read; count the attempts at recording a scan."""
    attempts = Counter()
    verdict, locked = checkin._verdict, checkin._check_in_locked

    def slow_verdict(*args, **kwargs):
        time.sleep(RACE_WINDOW)
        return verdict(*args, **kwargs)

    def counted(**kwargs):
        attempts["attempts"] += 1
        return locked(**kwargs)

    monkeypatch.setattr(checkin, "_verdict", slow_verdict)
    monkeypatch.setattr(checkin, "_check_in_locked", counted)
    return attempts


def test_one_badge_scanned_at_six_gates_at_once_is_admitted_once(badge, monkeypatch):
    attempts = widen_race_window(monkeypatch)

    outcomes = scan_at_every_gate(badge)

    assert Counter(outcomes) == {"ok": 1, "already_checked_in": GATES - 1}
    assert CheckIn.objects.filter(is_first_entry=True).count() == 1
    assert CheckIn.objects.count() == GATES
    # With the row lock, nobody wrote on a stale reading: no attempt was refused and retried.
    assert attempts["attempts"] == GATES


def test_control_without_the_row_lock_the_constraint_still_admits_once(badge, monkeypatch):
    monkeypatch.setattr(checkin, "ROW_LOCK_ENABLED", False)
    attempts = widen_race_window(monkeypatch)

    outcomes = scan_at_every_gate(badge)

    assert Counter(outcomes) == {"ok": 1, "already_checked_in": GATES - 1}
    assert CheckIn.objects.filter(is_first_entry=True).count() == 1
    if connection.vendor == "sqlite":
        # SQLite's IMMEDIATE transactions already serialise the scans: no race to see.
        assert attempts["attempts"] == GATES
    else:
        # Without the lock every gate read "not yet admitted": all but one were refused by
        # the one-first-entry constraint and asked again.
        assert attempts["attempts"] == GATES + (GATES - 1)
