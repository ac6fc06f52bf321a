"""Organisers make, change and revoke their partners' private calendar feeds through the API,
and every event resource lists its own feeds."""

import pytest

from events.models import PartnerFeed
from organisations.models import Membership
from tests.factories import EventFactory, TrackFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

URL = "/api/v1/partner-feeds/"


@pytest.fixture
def colloquium():
    return EventFactory(slug="protection-sociale", status="published")


@pytest.fixture
def organiser(client_for, colloquium):
    return client_for(colloquium.organisation)


def test_an_organiser_creates_a_feed_and_gets_the_address_to_give_the_partner(
    organiser, colloquium
):
    response = organiser.post(
        URL,
        {
            "name": "Caisse des dépôts",
            "events": [colloquium.slug],
            "includes_private_sessions": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    feed = PartnerFeed.objects.get()
    assert body["name"] == "Caisse des dépôts"
    assert body["organisation"] == colloquium.organisation.slug
    assert body["events"] == [colloquium.slug]
    assert body["includes_private_sessions"] is True
    assert body["url"] == f"http://testserver/feeds/{feed.token}/calendar.ics"
    assert body["webcal"] == f"webcal://testserver/feeds/{feed.token}/calendar.ics"
    assert body["revoked_at"] is None
    assert len(feed.token) >= 43  # 256 random bits, URL-safe
    assert feed.created_by == organiser.user


def test_each_feed_has_its_own_random_token(organiser, colloquium):
    tokens = {
        organiser.post(URL, {"name": f"P{n}", "events": [colloquium.slug]}, format="json").json()[
            "url"
        ]
        for n in range(3)
    }

    assert len(tokens) == 3


def test_an_organiser_changes_the_shared_events_and_the_feed_moves_its_validator(
    organiser, colloquium
):
    other = EventFactory(organisation=colloquium.organisation, slug="voeux", status="published")
    feed_id = organiser.post(
        URL, {"name": "Partenaire", "events": [colloquium.slug]}, format="json"
    ).json()["id"]
    before = PartnerFeed.objects.get().changed_at

    response = organiser.patch(f"{URL}{feed_id}/", {"events": [other.slug]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["events"] == ["voeux"]
    assert response.json()["includes_private_sessions"] is False
    assert PartnerFeed.objects.get().changed_at > before


def test_revoking_is_final_and_repeatable(organiser, colloquium):
    feed_id = organiser.post(
        URL, {"name": "Partenaire", "events": [colloquium.slug]}, format="json"
    ).json()["id"]

    first = organiser.post(f"{URL}{feed_id}/revoke/").json()
    again = organiser.post(f"{URL}{feed_id}/revoke/").json()

    assert first["revoked_at"] is not None
    assert again["revoked_at"] == first["revoked_at"]
    assert PartnerFeed.objects.get().is_revoked


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({}, "name", "This field is required."),
        ({"name": "   ", "events": ["protection-sociale"]}, "name", "may not be blank"),
        ({"name": "P", "events": []}, "events", "Choose at least one event."),
        ({"name": "P", "events": ["nowhere"]}, "events", "slug=nowhere does not exist."),
        ({"name": "P", "events": "protection-sociale"}, "events", None),
        ({"name": "x" * 201, "events": ["protection-sociale"]}, "name", None),
        (
            {"name": "P", "events": ["protection-sociale"], "includes_private_sessions": "oui?"},
            "includes_private_sessions",
            None,
        ),
    ],
)  # fmt: skip
def test_bad_input_gets_a_400_naming_the_field_and_saves_nothing(
    organiser, colloquium, payload, field, message
):
    response = organiser.post(URL, payload, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    if message:
        assert message in str(errors[field])
    assert not PartnerFeed.objects.exists()


def test_errors_come_in_french_by_default(organiser, colloquium):
    response = organiser.post(URL, {"name": "P", "events": []}, format="json")

    assert response.status_code == 400
    assert response.json()["events"] == ["Choisissez au moins un événement."]


def test_bad_json_is_a_clear_400(organiser):
    response = organiser.post(URL, b"\xff{", content_type="application/json")

    assert response.status_code == 400
    assert not PartnerFeed.objects.exists()


def test_organisers_see_and_share_only_their_organisations_events(client_for, colloquium):
    elsewhere = EventFactory(slug="ailleurs", status="published")
    theirs = client_for(elsewhere.organisation)
    PartnerFeed.objects.create(organisation=colloquium.organisation, name="Not theirs")

    assert theirs.get(URL).json()["results"] == []
    refused = theirs.post(URL, {"name": "P", "events": [colloquium.slug]}, format="json")
    assert refused.status_code == 400
    assert "events" in refused.json()
    feed = PartnerFeed.objects.get()
    assert theirs.post(f"{URL}{feed.pk}/revoke/").status_code == 404
    assert theirs.patch(f"{URL}{feed.pk}/", {"name": "Mine"}, format="json").status_code == 404
    assert not PartnerFeed.objects.get().is_revoked


def test_one_feed_never_mixes_two_organisations(client_for, colloquium):
    other = EventFactory(slug="ailleurs", status="published")
    both = client_for(colloquium.organisation)
    Membership.objects.create(
        user=both.user, organisation=other.organisation, role=Membership.Role.ORGANISER
    )

    response = both.post(URL, {"name": "P", "events": [colloquium.slug, other.slug]}, format="json")

    assert response.status_code == 400
    assert "events" in response.json()
    assert not PartnerFeed.objects.exists()


def test_door_staff_and_the_public_may_not_manage_feeds(client_for, anonymous, colloquium):
    door = client_for(colloquium.organisation, role=Membership.Role.DOOR_STAFF)

    assert door.get(URL).status_code == 403
    assert anonymous.get(URL).status_code in (401, 403)
    assert (
        door.post(URL, {"name": "P", "events": [colloquium.slug]}, format="json").status_code == 403
    )


def test_the_feed_list_costs_a_fixed_number_of_queries(
    organiser, colloquium, django_assert_max_num_queries
):
    for n in range(15):
        organiser.post(URL, {"name": f"P{n}", "events": [colloquium.slug]}, format="json")

    with django_assert_max_num_queries(6):
        response = organiser.get(URL)

    assert response.json()["count"] == 15


def test_the_event_resource_lists_its_feeds_in_the_requests_language(anonymous):
    event = EventFactory(slug="protection-sociale", status="published")
    TrackFactory(event=event, slug="sante", name_fr="Santé", name_en="Health")

    french = anonymous.get(f"/api/v1/events/{event.slug}/").json()["feeds"]
    english = anonymous.get(f"/api/v1/events/{event.slug}/", HTTP_ACCEPT_LANGUAGE="en").json()[
        "feeds"
    ]

    assert french["programme"] == "http://testserver/events/protection-sociale/calendar.ics"
    assert french["webcal"] == "webcal://testserver/events/protection-sociale/calendar.ics"
    assert french["tracks"] == [
        {
            "slug": "sante",
            "name": "Santé",
            "url": "http://testserver/events/protection-sociale/tracks/sante/calendar.ics",
        }
    ]
    assert english["programme"] == "http://testserver/en/events/protection-sociale/calendar.ics"
    assert english["tracks"][0]["name"] == "Health"


def test_no_feed_token_is_ever_in_the_event_resource(anonymous, colloquium):
    feed = PartnerFeed.objects.create(organisation=colloquium.organisation, name="P")
    feed.events.add(colloquium)

    assert feed.token not in anonymous.get(f"/api/v1/events/{colloquium.slug}/").content.decode()
