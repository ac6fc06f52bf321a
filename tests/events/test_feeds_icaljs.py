"""Every feed and every emailed programme update, read by Mozilla's ical.js (Thunderbird's
parser) under node: no parse error, and each session at the UTC instant stored, for sessions
in winter and summer time and across both changes of time of Europe/Paris."""

from datetime import UTC, datetime, timedelta

import pytest

from events.ics.build import Attendee
from events.ics.invitations import invitation, session_entry
from events.models import Session
from tests.events.feed_fixtures import dst_programme, feed_paths
from tests.factories import EventFactory, SessionFactory
from tests.registrations.icaljs import read_with_icaljs
from tests.registrations.programme_update_fixtures import AUTUMN_NIGHT, emailed_invitations

pytestmark = pytest.mark.django_db


def iso(moment: datetime) -> str:
    """An instant as ical.js prints it: "2027-03-28T00:30:00.000Z"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def session_of(uid: str) -> Session:
    # Feeds name sessions "session-<id>@<site>".
    return Session.objects.get(pk=int(uid.split("@")[0].removeprefix("session-")))


@pytest.mark.parametrize("change", ["spring", "autumn"])
def test_every_feed_puts_every_session_at_its_stored_instant_in_icaljs(client, change):
    programme = dst_programme(change)
    seen = set()

    for label, path in feed_paths(programme).items():
        response = client.get(path)
        assert response.status_code == 200, (label, response.status_code)

        calendar = read_with_icaljs(response.content)

        assert calendar["timezones"] == [programme.event.time_zone], label
        assert calendar["name"], label
        sessions = [item for item in calendar["events"] if item["uid"].startswith("session-")]
        assert sessions, label
        for item in sessions:
            session = session_of(item["uid"])
            assert item["start"] == iso(session.start), (label, session.title)
            assert item["end"] == iso(session.end), (label, session.title)
            assert item["start_timezone"] == programme.event.time_zone, label
            assert item["sequence"] == session.sequence, label
            expected_status = "CANCELLED" if session.is_cancelled else "CONFIRMED"
            assert item["status"] == expected_status, label
            assert item["url"].startswith("http"), label
            seen.add(session.pk)
        # The reminder rings before what takes place: not for a cancelled or an all-day entry.
        alarm = [{"action": "DISPLAY", "trigger": "-PT15M"}] if "alarm" in label else []
        for item in calendar["events"]:
            rings = item["status"] != "CANCELLED" and not item["all_day"]
            assert item["alarms"] == (alarm if rings else []), (label, item["summary"])

    # Across all feeds, every session was read, the DST-crossing one included.
    assert {session.pk for session in programme.sessions} <= seen


@pytest.mark.parametrize("change", ["spring", "autumn"])
def test_the_agenda_shows_a_multi_day_event_as_all_day_in_icaljs(client, change):
    programme = dst_programme(change)
    event = programme.event
    path = feed_paths(programme, alarms=(None,))["agenda fr"]

    calendar = read_with_icaljs(client.get(path).content)

    [whole] = [item for item in calendar["events"] if item["uid"].startswith("event-")]
    first_day = event.start.astimezone(event.zone).date()
    last_day = event.end.astimezone(event.zone).date()
    assert whole["all_day"] is True
    assert whole["start_date"] == first_day.isoformat()
    # DTEND of an all-day event is the day after the last one (RFC 5545, exclusive).
    assert whole["end_date"] == last_day.fromordinal(last_day.toordinal() + 1).isoformat()


def test_emailed_updates_read_in_icaljs_at_the_moved_instant_and_as_a_cancellation():
    invitations = emailed_invitations()

    request = read_with_icaljs(invitations["request"])
    cancel = read_with_icaljs(invitations["cancel"])

    assert request["method"] == "REQUEST"
    [moved] = request["events"]
    assert moved["start"] == iso(AUTUMN_NIGHT[0])  # 01:30 CEST, 23:30 UTC
    assert moved["end"] == iso(AUTUMN_NIGHT[1])  # 03:30 CET, 02:30 UTC: 3 hours later
    assert moved["start_timezone"] == "Europe/Paris"
    assert moved["status"] == "CONFIRMED"
    assert cancel["method"] == "CANCEL"
    [gone] = cancel["events"]
    assert gone["uid"] == moved["uid"]
    assert gone["status"] == "CANCELLED"
    assert gone["sequence"] > moved["sequence"]


def test_an_invitation_in_the_repeated_hour_of_october_reads_at_the_second_occurrence():
    # 02:30 CET on 25 October 2026 comes after 02:30 CEST: written as a Paris local time it
    # would be read as the first one, an hour early; the invitation gives it in UTC.
    start = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, the second 02:30
    event = EventFactory(start=start - timedelta(hours=2), end=start + timedelta(hours=4))
    session = SessionFactory(event=event, start=start, end=start + timedelta(minutes=20))
    message = invitation(
        event=event,
        entry=session_entry(session),
        attendee=Attendee(name="Camille Durand", email="camille@example.org"),
    )

    [read] = read_with_icaljs(message.to_ical())["events"]

    assert read["start"] == iso(session.start)
    assert read["end"] == iso(session.end)
