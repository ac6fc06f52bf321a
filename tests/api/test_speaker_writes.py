import pytest

from events.models import Event
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(name="FHF PACA")


@pytest.fixture
def organiser(client_for, organisation):
    return client_for(organisation)


def snapshot(speaker):
    speaker.refresh_from_db()
    return (speaker.name, speaker.slug, speaker.title_fr, speaker.email)


def test_an_organiser_adds_a_speaker_whose_email_stays_private(organiser, organisation):
    response = organiser.post(
        "/api/v1/speakers/",
        {
            "name": "Jean-Luc Durand",
            "title": {"fr": "Président de la FHF PACA", "en": "President of FHF PACA"},
            "bio": {"fr": "Médecin."},
            "email": "jl.durand@example.org",
            "photo_consent": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    speaker = Speaker.objects.get()
    assert (speaker.organisation, speaker.slug, speaker.email, speaker.title_en) == (
        organisation,
        "jean-luc-durand",
        "jl.durand@example.org",
        "President of FHF PACA",
    )
    assert response.json() == {
        "id": speaker.pk,
        "name": "Jean-Luc Durand",
        "slug": "jean-luc-durand",
        "title": {"fr": "Président de la FHF PACA", "en": "President of FHF PACA"},
        "affiliation": "",
        "bio": {"fr": "Médecin.", "en": ""},
        "photo": None,
        "thumbnail": None,
        "links": [],
        "sessions": [],
    }


def test_a_second_speaker_of_the_same_name_gets_a_free_slug(organiser, organisation):
    SpeakerFactory(organisation=organisation, name="Anne Roux", slug="anne-roux")

    response = organiser.post("/api/v1/speakers/", {"name": "Anne Roux"}, format="json")

    assert response.status_code == 201
    assert response.json()["slug"] == "anne-roux-2"


def test_a_slug_already_taken_in_the_organisation_is_refused_in_english(organiser, organisation):
    SpeakerFactory(organisation=organisation, slug="anne-roux")

    response = organiser.post(
        "/api/v1/speakers/",
        {"name": "Anne Roux", "slug": "anne-roux"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "slug": ["Another speaker of this organisation already has this identifier."]
    }


def test_speaker_validation_speaks_french_by_default(organiser):
    response = organiser.post(
        "/api/v1/speakers/", {"name": "", "website": "pas une adresse"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "name": ["Ce champ ne peut être vide."],
        "website": ["Saisissez une URL valide."],
    }


def test_an_organiser_of_several_organisations_must_say_which_one(organiser, organisation):
    MembershipFactory(user=organiser.user, organisation=OrganisationFactory())

    response = organiser.post(
        "/api/v1/speakers/", {"name": "Anne Roux"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    chosen = organiser.post(
        "/api/v1/speakers/",
        {"name": "Anne Roux", "organisation": organisation.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"organisation": ["This field is required."]}
    assert chosen.status_code == 201
    assert Speaker.objects.get().organisation == organisation


def test_an_organiser_cannot_add_a_speaker_to_another_organisation(organiser):
    other = OrganisationFactory()

    response = organiser.post(
        "/api/v1/speakers/", {"name": "Intrus", "organisation": other.pk}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["organisation"]
    assert not Speaker.objects.exists()


def test_an_anonymous_visitor_cannot_add_a_speaker(anonymous):
    response = anonymous.post("/api/v1/speakers/", {"name": "Anne Roux"}, format="json")

    assert response.status_code == 401
    assert not Speaker.objects.exists()


def test_an_organiser_changes_and_deletes_their_speaker(organiser, organisation):
    speaker = SpeakerFactory(organisation=organisation)

    changed = organiser.patch(
        f"/api/v1/speakers/{speaker.pk}/",
        {"bio": {"en": "Physician."}, "affiliation": "AP-HM"},
        format="json",
    )
    deleted = organiser.delete(f"/api/v1/speakers/{speaker.pk}/")

    assert changed.status_code == 200, changed.content
    assert (changed.json()["bio"], changed.json()["affiliation"]) == (
        {"fr": "", "en": "Physician."},
        "AP-HM",
    )
    assert deleted.status_code == 204
    assert not Speaker.objects.exists()


def test_an_organiser_cannot_change_or_delete_another_organisations_public_speaker(organiser):
    other = SessionSpeakerFactory().speaker
    before = snapshot(other)

    changed = organiser.patch(f"/api/v1/speakers/{other.pk}/", {"name": "X"}, format="json")
    deleted = organiser.delete(f"/api/v1/speakers/{other.pk}/")

    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert snapshot(other) == before


def test_another_organisations_unpublished_speaker_is_not_found_on_write(organiser):
    other = SessionSpeakerFactory(session__event=EventFactory(status=Event.Status.DRAFT)).speaker
    before = snapshot(other)

    changed = organiser.patch(f"/api/v1/speakers/{other.pk}/", {"name": "X"}, format="json")
    deleted = organiser.delete(f"/api/v1/speakers/{other.pk}/")

    assert (changed.status_code, deleted.status_code) == (404, 404)
    assert snapshot(other) == before


def test_a_slug_taken_concurrently_is_refused_by_the_database_with_a_400(
    organiser, organisation, monkeypatch
):
    # As if another request took the slug between the check and the save: only the
    # database's unique constraint sees it.
    SpeakerFactory(organisation=organisation, slug="anne-roux")
    monkeypatch.setattr("speakers.services._slug_taken", lambda speaker: False)

    response = organiser.post(
        "/api/v1/speakers/",
        {"name": "Anne Roux", "slug": "anne-roux"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "slug": ["Another speaker of this organisation already has this identifier."]
    }
    assert Speaker.objects.count() == 1
