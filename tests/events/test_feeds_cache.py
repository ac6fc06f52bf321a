"""Feeds answered from the shared cache: what a calendar polling its copy, or a new subscriber,
gets once the feed was built, and after each kind of change."""

import pytest
from django.core.cache import cache

from events import feed_cache
from events.models import Event
from events.services import update_session
from tests.events.feed_fixtures import dst_programme, feed_paths, read_feed, vevents

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return dst_programme()


def test_each_variant_of_every_feed_comes_back_from_the_cache_as_it_was_built(client, programme):
    paths = feed_paths(programme, alarms=(None, 15))
    built = {label: client.get(path) for label, path in paths.items()}

    for label, path in paths.items():
        again = client.get(path)
        assert again.content == built[label].content, label
        assert again["ETag"] == built[label]["ETag"], label
        assert again["Content-Disposition"] == built[label]["Content-Disposition"], label


def test_french_and_english_subscribers_each_keep_their_language(client, programme):
    path = f"/events/{programme.event.slug}/calendar.ics"
    client.get(path)
    client.get(f"/en{path}")

    french = read_feed(client.get(path))
    english = read_feed(client.get(f"/en{path}"))

    assert str(french["X-WR-CALNAME"]) == "Protection sociale et territoires"
    assert str(english["X-WR-CALNAME"]) == "Social protection and territories"


def test_a_change_committed_while_calendars_poll_gives_them_the_new_feed(
    client, programme, django_capture_on_commit_callbacks
):
    path = f"/en/events/{programme.event.slug}/calendar.ics"
    etag = client.get(path)["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        update_session(session=programme.after, data={"title_en": "Closing workshop"})

    response = client.get(path, headers={"if-none-match": etag})
    assert response.status_code == 200
    summaries = [str(vevent["SUMMARY"]) for vevent in vevents(read_feed(response)).values()]
    assert "Closing workshop" in summaries


def test_an_event_put_back_to_draft_has_no_feed_at_once(client, programme):
    path = f"/events/{programme.event.slug}/calendar.ics"
    etag = client.get(path)["ETag"]

    programme.event.status = Event.Status.DRAFT
    programme.event.save()

    assert client.get(path, headers={"if-none-match": etag}).status_code == 404
    assert client.get(path).status_code == 404


def test_a_deleted_track_has_no_feed_at_once(client, programme):
    path = f"/events/{programme.event.slug}/tracks/{programme.track.slug}/calendar.ics"
    etag = client.get(path)["ETag"]

    programme.track.delete()

    assert client.get(path, headers={"if-none-match": etag}).status_code == 404
    assert client.get(path).status_code == 404


def test_a_feed_whose_body_left_the_cache_is_built_again_the_same(client, programme):
    path = f"/events/{programme.event.slug}/calendar.ics?alarm=15"
    first = client.get(path)

    cache.delete(feed_cache.body_key(first["ETag"]))

    again = client.get(path)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
