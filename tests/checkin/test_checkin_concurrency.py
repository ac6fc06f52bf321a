"""Two gates scan the same badge at the same instant: the person is admitted once.

Each scanner runs in its own thread with its own connection, released together by a barrier;
the same stories run on SQLite and on PostgreSQL (`DATABASE_URL=postgres://…`).
"""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from checkin import corrections
from checkin import services as checkin
from checkin.models import CheckIn
from tests.concurrency import run_together
from tests.factories import EventFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_for_several_connections"),
]

GATES = 6


@pytest.fixture
def badge():
    now = timezone.now()
    event = EventFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=6))
    return RegistrationFactory(ticket_type=TicketTypeFactory(event=event))


def scan_at_every_gate(badge, *, nonces=None) -> list:
    event = badge.event
    entrance = checkin.entrance_checkpoint(event)
    devices = [
        checkin.create_scanner_device(event=event, name=f"Porte {number}")[0]
        for number in range(GATES)
    ]
    nonces = nonces or [f"gate-{index}" for index in range(GATES)]

    def scan(index):
        return checkin.check_in(
            checkpoint=entrance,
            token=badge.badge_token,
            nonce=nonces[index],
            device=devices[index],
        )

    return run_together(GATES, scan)


def judge_all_before_any_records(monkeypatch) -> Counter:
    """Hold every gate, once it has read the badge and judged it never admitted, until all have:
    no gate then learns of another's scan by reading. Counts the inserts tried as first entries
    and the first entries recorded."""
    inserts = Counter()
    everyone_judged = threading.Barrier(GATES)
    record = checkin.record_scan

    def counted(scan):
        # check_in judges a scan, then records it: a first entry reaching here was judged
        # "never admitted", and waits until every gate has judged so.
        if scan.is_first_entry:
            everyone_judged.wait(timeout=30)
        recorded = record(scan)
        if scan.is_first_entry:
            inserts["tried"] += 1
            inserts["recorded"] += recorded
        return recorded

    monkeypatch.setattr(checkin, "record_scan", counted)
    return inserts


def test_one_badge_scanned_at_six_gates_at_once_is_admitted_once(badge, monkeypatch):
    inserts = judge_all_before_any_records(monkeypatch)

    scans = scan_at_every_gate(badge)

    assert Counter(scan.result for scan in scans) == {"ok": 1, "already_checked_in": GATES - 1}
    # Every gate read "never admitted" and tried to record a first entry: the constraint let
    # one through, and the others, refused, answered with that first entry.
    assert inserts == {"tried": GATES, "recorded": 1}
    first = CheckIn.objects.get(is_first_entry=True)
    assert {scan.first_entry.pk for scan in scans if scan.result != "ok"} == {first.pk}
    assert CheckIn.objects.count() == GATES


def test_one_nonce_sent_by_six_gates_at_once_is_recorded_once(badge):
    scans = scan_at_every_gate(badge, nonces=["the-same-scan"] * GATES)

    assert Counter(scan.result for scan in scans) == {"ok": GATES}
    assert Counter(scan.is_replay for scan in scans) == {False: 1, True: GATES - 1}
    assert {scan.checkin.pk for scan in scans} == {CheckIn.objects.get().pk}


def test_two_staff_annulling_one_admission_at_once_annul_it_once(badge):
    entrance = checkin.entrance_checkpoint(badge.event)
    admitted = checkin.check_in(checkpoint=entrance, token=badge.badge_token, nonce="n").checkin

    outcomes = run_together(
        4, lambda index: corrections.annul_admission(checkin=admitted, reason=f"Porte {index}")
    )

    refused = [o for o in outcomes if isinstance(o, corrections.CorrectionError)]
    assert len(refused) == 3, outcomes
    assert AuditEntry.objects.filter(action="checkin.annul").count() == 1
    assert CheckIn.objects.get(pk=admitted.pk).annulled_at is not None


def test_two_staff_overriding_one_refusal_at_once_admit_the_person_once(badge):
    badge.status = badge.Status.PENDING_PAYMENT
    badge.save()
    entrance = checkin.entrance_checkpoint(badge.event)
    refused = checkin.check_in(checkpoint=entrance, token=badge.badge_token, nonce="n").checkin

    outcomes = run_together(
        4, lambda index: corrections.override_refusal(checkin=refused, reason=f"Porte {index}")
    )

    assert all(outcome.result == "ok" for outcome in outcomes), outcomes
    assert len({outcome.checkin.pk for outcome in outcomes}) == 1
    assert sum(not outcome.is_replay for outcome in outcomes) == 1
    assert CheckIn.objects.filter(overrides=refused).count() == 1
    assert AuditEntry.objects.filter(action="checkin.override").count() == 1
