"""Organisers make partner feeds in the back office, copy the address, and revoke them."""

import html

import pytest
from django.urls import reverse

from events.models import PartnerFeed
from tests.events.admin_forms import admin_form_data
from tests.factories import EventFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:events_partnerfeed_add")
LIST = reverse("admin:events_partnerfeed_changelist")


@pytest.fixture
def colloquium():
    return EventFactory(slug="protection-sociale", status="published")


@pytest.fixture
def organiser(client, colloquium):
    membership = MembershipFactory(organisation=colloquium.organisation)
    membership.user.refresh_from_db()
    client.force_login(membership.user)
    client.user = membership.user
    return client


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_an_organiser_creates_a_feed_and_reads_its_address(organiser, colloquium):
    data = admin_form_data(organiser.get(ADD))
    data.update(
        {
            "organisation": str(colloquium.organisation.pk),
            "name": "Caisse des dépôts",
            "events": str(colloquium.pk),
            "includes_private_sessions": "on",
        }
    )

    response = organiser.post(ADD, data)

    assert response.status_code == 302, _page(response)
    feed = PartnerFeed.objects.get()
    assert list(feed.events.all()) == [colloquium]
    assert feed.includes_private_sessions
    assert feed.created_by == organiser.user
    change = _page(organiser.get(reverse("admin:events_partnerfeed_change", args=[feed.pk])))
    assert f"/feeds/{feed.token}/calendar.ics" in change


def test_an_event_of_another_organisation_cannot_be_shared(organiser, colloquium):
    elsewhere = EventFactory(slug="ailleurs")
    data = admin_form_data(organiser.get(ADD))
    data.update(
        {
            "organisation": str(colloquium.organisation.pk),
            "name": "Partenaire",
            "events": str(elsewhere.pk),
        }
    )

    response = organiser.post(ADD, data)

    assert response.status_code == 200
    assert not PartnerFeed.objects.exists()
    assert "events" in response.context["adminform"].form.errors


def test_the_revoke_action_revokes_and_the_address_is_no_longer_shown(organiser, colloquium):
    feed = PartnerFeed.objects.create(organisation=colloquium.organisation, name="Partenaire")

    response = organiser.post(
        LIST, {"action": "revoke_feeds", "_selected_action": [str(feed.pk)]}, follow=True
    )

    feed.refresh_from_db()
    assert feed.is_revoked
    assert "1 flux révoqué." in _page(response)
    change = _page(organiser.get(reverse("admin:events_partnerfeed_change", args=[feed.pk])))
    assert feed.token not in change


def test_organisers_see_only_their_organisations_feeds(organiser, colloquium):
    PartnerFeed.objects.create(organisation=colloquium.organisation, name="Le nôtre")
    PartnerFeed.objects.create(organisation=EventFactory().organisation, name="Pas le nôtre")

    page = _page(organiser.get(LIST))

    assert "Le nôtre" in page
    assert "Pas le nôtre" not in page
