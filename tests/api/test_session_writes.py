from datetime import datetime

import pytest

from events.models import Event, Session, SessionSpeaker
from tests.factories import (
    PARIS,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def colloquium():
    return EventFactory(
        slug="protection-sociale",
        start=datetime(2027, 5, 20, 8, 30, tzinfo=PARIS),
        end=datetime(2027, 5, 21, 18, 0, tzinfo=PARIS),
    )


@pytest.fixture
def organiser(client_for, colloquium):
    return client_for(colloquium.organisation)


def new_session(event, **changes):
    return {
        "event": event.slug,
        "type": "keynote",
        "title": {"fr": "Conférence inaugurale", "en": "Opening lecture"},
        "start": "2027-05-20T09:00:00+02:00",
        "end": "2027-05-20T10:00:00+02:00",
        **changes,
    }


def snapshot(session):
    session.refresh_from_db()
    return (session.title_fr, session.start, session.end, session.room_id, session.sequence)


# --- Creating -----------------------------------------------------------------------------------


def test_an_organiser_adds_a_session_with_its_speakers(organiser, colloquium):
    room, track = RoomFactory(event=colloquium), TrackFactory(event=colloquium)
    speaker = SpeakerFactory(organisation=colloquium.organisation)

    response = organiser.post(
        "/api/v1/sessions/",
        new_session(
            colloquium,
            room=room.pk,
            track=track.pk,
            abstract={"fr": "Ouverture du colloque."},
            speakers=[{"speaker": speaker.pk, "role": "speaker"}],
        ),
        format="json",
    )

    assert response.status_code == 201, response.content
    session = Session.objects.get()
    assert (session.title_fr, session.title_en, session.abstract_fr) == (
        "Conférence inaugurale",
        "Opening lecture",
        "Ouverture du colloque.",
    )
    assert (session.room, session.track, session.sequence) == (room, track, 0)
    body = response.json()
    assert body["abstract"] == {"fr": "Ouverture du colloque.", "en": ""}
    assert (body["id"], body["start"], body["end"]) == (
        session.pk,
        "2027-05-20T09:00:00+02:00",
        "2027-05-20T10:00:00+02:00",
    )
    assert [(item["id"], item["role"]) for item in body["speakers"]] == [(speaker.pk, "speaker")]


def test_an_anonymous_visitor_cannot_add_a_session(anonymous, colloquium):
    response = anonymous.post("/api/v1/sessions/", new_session(colloquium), format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Informations d'authentification non fournies."}
    assert not Session.objects.exists()


def test_door_staff_cannot_add_a_session(client_for, colloquium):
    client = client_for(colloquium.organisation, role="door_staff")

    response = client.post("/api/v1/sessions/", new_session(colloquium), format="json")

    assert response.status_code == 403
    assert not Session.objects.exists()


@pytest.mark.parametrize("status", [Event.Status.PUBLISHED, Event.Status.DRAFT])
def test_an_organiser_cannot_add_a_session_to_another_organisations_event(organiser, status):
    other = EventFactory(status=status)

    response = organiser.post("/api/v1/sessions/", new_session(other), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["event"]
    assert not Session.objects.exists()


def test_an_organiser_cannot_put_another_organisations_speaker_on_a_session(organiser, colloquium):
    stranger = SpeakerFactory()

    response = organiser.post(
        "/api/v1/sessions/",
        new_session(colloquium, speakers=[{"speaker": stranger.pk, "role": "chair"}]),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {"speakers": ["Choose speakers of the event's organisation."]}
    assert not Session.objects.exists()


# --- Validation in the request's language -------------------------------------------------------


def test_a_session_ending_before_it_starts_is_refused_in_french_by_default(organiser, colloquium):
    response = organiser.post(
        "/api/v1/sessions/",
        new_session(colloquium, end="2027-05-20T08:45:00+02:00"),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"end": ["La fin doit être postérieure au début."]}


def test_a_session_ending_before_it_starts_is_refused_in_english_when_asked(organiser, colloquium):
    response = organiser.post(
        "/api/v1/sessions/",
        new_session(colloquium, end="2027-05-20T08:45:00+02:00"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {"end": ["The end must be after the start."]}


def test_a_session_outside_its_event_is_refused_with_the_event_dates(organiser, colloquium):
    response = organiser.post(
        "/api/v1/sessions/",
        new_session(colloquium, start="2027-05-22T09:00:00+02:00", end="2027-05-22T10:00:00+02:00"),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "start": [
            "La session doit se tenir pendant l’événement "
            "(du 20/05/2027 08:30 au 21/05/2027 18:00)."
        ]
    }


def test_a_room_and_a_track_of_another_event_are_refused(organiser, colloquium):
    elsewhere = EventFactory(organisation=colloquium.organisation)
    room, track = RoomFactory(event=elsewhere), TrackFactory(event=elsewhere)

    response = organiser.post(
        "/api/v1/sessions/",
        new_session(colloquium, room=room.pk, track=track.pk),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "room": ["Choose one of this event's."],
        "track": ["Choose one of this event's."],
    }


def test_a_bilingual_title_needs_its_french_text_and_known_languages(organiser, colloquium):
    response = organiser.post(
        "/api/v1/sessions/",
        new_session(colloquium, title={"en": "Opening", "de": "Eröffnung"}),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "title": {
            "de": ["Unknown language: use “fr” or “en”."],
            "fr": ["This field is required."],
        }
    }


def test_a_blank_french_title_is_refused_in_french(organiser, colloquium):
    response = organiser.post(
        "/api/v1/sessions/",
        new_session(colloquium, title={"fr": " ", "en": "Opening"}),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"title": {"fr": ["Ce champ ne peut être vide."]}}


def test_a_title_that_is_not_an_object_is_explained_in_english(organiser, colloquium):
    response = organiser.post(
        "/api/v1/sessions/",
        new_session(colloquium, title="Opening"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "title": ['Give an object with one text per language, for example {"fr": "…", "en": "…"}.']
    }


def test_a_refusal_by_the_database_trigger_gives_a_400_not_a_500(
    organiser, colloquium, monkeypatch
):
    # As if the event had shrunk between validation and saving: only the trigger sees it.
    monkeypatch.setattr(Session, "clean", lambda session: None)

    response = organiser.post(
        "/api/v1/sessions/",
        new_session(colloquium, start="2027-05-22T09:00:00+02:00", end="2027-05-22T10:00:00+02:00"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "start": [
            "The session must take place during the event "
            "(from 20/05/2027 08:30 to 21/05/2027 18:00)."
        ]
    }
    assert not Session.objects.exists()


# --- Changing and deleting ----------------------------------------------------------------------


def test_moving_a_session_raises_its_sequence_but_retitling_it_does_not(organiser, colloquium):
    session = SessionFactory(event=colloquium)
    path = f"/api/v1/sessions/{session.pk}/"

    retitled = organiser.patch(path, {"title": {"en": "New title"}}, format="json")
    moved = organiser.patch(
        path,
        {"start": "2027-05-20T14:00:00+02:00", "end": "2027-05-20T15:00:00+02:00"},
        format="json",
    )

    assert retitled.status_code == 200, retitled.content
    assert retitled.json()["title"] == {"fr": session.title_fr, "en": "New title"}
    assert retitled.json()["sequence"] == 0
    assert moved.status_code == 200
    assert (moved.json()["start"], moved.json()["sequence"]) == ("2027-05-20T14:00:00+02:00", 1)


@pytest.mark.parametrize(
    "change",
    [{"status": "cancelled"}, {"end": "2027-05-20T17:00:00+02:00"}, {"room": "other"}],
)
def test_cancelling_or_changing_the_room_or_end_raises_the_sequence(organiser, colloquium, change):
    session = SessionFactory(event=colloquium)
    if change.get("room") == "other":
        change = {"room": RoomFactory(event=colloquium).pk}

    response = organiser.patch(f"/api/v1/sessions/{session.pk}/", change, format="json")

    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert session.sequence == 1


def test_a_session_cannot_move_to_another_event(organiser, colloquium):
    session = SessionFactory(event=colloquium)
    other = EventFactory(organisation=colloquium.organisation)

    response = organiser.patch(
        f"/api/v1/sessions/{session.pk}/", {"event": other.slug}, format="json"
    )

    assert response.status_code == 200
    session.refresh_from_db()
    assert session.event == colloquium


def test_replacing_a_sessions_speakers(organiser, colloquium):
    session = SessionFactory(event=colloquium)
    first, second = (
        SpeakerFactory(organisation=colloquium.organisation),
        SpeakerFactory(organisation=colloquium.organisation),
    )
    SessionSpeaker.objects.create(session=session, speaker=first)

    response = organiser.patch(
        f"/api/v1/sessions/{session.pk}/",
        {"speakers": [{"speaker": second.pk, "role": "moderator"}]},
        format="json",
    )

    assert response.status_code == 200
    assert list(session.session_speakers.values_list("speaker_id", "role")) == [
        (second.pk, "moderator")
    ]


def test_an_organiser_deletes_their_session(organiser, colloquium):
    session = SessionFactory(event=colloquium)

    response = organiser.delete(f"/api/v1/sessions/{session.pk}/")

    assert response.status_code == 204
    assert not Session.objects.filter(pk=session.pk).exists()


def test_an_organiser_cannot_change_or_delete_another_organisations_public_session(organiser):
    other = SessionFactory()
    before = snapshot(other)
    path = f"/api/v1/sessions/{other.pk}/"

    changed = organiser.patch(path, {"title": {"fr": "Piraté"}}, format="json")
    deleted = organiser.delete(path)

    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert snapshot(other) == before


@pytest.mark.parametrize("hidden", ["draft event", "private session"])
def test_another_organisations_hidden_session_is_not_found_on_write(organiser, hidden):
    if hidden == "draft event":
        other = SessionFactory(event=EventFactory(status=Event.Status.DRAFT))
    else:
        other = SessionFactory(is_public=False)
    before = snapshot(other)
    path = f"/api/v1/sessions/{other.pk}/"

    changed = organiser.patch(path, {"start": "2027-05-20T11:00:00+02:00"}, format="json")
    deleted = organiser.delete(path)

    assert (changed.status_code, deleted.status_code) == (404, 404)
    assert snapshot(other) == before


def test_a_speaker_listed_twice_in_the_same_role_is_refused(organiser, colloquium):
    speaker = SpeakerFactory(organisation=colloquium.organisation)
    twice = [{"speaker": speaker.pk, "role": "chair"}, {"speaker": speaker.pk, "role": "chair"}]

    response = organiser.post(
        "/api/v1/sessions/",
        new_session(colloquium, speakers=twice),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {"speakers": ["Each speaker may appear once per role."]}
    assert not Session.objects.exists()


def test_an_api_answer_in_english_links_to_the_english_public_page(organiser, colloquium):
    session = SessionFactory(event=colloquium)

    body = organiser.get(f"/api/v1/sessions/{session.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["url"] == f"http://testserver/en/events/protection-sociale/sessions/{session.pk}/"
