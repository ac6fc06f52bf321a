"""A partner's private feed, `/feeds/<token>/calendar.ics`: the events an organisation shares
with them, whole and with their sessions, those not shown publicly too if the feed says so."""

from datetime import date, datetime, timedelta

import pytest

from events.ics.build import event_uid, session_uid
from events.models import Event, PartnerFeed
from tests.events.feed_fixtures import dst_programme, localized, read_feed, vevents
from tests.factories import PARIS, EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def partner_path(feed: PartnerFeed, language: str = "fr") -> str:
    return localized(f"/feeds/{feed.token}/calendar.ics", language)


def test_a_partner_feed_shows_the_shared_event_whole_and_every_session(client):
    programme = dst_programme()

    feed = read_feed(client.get(partner_path(programme.partner_feed, "en")))

    assert feed["X-WR-CALNAME"] == programme.event.organisation.name
    entries = vevents(feed)
    assert set(entries) == {event_uid(programme.event.pk)} | {
        session_uid(session.pk) for session in programme.sessions
    }
    private = entries[session_uid(programme.private.pk)]
    assert private["SUMMARY"] == "Partners' meeting"
    # A session not shown publicly has no page of its own: its entry leads to the event's.
    assert private["URL"].endswith(f"/en/events/{programme.event.slug}/")


def test_a_partner_feed_without_private_sessions_leaves_them_out(client):
    programme = dst_programme()
    PartnerFeed.objects.filter(pk=programme.partner_feed.pk).update(includes_private_sessions=False)

    entries = vevents(read_feed(client.get(partner_path(programme.partner_feed))))

    assert session_uid(programme.private.pk) not in entries
    assert session_uid(programme.after.pk) in entries


def test_the_event_of_several_days_is_an_all_day_entry(client):
    programme = dst_programme()

    whole = vevents(read_feed(client.get(partner_path(programme.partner_feed))))[
        event_uid(programme.event.pk)
    ]

    # 28 to 30 March 2027, Paris time: DTEND is the day after the last day.
    assert whole["DTSTART"].params["VALUE"] == "DATE"
    assert whole.decoded("DTSTART") == date(2027, 3, 28)
    assert whole.decoded("DTEND") == date(2027, 3, 31)
    assert whole["STATUS"] == "CONFIRMED"
    assert whole["SEQUENCE"] == programme.event.calendar_sequence


def test_an_event_of_one_day_keeps_its_times(client):
    programme = dst_programme()
    start = datetime(2027, 1, 16, 18, 0, tzinfo=PARIS)
    ceremony = EventFactory(
        organisation=programme.event.organisation, start=start, end=start + timedelta(hours=3)
    )
    programme.partner_feed.events.add(ceremony)

    whole = vevents(read_feed(client.get(partner_path(programme.partner_feed))))[
        event_uid(ceremony.pk)
    ]

    assert whole.decoded("DTSTART") == start
    assert whole.decoded("DTEND") == start + timedelta(hours=3)
    assert whole["DTSTART"].params["TZID"] == "Europe/Paris"


def test_a_cancelled_event_stays_in_the_feed_cancelled_with_its_sessions(client):
    programme = dst_programme()
    Event.objects.filter(pk=programme.event.pk).update(status=Event.Status.CANCELLED)

    entries = vevents(read_feed(client.get(partner_path(programme.partner_feed))))

    assert len(entries) == 1 + len(programme.sessions)
    assert {str(vevent["STATUS"]) for vevent in entries.values()} == {"CANCELLED"}


def test_a_draft_event_is_not_shared(client):
    programme = dst_programme()
    draft = EventFactory(organisation=programme.event.organisation, status=Event.Status.DRAFT)
    SessionFactory(event=draft)
    programme.partner_feed.events.add(draft)

    entries = vevents(read_feed(client.get(partner_path(programme.partner_feed))))

    assert event_uid(draft.pk) not in entries
    assert len(entries) == 1 + len(programme.sessions)


def test_the_events_of_a_partner_feed_each_bring_their_time_zone(client):
    programme = dst_programme()
    start = datetime(2027, 6, 1, 9, 0, tzinfo=PARIS)
    abroad = EventFactory(
        organisation=programme.event.organisation,
        time_zone="America/Montreal",
        start=start,
        end=start + timedelta(hours=5),
    )
    SessionFactory(event=abroad)
    programme.partner_feed.events.add(abroad)

    feed = read_feed(client.get(partner_path(programme.partner_feed)))

    assert {str(zone["TZID"]) for zone in feed.walk("VTIMEZONE")} == {
        "Europe/Paris",
        "America/Montreal",
    }
    assert vevents(feed)[event_uid(abroad.pk)].decoded("DTSTART") == start


def test_revoked_wrong_and_unknown_tokens_get_the_same_not_found(client):
    programme = dst_programme()
    revoked = PartnerFeed.objects.create(organisation=programme.event.organisation, name="Ancien")
    revoked.events.add(programme.event)
    PartnerFeed.objects.filter(pk=revoked.pk).update(revoked_at=programme.event.start)

    answers = [
        client.get(f"/feeds/{token}/calendar.ics")
        for token in (revoked.token, "x" * len(revoked.token), revoked.token[:-1] + "A")
    ]

    for response in answers:
        assert response.status_code == 404
        assert response.content == answers[0].content
        assert dict(response.headers) == dict(answers[0].headers)
    assert answers[0]["Content-Type"] == "text/plain; charset=utf-8"
    assert answers[0]["Cache-Control"] == "private, no-store"


def test_a_revoked_token_with_an_alarm_is_still_not_found(client):
    programme = dst_programme()
    PartnerFeed.objects.filter(pk=programme.partner_feed.pk).update(
        revoked_at=programme.event.start
    )

    response = client.get(partner_path(programme.partner_feed) + "?alarm=15")

    assert response.status_code == 404


def test_a_partner_feed_is_private_and_kept_out_of_search_engines(client):
    programme = dst_programme()

    response = client.get(partner_path(programme.partner_feed))

    assert response["Cache-Control"] == "private, no-cache"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
