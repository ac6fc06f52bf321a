from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, Session, SessionSpeaker
from tests.factories import (
    PARIS,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


@pytest.fixture
def colloquium():
    return EventFactory(
        slug="protection-sociale",
        start=datetime(2027, 5, 20, 8, 30, tzinfo=PARIS),
        end=datetime(2027, 5, 21, 18, 0, tzinfo=PARIS),
    )


def test_anyone_reads_a_session_with_room_track_speakers_and_local_times(anonymous, colloquium):
    room = RoomFactory(event=colloquium, name_fr="Amphithéâtre", name_en="Lecture hall")
    track = TrackFactory(
        event=colloquium, slug="territoires", name_fr="Territoires", name_en="", colour="#aa3300"
    )
    session = SessionFactory(
        event=colloquium,
        type=Session.Type.ROUND_TABLE,
        title_fr="Table ronde : l'accès aux droits",
        title_en="Round table: access to rights",
        abstract_fr="Quatre regards.",
        room=room,
        track=track,
        start=datetime(2027, 5, 20, 9, 0, tzinfo=PARIS),
        end=datetime(2027, 5, 20, 10, 30, tzinfo=PARIS),
    )
    chair = SpeakerFactory(
        organisation=colloquium.organisation,
        name="Claire Martin",
        slug="claire-martin",
        title_fr="Directrice de Sciences Po Aix",
        title_en="Director of Sciences Po Aix",
        affiliation="Sciences Po Aix",
        email="claire.martin@example.org",
    )
    SessionSpeakerFactory(session=session, speaker=chair, role=SessionSpeaker.Role.CHAIR)

    response = anonymous.get(f"/api/v1/sessions/{session.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": session.pk,
        "event": "protection-sociale",
        "type": "round_table",
        "title": {"fr": "Table ronde : l'accès aux droits", "en": "Round table: access to rights"},
        "abstract": {"fr": "Quatre regards.", "en": ""},
        "room": {"id": room.pk, "name": {"fr": "Amphithéâtre", "en": "Lecture hall"}},
        "track": {
            "id": track.pk,
            "slug": "territoires",
            "name": {"fr": "Territoires", "en": ""},
            "colour": "#aa3300",
        },
        "start": "2027-05-20T09:00:00+02:00",
        "end": "2027-05-20T10:30:00+02:00",
        "status": "confirmed",
        "is_public": True,
        "capacity": None,
        "requires_signup": False,
        "sequence": 0,
        "speakers": [
            {
                "id": chair.pk,
                "name": "Claire Martin",
                "slug": "claire-martin",
                "role": "chair",
                "title": {
                    "fr": "Directrice de Sciences Po Aix",
                    "en": "Director of Sciences Po Aix",
                },
                "affiliation": "Sciences Po Aix",
            }
        ],
        "url": f"http://testserver/events/protection-sociale/sessions/{session.pk}/",
    }
    assert "claire.martin@example.org" not in response.content.decode()


def test_the_public_sees_neither_drafts_nor_private_sessions(anonymous, colloquium):
    public = SessionFactory(event=colloquium)
    private = SessionFactory(event=colloquium, is_public=False)
    draft = SessionFactory(event=EventFactory(status=Event.Status.DRAFT))

    assert ids(anonymous.get("/api/v1/sessions/")) == [public.pk]
    assert anonymous.get(f"/api/v1/sessions/{private.pk}/").status_code == 404
    assert anonymous.get(f"/api/v1/sessions/{draft.pk}/").status_code == 404


def test_an_organiser_sees_their_drafts_and_private_sessions_but_not_another_organisations(
    client_for, colloquium
):
    own_private = SessionFactory(event=colloquium, is_public=False)
    own_draft = SessionFactory(
        event=EventFactory(organisation=colloquium.organisation, status="draft")
    )
    other_draft = SessionFactory(event=EventFactory(status=Event.Status.DRAFT))
    other_private = SessionFactory(event=EventFactory(), is_public=False)
    client = client_for(colloquium.organisation)

    assert sorted(ids(client.get("/api/v1/sessions/"))) == sorted([own_private.pk, own_draft.pk])
    assert client.get(f"/api/v1/sessions/{other_draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/sessions/{other_private.pk}/").status_code == 404


def test_an_organiser_cannot_filter_on_another_organisations_draft_event(client_for, colloquium):
    other_draft = SessionFactory(event=EventFactory(status=Event.Status.DRAFT))
    client = client_for(colloquium.organisation)

    response = client.get("/api/v1/sessions/", {"event": other_draft.event.slug})

    assert response.status_code == 400
    assert list(response.json()) == ["event"]


# --- Filters ------------------------------------------------------------------------------------


def test_sessions_filter_by_event_slug(anonymous, colloquium):
    wanted = SessionFactory(event=colloquium)
    SessionFactory()

    assert ids(anonymous.get("/api/v1/sessions/", {"event": "protection-sociale"})) == [wanted.pk]


def test_sessions_filter_by_day_in_the_event_time_zone(anonymous, colloquium):
    # 00:30 in Paris on the 21st is still the 20th in UTC: the day is Paris's.
    late = SessionFactory(
        event=colloquium,
        start=datetime(2027, 5, 21, 0, 30, tzinfo=PARIS),
        end=datetime(2027, 5, 21, 1, 0, tzinfo=PARIS),
    )
    evening = SessionFactory(
        event=colloquium,
        start=datetime(2027, 5, 20, 23, 0, tzinfo=PARIS),
        end=datetime(2027, 5, 20, 23, 30, tzinfo=PARIS),
    )

    assert ids(anonymous.get("/api/v1/sessions/", {"day": "2027-05-21"})) == [late.pk]
    assert ids(anonymous.get("/api/v1/sessions/", {"day": "2027-05-20"})) == [evening.pk]
    assert ids(anonymous.get("/api/v1/sessions/", {"day": "2027-05-22"})) == []


def test_sessions_filter_by_track(anonymous, colloquium):
    wanted = SessionFactory(event=colloquium)
    SessionFactory(event=colloquium)

    assert ids(anonymous.get("/api/v1/sessions/", {"track": wanted.track_id})) == [wanted.pk]


def test_sessions_filter_by_room(anonymous, colloquium):
    wanted = SessionFactory(event=colloquium)
    SessionFactory(event=colloquium)

    assert ids(anonymous.get("/api/v1/sessions/", {"room": wanted.room_id})) == [wanted.pk]


def test_sessions_filter_by_speaker_once_per_session_whatever_their_roles(anonymous, colloquium):
    wanted = SessionFactory(event=colloquium)
    SessionFactory(event=colloquium)
    speaker = SpeakerFactory(organisation=colloquium.organisation)
    SessionSpeakerFactory(session=wanted, speaker=speaker, role=SessionSpeaker.Role.CHAIR)
    SessionSpeakerFactory(session=wanted, speaker=speaker, role=SessionSpeaker.Role.SPEAKER)

    assert ids(anonymous.get("/api/v1/sessions/", {"speaker": speaker.pk})) == [wanted.pk]


@pytest.mark.parametrize(
    ("parameter", "value", "message"),
    [
        ("day", "20/05/2027", "Saisissez une date valide."),
        ("day", "2027-02-30", "Saisissez une date valide."),
        (
            "day",
            "0001-01-01",
            "Assurez-vous que cette valeur est supérieure ou égale à 1900-01-01.",
        ),
        ("track", "abc", "Saisissez un nombre entier."),
        ("room", "1.5", "Saisissez un nombre entier."),
        ("speaker", "-3", "Assurez-vous que cette valeur est supérieure ou égale à 1."),
        (
            "speaker",
            "99999999999999999999",
            "Assurez-vous que cette valeur est inférieure ou égale à 9223372036854775807.",
        ),
        (
            "event",
            "no-such-event",
            "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles.",
        ),
    ],
)
def test_a_bad_filter_value_gives_a_400_naming_the_parameter(anonymous, parameter, value, message):
    SessionFactory()

    response = anonymous.get("/api/v1/sessions/", {parameter: value})

    assert response.status_code == 400
    assert response.json() == {parameter: [message]}


def test_filter_errors_speak_english_when_asked(anonymous):
    response = anonymous.get("/api/v1/sessions/", {"day": "tomorrow"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {"day": ["Enter a valid date."]}


def test_an_id_that_cannot_exist_in_the_path_is_a_json_404(anonymous):
    for path in ("/api/v1/sessions/99999999999999999999/", "/api/v1/sessions/-1/"):
        response = anonymous.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Non trouvé."}


def test_sessions_are_paginated(anonymous, colloquium):
    sessions = [SessionFactory(event=colloquium) for _ in range(3)]

    body = anonymous.get("/api/v1/sessions/", {"page_size": 2, "page": 2}).json()

    assert body["count"] == 3
    assert [item["id"] for item in body["results"]] == [sessions[2].pk]
    assert body["previous"] == "http://testserver/api/v1/sessions/?page_size=2"


# --- Queries ------------------------------------------------------------------------------------


def add_sessions(event, count):
    room, track = RoomFactory(event=event), TrackFactory(event=event)
    for number in range(count):
        session = SessionFactory(
            event=event,
            room=room,
            track=track,
            start=event.start + timedelta(minutes=number),
            end=event.start + timedelta(minutes=number + 30),
        )
        SessionSpeakerFactory(session=session)


def count_queries(client, path, expected_results):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"page_size": 200})
    assert response.status_code == 200
    assert len(response.json()["results"]) == expected_results
    return len(queries)


def test_the_session_list_costs_as_many_queries_for_200_sessions_as_for_10(anonymous, colloquium):
    add_sessions(colloquium, 10)
    with_10 = count_queries(anonymous, "/api/v1/sessions/", 10)
    add_sessions(colloquium, 190)
    with_200 = count_queries(anonymous, "/api/v1/sessions/", 200)

    assert with_200 == with_10


def test_an_organisers_filtered_session_list_costs_as_many_queries_for_200_as_for_10(
    client_for, colloquium
):
    client = client_for(colloquium.organisation)
    path = "/api/v1/sessions/?day=2027-05-20&event=protection-sociale"
    add_sessions(colloquium, 10)
    with_10 = count_queries(client, path, 10)
    add_sessions(colloquium, 190)
    with_200 = count_queries(client, path, 200)

    assert with_200 == with_10
