import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from events.models import Event
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue())


def with_photo(speaker, *, consent):
    speaker.photo.save("portrait.jpg", jpeg(), save=False)
    speaker.photo_thumbnail.save("portrait-small.jpg", jpeg(), save=False)
    speaker.photo_consent = consent
    speaker.save()
    return speaker


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def test_anyone_reads_a_speaker_of_a_public_session_but_never_their_email(anonymous):
    link = SessionSpeakerFactory(
        speaker__name="Claire Martin",
        speaker__slug="claire-martin",
        speaker__title_fr="Directrice de Sciences Po Aix",
        speaker__title_en="Director of Sciences Po Aix",
        speaker__affiliation="Sciences Po Aix",
        speaker__bio_fr="Politiste.",
        speaker__email="claire.martin@example.org",
        speaker__website="https://example.org/claire",
        speaker__linkedin="https://www.linkedin.com/in/claire",
    )
    speaker = link.speaker

    response = anonymous.get(f"/api/v1/speakers/{speaker.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": speaker.pk,
        "name": "Claire Martin",
        "slug": "claire-martin",
        "title": {"fr": "Directrice de Sciences Po Aix", "en": "Director of Sciences Po Aix"},
        "affiliation": "Sciences Po Aix",
        "bio": {"fr": "Politiste.", "en": ""},
        "photo": None,
        "thumbnail": None,
        "links": ["https://example.org/claire", "https://www.linkedin.com/in/claire"],
        "sessions": [link.session_id],
    }
    assert "claire.martin@example.org" not in response.content.decode()


def test_a_photo_without_consent_is_never_given(anonymous):
    speaker = with_photo(SessionSpeakerFactory().speaker, consent=False)

    body = anonymous.get(f"/api/v1/speakers/{speaker.pk}/").json()

    assert (body["photo"], body["thumbnail"]) == (None, None)


def test_a_photo_with_consent_is_given_as_absolute_addresses(anonymous):
    speaker = with_photo(SessionSpeakerFactory().speaker, consent=True)

    body = anonymous.get(f"/api/v1/speakers/{speaker.pk}/").json()

    assert body["photo"] == f"http://testserver/media/{speaker.photo.name}"
    assert body["thumbnail"] == f"http://testserver/media/{speaker.photo_thumbnail.name}"


def test_the_public_sees_only_speakers_of_public_sessions_of_published_events(anonymous):
    on_stage = SessionSpeakerFactory(speaker__name="A on stage")
    in_private = SessionSpeakerFactory(
        session__is_public=False, speaker__name="B in a private session"
    )
    in_draft = SessionSpeakerFactory(
        session__event__status=Event.Status.DRAFT, speaker__name="C in a draft"
    )
    SpeakerFactory(name="D without session")
    # A speaker of both a public and a private session: only the public one is listed.
    SessionSpeakerFactory(session=in_private.session, speaker=on_stage.speaker)

    body = anonymous.get("/api/v1/speakers/").json()

    assert [(item["name"], item["sessions"]) for item in body["results"]] == [
        ("A on stage", [on_stage.session_id])
    ]
    assert anonymous.get(f"/api/v1/speakers/{in_draft.speaker_id}/").status_code == 404


def test_an_organiser_sees_all_their_speakers_but_not_another_organisations_hidden_ones(
    client_for,
):
    event = EventFactory(status=Event.Status.DRAFT)
    mine = SessionSpeakerFactory(session__event=event, speaker__name="A in my draft")
    SpeakerFactory(organisation=event.organisation, name="B without session yet")
    SessionSpeakerFactory(session__event__status=Event.Status.DRAFT, speaker__name="C elsewhere")
    public_elsewhere = SessionSpeakerFactory(speaker__name="D public elsewhere")
    client = client_for(event.organisation)

    body = client.get("/api/v1/speakers/").json()

    assert [(item["name"], item["sessions"]) for item in body["results"]] == [
        ("A in my draft", [mine.session_id]),
        ("B without session yet", []),
        ("D public elsewhere", [public_elsewhere.session_id]),
    ]


def test_speakers_are_paginated_by_name(anonymous):
    for name in ("Chloé", "Anne", "Bruno"):
        SessionSpeakerFactory(speaker__name=name)

    body = anonymous.get("/api/v1/speakers/", {"page_size": 2}).json()

    assert body["count"] == 3
    assert [item["name"] for item in body["results"]] == ["Anne", "Bruno"]


def count_queries(client, expected_results):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/speakers/", {"page_size": 200})
    assert response.status_code == 200
    assert len(response.json()["results"]) == expected_results
    return len(queries)


def add_sessions_with_speakers(event, count):
    room, track = RoomFactory(event=event), TrackFactory(event=event)
    for number in range(count):
        session = SessionFactory(
            event=event,
            room=room,
            track=track,
            start=event.start + timedelta(minutes=number),
            end=event.start + timedelta(minutes=number + 30),
        )
        speaker = with_photo(SpeakerFactory(organisation=event.organisation), consent=True)
        SessionSpeakerFactory(session=session, speaker=speaker)


@pytest.mark.parametrize("who", ["anonymous", "organiser"])
def test_the_speaker_list_costs_as_many_queries_for_200_sessions_as_for_10(
    anonymous, client_for, who
):
    event = EventFactory()
    client = anonymous if who == "anonymous" else client_for(event.organisation)
    add_sessions_with_speakers(event, 10)
    with_10 = count_queries(client, 10)
    add_sessions_with_speakers(event, 190)
    with_200 = count_queries(client, 200)

    assert with_200 == with_10
    assert Speaker.objects.count() == 200
