"""The public calendar feeds: an event's programme, one track's, one speaker's.

Every feed is read back with icalendar, the way a calendar application subscribing to it
would, and checked against what is stored."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils.http import http_date

from events.ics import build as calendar
from events.models import Event
from events.services import update_session
from tests.events.feed_fixtures import (
    ATTENDEE_EMAIL,
    SPEAKER_EMAIL,
    dst_programme,
    feed_paths,
    read_feed,
    vevents,
)
from tests.factories import SessionFactory, SessionSpeakerFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

PUBLIC_KINDS = ("event", "track", "speaker")


def public_paths(programme, **kwargs) -> dict[str, str]:
    return {
        label: path
        for label, path in feed_paths(programme, **kwargs).items()
        if label.split()[0] in PUBLIC_KINDS
    }


def session_uid(session) -> str:
    return calendar.session_uid(session.pk)


@pytest.mark.parametrize("change", ["spring", "autumn"])
def test_every_feed_puts_each_session_at_its_stored_instant_across_the_change_of_time(
    client, change
):
    programme = dst_programme(change)
    stored = {session_uid(session): session for session in programme.sessions}

    checked = 0
    for label, path in feed_paths(programme).items():
        feed = read_feed(client.get(path))
        (timezone,) = feed.walk("VTIMEZONE")
        own_zone = timezone.to_tz()  # the feed's own VTIMEZONE, not the system's zone data
        for uid, vevent in vevents(feed).items():
            if uid not in stored:
                continue
            session = stored[uid]
            for field, instant in (("DTSTART", session.start), ("DTEND", session.end)):
                moment = vevent.decoded(field)
                assert moment == instant, (label, session.title, field)
                if "TZID" in vevent[field].params:
                    assert vevent[field].params["TZID"] == "Europe/Paris"
                    local = moment.replace(tzinfo=None).replace(tzinfo=own_zone)
                    assert local == instant, (label, session.title, field, "VTIMEZONE")
            checked += 1
    assert checked > 0


def test_a_time_in_the_hour_repeated_in_october_is_written_in_utc(client):
    programme = dst_programme("autumn")

    feed = read_feed(client.get(f"/events/{programme.event.slug}/calendar.ics"))

    across = vevents(feed)[session_uid(programme.across)]
    # Starts at 01:30 CEST, unambiguous; ends at the second 02:30 of the night, which a local
    # time would name as the first (RFC 5545 3.3.5).
    assert across["DTSTART"].params["TZID"] == "Europe/Paris"
    assert across["DTSTART"].to_ical() == b"20261025T013000"
    assert across["DTEND"].to_ical() == b"20261025T013000Z"
    assert across.decoded("DTEND") - across.decoded("DTSTART") == timedelta(hours=2)


def test_the_event_feed_shows_the_public_programme_with_what_a_calendar_needs(client):
    programme = dst_programme()
    event, before = programme.event, programme.before

    response = client.get(f"/en/events/{event.slug}/calendar.ics")

    feed = read_feed(response)
    assert "METHOD" not in feed
    assert feed["X-WR-CALNAME"] == "Social protection and territories"
    assert feed["NAME"] == "Social protection and territories"
    assert feed["X-WR-TIMEZONE"] == "Europe/Paris"
    assert feed["REFRESH-INTERVAL"].to_ical() == b"PT1H"
    assert feed["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert feed["X-PUBLISHED-TTL"] == "PT1H"
    entries = vevents(feed)
    assert set(entries) == {
        session_uid(session)
        for session in (before, programme.across, programme.after, programme.cancelled)
    }
    vevent = entries[session_uid(before)]
    assert vevent["SUMMARY"] == "Opening, welcome; and coffee"
    assert vevent["SEQUENCE"] == 0
    # The stamp as stored: adding the sessions and speakers moved it after `event` was read.
    event.refresh_from_db(fields=["programme_changed_at"])
    assert vevent.decoded("DTSTAMP") == event.programme_changed_at.replace(microsecond=0)
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent["LOCATION"] == (
        "Mérieux lecture hall, Sciences Po Lyon, 14 avenue Berthelot, 69007 Lyon"
    )
    assert vevent["URL"] == f"{settings.SITE_URL}/en/events/{event.slug}/sessions/{before.pk}/"
    assert vevent["DESCRIPTION"].splitlines()[0] == (
        "Marie Curie (speaker) — Professor, Sciences Po Lyon"
    )
    assert vevent["DESCRIPTION"].endswith("\n\nThe organisers'\nopening words.")
    assert vevent.categories == ["Health", "Keynote"]
    assert "VALARM" not in [component.name for component in vevent.subcomponents]


def test_a_feed_is_in_the_language_of_its_address(client):
    programme = dst_programme()
    path = f"/events/{programme.event.slug}/calendar.ics"

    french = vevents(read_feed(client.get(path)))[session_uid(programme.before)]
    english = vevents(read_feed(client.get("/en" + path)))[session_uid(programme.before)]

    assert french["SUMMARY"] == "Ouverture, accueil; et café"
    assert english["SUMMARY"] == "Opening, welcome; and coffee"
    assert french["LOCATION"].startswith("Amphithéâtre Mérieux, Sciences Po Lyon")
    assert french["DESCRIPTION"].startswith("Marie Curie (")
    assert "Professeure des universités, Sciences Po Lyon" in french["DESCRIPTION"]
    assert french["DESCRIPTION"].endswith("Le mot d'ouverture\ndes organisateurs.")
    assert french.categories[0] == "Santé"
    assert french["URL"].startswith(f"{settings.SITE_URL}/events/")
    assert english["URL"].startswith(f"{settings.SITE_URL}/en/events/")


def test_a_cancelled_session_stays_in_the_feed_marked_cancelled(client):
    programme = dst_programme()

    feed = read_feed(client.get(f"/en/events/{programme.event.slug}/calendar.ics?alarm=10"))

    vevent = vevents(feed)[session_uid(programme.cancelled)]
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SUMMARY"] == f"Cancelled: {programme.cancelled.title_en}"
    assert vevent["TRANSP"] == "TRANSPARENT"
    assert not vevent.walk("VALARM")


def test_every_session_of_a_cancelled_event_is_cancelled(client):
    programme = dst_programme()
    Event.objects.filter(pk=programme.event.pk).update(status=Event.Status.CANCELLED)

    feed = read_feed(client.get(f"/events/{programme.event.slug}/calendar.ics"))

    assert {str(vevent["STATUS"]) for vevent in vevents(feed).values()} == {"CANCELLED"}


def test_a_session_not_shown_publicly_is_in_no_public_feed(client):
    programme = dst_programme()

    for label, path in public_paths(programme).items():
        body = client.get(path).content.decode()
        assert session_uid(programme.private) not in body, label
        assert "Réunion des partenaires" not in body, label
        assert "Partners' meeting" not in body, label


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("track", "Social protection and territories — Health"),
        ("speaker", "Marie Curie — Social protection and territories"),
    ],
)
def test_a_track_or_speaker_feed_holds_their_public_sessions_only(client, kind, name):
    programme = dst_programme()

    feed = read_feed(client.get(feed_paths(programme, alarms=(None,))[f"{kind} en"]))

    assert feed["X-WR-CALNAME"] == name
    # The session across the change of time is in another track, without this speaker.
    assert set(vevents(feed)) == {
        session_uid(session) for session in (programme.before, programme.after, programme.cancelled)
    }


@pytest.mark.parametrize(
    "path",
    [
        "/events/{slug}/tracks/no-such-track/calendar.ics",
        "/events/{slug}/speakers/no-such-speaker/calendar.ics",
        "/events/no-such-event/calendar.ics",
    ],
)
def test_a_feed_of_nothing_known_is_not_found(client, path):
    programme = dst_programme()

    assert client.get(path.format(slug=programme.event.slug)).status_code == 404


def test_the_feeds_of_a_draft_event_are_not_found(client):
    programme = dst_programme()
    Event.objects.filter(pk=programme.event.pk).update(status=Event.Status.DRAFT)

    for label, path in public_paths(programme).items():
        assert client.get(path).status_code == 404, label


def test_a_speaker_with_no_public_session_has_no_feed_like_no_page(client):
    programme = dst_programme()
    hidden = SpeakerFactory(organisation=programme.event.organisation, slug="hidden")
    SessionSpeakerFactory(session=programme.private, speaker=hidden)
    slug = programme.event.slug

    assert client.get(f"/events/{slug}/speakers/hidden/").status_code == 404
    assert client.get(f"/events/{slug}/speakers/hidden/calendar.ics").status_code == 404


def test_no_feed_shows_a_secret(client):
    programme = dst_programme()
    registration = programme.registration
    secrets = {
        "speaker email": SPEAKER_EMAIL,
        "other speaker email": "autre@example.org",
        "attendee email": ATTENDEE_EMAIL,
        "manage token": registration.manage_token,
        "badge token": registration.badge_token,
        "partner token": programme.partner_feed.token,
        "any address": "mailto:",
    }

    for label, path in feed_paths(programme).items():
        body = client.get(path).content.decode()
        # Unfold the lines first: a secret must not hide behind a fold either.
        body = body.replace("\r\n ", "")
        for secret_label, secret in secrets.items():
            assert secret not in body, (label, secret_label)


def test_the_uids_stay_and_the_sequence_grows_when_a_session_moves(client):
    programme = dst_programme()
    path = f"/events/{programme.event.slug}/calendar.ics"
    first = vevents(read_feed(client.get(path)))

    update_session(
        session=programme.after,
        data={
            "start": programme.after.start + timedelta(hours=1),
            "end": programme.after.end + timedelta(hours=1),
        },
    )
    update_session(session=programme.before, data={"title_fr": "Ouverture"})

    second = vevents(read_feed(client.get(path)))
    assert set(second) == set(first)
    moved = second[session_uid(programme.after)]
    assert moved["SEQUENCE"] == first[session_uid(programme.after)]["SEQUENCE"] + 1
    assert moved.decoded("DTSTART") == programme.after.start
    renamed = second[session_uid(programme.before)]
    assert renamed["SUMMARY"] == "Ouverture"
    # DTSTAMP is when the feed's data last changed (to the second).
    assert renamed.decoded("DTSTAMP") >= first[session_uid(programme.before)].decoded("DTSTAMP")


def test_an_alarm_can_be_asked_for_in_minutes(client):
    programme = dst_programme()

    feed = read_feed(client.get(f"/events/{programme.event.slug}/calendar.ics?alarm=30"))

    vevent = vevents(feed)[session_uid(programme.after)]
    (alarm,) = vevent.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-30)
    assert alarm["DESCRIPTION"] == vevent["SUMMARY"]


@pytest.mark.parametrize("alarm", ["0", "10080"])
def test_an_alarm_at_the_limits_is_accepted(client, alarm):
    programme = dst_programme()

    feed = read_feed(client.get(f"/events/{programme.event.slug}/calendar.ics?alarm={alarm}"))

    (found,) = vevents(feed)[session_uid(programme.after)].walk("VALARM")
    assert found.decoded("TRIGGER") == -timedelta(minutes=int(alarm))


@pytest.mark.parametrize(
    "alarm", ["", "abc", "-5", "10081", "1.5", "15m", "\uff11\uff15", "9" * 40]
)
def test_a_bad_alarm_gets_a_clear_400(client, alarm):
    programme = dst_programme()

    for path in (
        f"/en/events/{programme.event.slug}/calendar.ics",
        f"/en/r/{programme.registration.manage_token}/agenda.ics",
        f"/en/feeds/{programme.partner_feed.token}/calendar.ics",
    ):
        response = client.get(path, {"alarm": alarm})

        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode() == (
            "The alarm must be a whole number of minutes from 0 to 10080 (one week), "
            "for example ?alarm=15."
        )


def test_a_bad_alarm_is_explained_in_the_language_of_the_address(client):
    programme = dst_programme()

    response = client.get(f"/events/{programme.event.slug}/calendar.ics?alarm=soon")

    assert response.status_code == 400
    assert response.headers["Content-Language"] == "fr"


def test_text_is_escaped_and_folded_as_rfc_5545_says(client):
    programme = dst_programme()
    # A title is one line (line breaks are refused there); an abstract may have several.
    title = "Droits, devoirs; et \\ « protection » sociale en régions " + "é" * 60
    abstract = "Première ligne, avec; ponctuation\nDeuxième ligne"
    update_session(session=programme.after, data={"title_fr": title, "abstract_fr": abstract})

    response = client.get(f"/events/{programme.event.slug}/calendar.ics")

    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode()  # never cut inside a character
    vevent = vevents(read_feed(response))[session_uid(programme.after)]
    assert vevent["SUMMARY"] == title
    assert abstract in vevent["DESCRIPTION"]


def test_an_unchanged_feed_answers_not_modified_with_an_empty_body(client):
    programme = dst_programme()

    for label, path in feed_paths(programme).items():
        first = client.get(path)
        assert first["ETag"], label
        assert first["Last-Modified"], label

        by_etag = client.get(path, headers={"if-none-match": first["ETag"]})
        by_date = client.get(path, headers={"if-modified-since": first["Last-Modified"]})

        for response in (by_etag, by_date):
            assert response.status_code == 304, label
            assert response.content == b""
            assert response["ETag"] == first["ETag"]


def test_the_feed_is_sent_again_when_the_clients_copy_is_older(client):
    programme = dst_programme()
    path = f"/events/{programme.event.slug}/calendar.ics"
    first = client.get(path)
    earlier = http_date(programme.event.programme_changed_at.timestamp() - 60)

    assert client.get(path, headers={"if-none-match": '"something-else"'}).status_code == 200
    assert client.get(path, headers={"if-modified-since": earlier}).status_code == 200
    assert client.get(path).content == first.content


def test_no_two_variants_of_a_feed_share_an_etag(client):
    programme = dst_programme()
    paths = feed_paths(programme, alarms=(None, 0, 15))

    etags = {label: client.get(path)["ETag"] for label, path in paths.items()}

    assert len(set(etags.values())) == len(etags)


def test_the_same_data_gives_the_same_bytes(client):
    programme = dst_programme()

    for label, path in feed_paths(programme).items():
        assert client.get(path).content == client.get(path).content, label


@pytest.mark.parametrize(
    ("kind", "build_queries", "cached_queries"),
    [("event", 2, 0), ("track", 2, 0), ("speaker", 3, 0), ("partner", 3, 0), ("agenda", 2, 0)],
)
def test_a_feed_costs_a_fixed_number_of_queries_and_a_polled_one_none(
    client, django_assert_num_queries, kind, build_queries, cached_queries
):
    programme = dst_programme()
    for number in range(30):  # more sessions cost no more queries
        start = programme.event.start + timedelta(hours=30, minutes=10 * number)
        session = SessionFactory(
            event=programme.event,
            track=programme.track,
            start=start,
            end=start + timedelta(hours=1),
        )
        SessionSpeakerFactory(session=session, speaker=programme.speaker)
    path = feed_paths(programme, alarms=(None,))[f"{kind} en"]

    with django_assert_num_queries(build_queries):
        built = client.get(path)
    assert built.status_code == 200
    # A calendar polling its copy, then another subscriber asking for the whole feed: both
    # answered from the shared cache.
    with django_assert_num_queries(cached_queries):
        response = client.get(path, headers={"if-none-match": built["ETag"]})
    assert response.status_code == 304
    with django_assert_num_queries(cached_queries):
        again = client.get(path)
    assert again.content == built.content
    assert again["ETag"] == built["ETag"]


def test_a_feed_is_read_only(client):
    programme = dst_programme()

    response = client.post(f"/events/{programme.event.slug}/calendar.ics")

    assert response.status_code == 405


def test_public_feeds_may_be_kept_by_caches_that_ask_first(client):
    programme = dst_programme()

    response = client.get(f"/events/{programme.event.slug}/calendar.ics")

    assert response["Cache-Control"] == "public, no-cache"
    assert response["Content-Disposition"] == f'attachment; filename="{programme.event.slug}.ics"'


def test_sessions_come_in_programme_order(client):
    programme = dst_programme()
    start = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)
    SessionFactory(event=programme.event, start=start, end=start + timedelta(hours=1))

    feed = read_feed(client.get(f"/events/{programme.event.slug}/calendar.ics"))

    starts = [vevent.decoded("DTSTART") for vevent in feed.walk("VEVENT")]
    assert starts == sorted(starts)
