"""The public pages run a fixed number of queries, whatever the size of the programme."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import SessionSpeaker
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db

# The event, its sessions, their speakers, ticket offers (2), the log of programme changes.
EVENT_PAGE_MAX_QUERIES = 6


def _event_with_sessions(count: int):
    event = EventFactory()
    rooms = [RoomFactory(event=event) for _ in range(3)]
    tracks = [TrackFactory(event=event) for _ in range(2)]
    speakers = [SpeakerFactory(organisation=event.organisation) for _ in range(5)]
    for number in range(count):
        start = event.start + timedelta(minutes=5 * number)
        session = SessionFactory(
            event=event,
            start=start,
            end=start + timedelta(minutes=30),
            room=rooms[number % len(rooms)],
            track=tracks[number % len(tracks)] if number % 4 else None,
        )
        SessionSpeakerFactory(session=session, speaker=speakers[number % len(speakers)])
        SessionSpeakerFactory(
            session=session,
            speaker=speakers[(number + 1) % len(speakers)],
            role=SessionSpeaker.Role.CHAIR,
        )
    return event


def _queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_event_page_runs_as_many_queries_for_200_sessions_as_for_10(client, prefix):
    small = _event_with_sessions(10)
    large = _event_with_sessions(200)

    small_count = _queries_for(client, f"{prefix}/events/{small.slug}/")
    large_count = _queries_for(client, f"{prefix}/events/{large.slug}/")

    assert large_count == small_count
    assert large_count <= EVENT_PAGE_MAX_QUERIES


def test_the_event_page_shows_all_200_sessions_within_the_query_budget(
    client, django_assert_max_num_queries
):
    event = _event_with_sessions(200)

    with django_assert_max_num_queries(EVENT_PAGE_MAX_QUERIES):
        response = client.get(f"/events/{event.slug}/")

    assert response.content.decode().count('class="programme__item') == 200


def test_the_home_page_runs_as_many_queries_for_20_events_as_for_2(client):
    for _ in range(2):
        EventFactory()
    few = _queries_for(client, "/")
    for _ in range(18):
        EventFactory()
    many = _queries_for(client, "/")

    assert many == few
    assert many == 1  # the events with their venue and organisation


def test_the_speaker_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    event = _event_with_sessions(40)
    speaker = event.sessions.first().session_speakers.first().speaker

    with django_assert_max_num_queries(4):
        response = client.get(f"/events/{event.slug}/speakers/{speaker.slug}/")

    assert response.status_code == 200


def test_the_session_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    event = _event_with_sessions(10)
    session = event.sessions.first()

    with django_assert_max_num_queries(3):
        response = client.get(f"/events/{event.slug}/sessions/{session.pk}/")

    assert response.status_code == 200
