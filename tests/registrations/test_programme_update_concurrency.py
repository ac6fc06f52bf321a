"""The worker's delayed task and the cron command may send the same settled changes at the same
instant: each change is claimed by one run, so each person still gets one email.

Each run has its own thread and connection. On PostgreSQL the first run locks the changes'
rows and the second skips them; on SQLite the IMMEDIATE transaction serialises the two runs,
and the second finds the changes already told."""

import time

import pytest
from django.db import connection
from django.db.models import QuerySet

from events.services import update_session
from registrations import programme_updates
from registrations.models import OutgoingEmail
from tests.concurrency import run_together
from tests.registrations.programme_update_fixtures import a_programme, after_the_delay

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_for_several_connections"),
]

# Seconds a run spends, holding its claim, before queueing its emails: the other run starts
# meanwhile, every time.
RACE_WINDOW = 0.3


@pytest.fixture
def slow_runs(monkeypatch):
    find_people = programme_updates.people_concerned

    def slowly(changes):
        time.sleep(RACE_WINDOW)
        return find_people(changes)

    monkeypatch.setattr(programme_updates, "people_concerned", slowly)


def send_twice_at_once() -> list:
    programme = a_programme()
    update_session(session=programme.workshop, data={"status": "cancelled"})
    later = after_the_delay()
    return run_together(2, lambda index: programme_updates.send_programme_updates(now=later))


@pytest.mark.usefixtures("slow_runs")
def test_two_runs_at_once_send_each_person_one_email():
    outcomes = send_twice_at_once()

    assert sorted(outcomes) == [0, 3]
    updates = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.PROGRAMME_UPDATE)
    assert updates.count() == 3


@pytest.mark.usefixtures("slow_runs")
def test_control_without_the_row_locks_postgresql_sends_twice(monkeypatch):
    """The control: without the row locks, both runs on PostgreSQL read the changes as untold
    before either commits, and both send. So the test above can see the race. On SQLite the
    IMMEDIATE transaction serialises the runs even without the locks."""
    monkeypatch.setattr(QuerySet, "select_for_update", lambda queryset, *args, **kwargs: queryset)

    outcomes = send_twice_at_once()

    sent = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.PROGRAMME_UPDATE).count()
    if connection.vendor == "sqlite":
        assert (sorted(outcomes), sent) == ([0, 3], 3)
    else:
        assert (outcomes, sent) == ([3, 3], 6)
