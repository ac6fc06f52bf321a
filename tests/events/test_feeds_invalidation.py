"""A feed answers 304 Not Modified until something it shows changes, then sends the change.

Each write of something a feed shows moves a change stamp (events/signals.py): the event, a
session, a session's speakers, a room, a track, the venue, a speaker, a partner feed's
settings and shared events. A client holding the previous ETag then gets the new feed."""

from datetime import timedelta

import pytest

from events.ics.build import session_uid
from events.models import Event, SessionSpeaker
from events.partner_feeds import revoke_partner_feed
from events.services import update_session
from tests.events.feed_fixtures import dst_programme, feed_paths, read_feed, vevents
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db


def etag_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response["ETag"]


def get_if_changed(client, path: str, etag: str):
    return client.get(path, headers={"if-none-match": etag})


def changed_feed(client, path: str, etag: str):
    """The feed sent again because it changed since `etag`, parsed."""
    response = get_if_changed(client, path, etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    return read_feed(response)


def entry(feed, session):

    return vevents(feed)[session_uid(session.pk)]


@pytest.fixture
def programme():
    return dst_programme()


@pytest.fixture
def event_path(programme):
    return f"/en/events/{programme.event.slug}/calendar.ics"


def test_a_renamed_event_gives_a_new_feed(client, programme, event_path):
    etag = etag_of(client, event_path)
    event = programme.event

    event.title_en = "Social protection, 2nd edition"
    event.save()

    assert changed_feed(client, event_path, etag)["X-WR-CALNAME"] == event.title_en


def test_a_moved_session_gives_a_new_feed(client, programme, event_path):
    etag = etag_of(client, event_path)
    after = programme.after

    update_session(
        session=after,
        data={"start": after.start + timedelta(hours=2), "end": after.end + timedelta(hours=2)},
    )

    assert entry(changed_feed(client, event_path, etag), after).decoded("DTSTART") == after.start


def test_a_cancelled_session_gives_a_new_feed_where_it_is_cancelled(client, programme, event_path):
    etag = etag_of(client, event_path)

    update_session(session=programme.after, data={"status": "cancelled"})

    assert entry(changed_feed(client, event_path, etag), programme.after)["STATUS"] == "CANCELLED"


def test_a_deleted_session_leaves_the_feed(client, programme, event_path):

    etag = etag_of(client, event_path)
    uid = session_uid(programme.after.pk)

    programme.after.delete()

    assert uid not in vevents(changed_feed(client, event_path, etag))


def test_a_new_session_joins_the_feed(client, programme, event_path):
    etag = etag_of(client, event_path)

    added = SessionFactory(event=programme.event, start=programme.after.end)

    assert entry(changed_feed(client, event_path, etag), added)["SUMMARY"] == added.title_en


def test_a_speaker_added_to_a_session_gives_a_new_feed(client, programme, event_path):
    etag = etag_of(client, event_path)
    speaker = SpeakerFactory(organisation=programme.event.organisation, name="Jean Moulin")

    SessionSpeakerFactory(session=programme.across, speaker=speaker, role=SessionSpeaker.Role.CHAIR)

    assert (
        "Jean Moulin (chair)"
        in entry(changed_feed(client, event_path, etag), programme.across)["DESCRIPTION"]
    )


def test_a_speaker_taken_off_a_session_gives_a_new_feed(client, programme, event_path):
    etag = etag_of(client, event_path)

    SessionSpeaker.objects.get(session=programme.after, speaker=programme.speaker).delete()

    assert "DESCRIPTION" not in entry(changed_feed(client, event_path, etag), programme.after)


def test_a_renamed_room_gives_a_new_feed(client, programme, event_path):
    etag = etag_of(client, event_path)
    room = programme.after.room

    room.name_en = "Main hall"
    room.save()

    location = entry(changed_feed(client, event_path, etag), programme.after)["LOCATION"]
    assert location.startswith("Main hall, ")


def test_a_renamed_track_gives_new_feeds(client, programme, event_path):
    track_path = f"/en/events/{programme.event.slug}/tracks/{programme.track.slug}/calendar.ics"
    etags = {path: etag_of(client, path) for path in (event_path, track_path)}
    track = programme.track

    track.name_en = "Public health"
    track.save()

    assert (
        entry(changed_feed(client, event_path, etags[event_path]), programme.after).categories[0]
        == "Public health"
    )
    assert changed_feed(client, track_path, etags[track_path])["X-WR-CALNAME"].endswith(
        "— Public health"
    )


def etags_of(client, events) -> dict[str, str]:
    """{path: ETag} of the programme feed of each of `events`."""
    paths = [f"/en/events/{event.slug}/calendar.ics" for event in events]
    return {path: etag_of(client, path) for path in paths}


def statuses_since(client, etags: dict[str, str]) -> list[int]:
    return [get_if_changed(client, path, etag).status_code for path, etag in etags.items()]


def test_a_venue_change_gives_a_new_feed_to_every_event_held_there(client, programme):
    venue = programme.event.venue
    other = EventFactory(organisation=venue.organisation, venue=venue)
    elsewhere = EventFactory(organisation=venue.organisation)
    etags = etags_of(client, [programme.event, other, elsewhere])

    venue.street = "27 rue Saint-Guillaume"
    venue.save()

    assert statuses_since(client, etags) == [200, 200, 304]
    path, etag = next(iter(etags.items()))
    assert (
        "27 rue Saint-Guillaume"
        in entry(changed_feed(client, path, etag), programme.after)["LOCATION"]
    )


def test_a_speakers_new_affiliation_gives_a_new_feed_to_each_of_their_events(client, programme):
    speaker = programme.speaker
    other = EventFactory(organisation=programme.event.organisation)
    SessionSpeakerFactory(session=SessionFactory(event=other), speaker=speaker)
    unrelated = EventFactory(organisation=programme.event.organisation)
    SessionFactory(event=unrelated)
    etags = etags_of(client, [programme.event, other, unrelated])

    speaker.affiliation = "EN3S"
    speaker.save()

    assert statuses_since(client, etags) == [200, 200, 304]
    path, etag = next(iter(etags.items()))
    assert (
        "Professor, EN3S" in entry(changed_feed(client, path, etag), programme.after)["DESCRIPTION"]
    )


def test_a_change_to_another_event_leaves_the_feed_not_modified(client, programme, event_path):
    etag = etag_of(client, event_path)
    other = SessionFactory(event=EventFactory(organisation=programme.event.organisation))

    update_session(session=other, data={"title_fr": "Autre chose"})

    assert get_if_changed(client, event_path, etag).status_code == 304


def test_every_feed_of_the_event_changes_with_it(client, programme):
    paths = feed_paths(programme)
    etags = {label: etag_of(client, path) for label, path in paths.items()}

    update_session(session=programme.after, data={"title_en": "Workshop, renamed"})

    for label, path in paths.items():
        assert get_if_changed(client, path, etags[label]).status_code == 200, label


# --- Partner feeds ------------------------------------------------------------------------


@pytest.fixture
def partner_path(programme):
    return f"/feeds/{programme.partner_feed.token}/calendar.ics"


def test_sharing_one_more_event_gives_a_new_partner_feed(client, programme, partner_path):
    etag = etag_of(client, partner_path)
    other = EventFactory(organisation=programme.event.organisation, title_fr="Vœux 2027")

    programme.partner_feed.events.add(other)

    assert "Vœux 2027" in [
        str(v["SUMMARY"]) for v in changed_feed(client, partner_path, etag).walk("VEVENT")
    ]


def test_an_event_no_longer_shared_leaves_the_partner_feed(client, programme, partner_path):
    etag = etag_of(client, partner_path)

    programme.partner_feed.events.remove(programme.event)

    assert changed_feed(client, partner_path, etag).walk("VEVENT") == []


def test_an_event_taken_out_of_every_feed_from_its_side_leaves_them(
    client, programme, partner_path
):
    etag = etag_of(client, partner_path)

    programme.event.partner_feeds.clear()

    assert changed_feed(client, partner_path, etag).walk("VEVENT") == []


def test_an_event_swapped_for_another_gives_a_new_partner_feed(client, programme, partner_path):
    """As many events shared as before, none changed since: the feed's own stamp moves."""
    feed = programme.partner_feed
    older = EventFactory(organisation=programme.event.organisation)
    Event.objects.filter(pk=older.pk).update(
        programme_changed_at=programme.event.programme_changed_at - timedelta(days=1)
    )
    etag = etag_of(client, partner_path)

    feed.events.set([older])

    assert get_if_changed(client, partner_path, etag).status_code == 200


def test_hiding_private_sessions_gives_a_new_partner_feed(client, programme, partner_path):
    etag = etag_of(client, partner_path)
    feed = programme.partner_feed

    feed.includes_private_sessions = False
    feed.save()

    assert entry_absent(changed_feed(client, partner_path, etag), programme.private)


def entry_absent(feed, session) -> bool:

    return session_uid(session.pk) not in vevents(feed)


def test_a_change_of_a_shared_event_gives_a_new_partner_feed(client, programme, partner_path):
    etag = etag_of(client, partner_path)

    update_session(session=programme.private, data={"title_fr": "Déjeuner des partenaires"})

    assert (
        entry(changed_feed(client, partner_path, etag), programme.private)["SUMMARY"]
        == "Déjeuner des partenaires"
    )


def test_a_renamed_organisation_gives_a_new_partner_feed(client, programme, partner_path):
    etag = etag_of(client, partner_path)
    organisation = programme.event.organisation

    organisation.name = "Chaire PST"
    organisation.save()

    assert changed_feed(client, partner_path, etag)["X-WR-CALNAME"] == "Chaire PST"


def test_a_revoked_partner_feed_is_gone_at_once(client, programme, partner_path):
    etag = etag_of(client, partner_path)

    revoke_partner_feed(feed=programme.partner_feed)

    assert get_if_changed(client, partner_path, etag).status_code == 404
    assert client.get(partner_path).status_code == 404
