"""No API answer hands a secret address to someone not entitled to it: every GET operation of
the OpenAPI schema, for door staff, an organiser of another organisation and an anonymous
caller, on the objects of two organisations (so that an endpoint added later is walked too)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from organisations.models import Membership
from tests.events.admin_world import build_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_organisation("Sciences Po Lyon"), build_organisation("FHF PACA", mark="PACA")


def _every_get_address(lyon, paca):
    values = {
        "slug": [lyon.event.slug, paca.event.slug],
        "id": sorted({obj.pk for obj in [*lyon.objects, *paca.objects]}),
    }
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for template, operations in paths.items():
        if "get" not in operations:
            continue
        names = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "path"]
        if not names:
            yield template
            for checkpoint in (lyon.entrance, paca.entrance):
                yield f"{template}?event={checkpoint.event.slug}&checkpoint={checkpoint.pk}"
            continue
        (name,) = names
        for value in values[name]:
            yield template.replace(f"{{{name}}}", str(value))


@pytest.mark.parametrize("who", ["door_staff", "organiser", "anonymous"])
def test_no_api_answer_gives_a_secret_address_to_the_unentitled(world, who, client_for, anonymous):
    lyon, paca = world
    client = anonymous if who == "anonymous" else client_for(lyon.organisation, role=who)
    forbidden = [
        *lyon.attendee_addresses(),
        *paca.attendee_addresses(),
        paca.feed.token,
        paca.event.slug,
    ]
    if who != Membership.Role.ORGANISER:  # an organiser hands their feed's address on
        forbidden.append(lyon.feed.token)
    if who == "anonymous":  # door staff scan at their own organisation's events
        forbidden.append(lyon.event.slug)
    leaks = []
    for address in _every_get_address(lyon, paca):
        response = client.get(address)
        assert response.status_code < 500, address
        # Bytes, not text: some answers are documents (an invoice's PDF).
        leaks += [(address, secret) for secret in forbidden if secret.encode() in response.content]
    assert leaks == []


def test_an_organiser_gets_their_own_partner_feeds_address(world, client_for):
    lyon, _paca = world
    organiser = client_for(lyon.organisation)

    feeds = organiser.get("/api/v1/partner-feeds/").json()["results"]

    assert [feed["url"] for feed in feeds] == [f"http://testserver{lyon.feed.get_feed_url()}"]
