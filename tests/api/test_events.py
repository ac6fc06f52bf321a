from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, Session
from tests.factories import PARIS, EventFactory, OrganisationFactory, SessionFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_anyone_reads_a_published_event_with_both_languages_and_local_times(anonymous):
    organisation = OrganisationFactory(name="Chaire Protection sociale et territoires")
    event = EventFactory(
        organisation=organisation,
        venue=VenueFactory(organisation=organisation),
        slug="protection-sociale",
        title_fr="Protection sociale et territoires",
        title_en="Social protection and territories",
        subtitle_fr="Colloque",
        description_fr="Deux journées d'échanges.",
        description_en="Two days of discussion.",
        start=datetime(2027, 5, 20, 8, 30, tzinfo=PARIS),
        end=datetime(2027, 5, 21, 18, 0, tzinfo=PARIS),
    )

    response = anonymous.get(f"/api/v1/events/{event.slug}/")

    assert response.status_code == 200
    assert response.json() == {
        "slug": "protection-sociale",
        "kind": "colloquium",
        "title": {
            "fr": "Protection sociale et territoires",
            "en": "Social protection and territories",
        },
        "subtitle": {"fr": "Colloque", "en": ""},
        "description": {"fr": "Deux journées d'échanges.", "en": "Two days of discussion."},
        "venue": {
            "name": "Sciences Po Lyon",
            "address": "Sciences Po Lyon, 14 avenue Berthelot, 69007 Lyon",
            "city": "Lyon",
        },
        "time_zone": "Europe/Paris",
        "start": "2027-05-20T08:30:00+02:00",
        "end": "2027-05-21T18:00:00+02:00",
        "access": "public",
        "status": "published",
        "url": "http://testserver/events/protection-sociale/",
        "organisation": "Chaire Protection sociale et territoires",
        "feeds": {
            "programme": "http://testserver/events/protection-sociale/calendar.ics",
            "webcal": "webcal://testserver/events/protection-sociale/calendar.ics",
            "tracks": [],
        },
    }


def test_a_winter_event_is_given_with_the_winter_offset(anonymous):
    event = EventFactory(
        start=datetime(2026, 1, 16, 18, 0, tzinfo=PARIS),
        end=datetime(2026, 1, 16, 21, 0, tzinfo=PARIS),
        venue=None,
    )

    body = anonymous.get(f"/api/v1/events/{event.slug}/").json()

    assert (body["start"], body["end"], body["venue"]) == (
        "2026-01-16T18:00:00+01:00",
        "2026-01-16T21:00:00+01:00",
        None,
    )


def test_the_public_lists_published_and_cancelled_events_but_no_draft(anonymous):
    published = EventFactory(status=Event.Status.PUBLISHED)
    cancelled = EventFactory(status=Event.Status.CANCELLED)
    draft = EventFactory(status=Event.Status.DRAFT)

    body = anonymous.get("/api/v1/events/").json()

    assert [item["slug"] for item in body["results"]] == [published.slug, cancelled.slug]
    assert anonymous.get(f"/api/v1/events/{draft.slug}/").status_code == 404


def test_an_organiser_sees_their_own_drafts_but_not_another_organisations(client_for):
    mine = EventFactory(status=Event.Status.DRAFT)
    theirs = EventFactory(status=Event.Status.DRAFT)
    client = client_for(mine.organisation)

    body = client.get("/api/v1/events/").json()

    assert [item["slug"] for item in body["results"]] == [mine.slug]
    assert client.get(f"/api/v1/events/{mine.slug}/").json()["status"] == "draft"
    assert client.get(f"/api/v1/events/{theirs.slug}/").status_code == 404


def test_door_staff_do_not_see_drafts(client_for):
    draft = EventFactory(status=Event.Status.DRAFT)
    client = client_for(draft.organisation, role="door_staff")

    assert client.get("/api/v1/events/").json()["count"] == 0


def test_events_are_paginated_with_a_page_size_parameter(anonymous):
    events = [EventFactory() for _ in range(5)]

    first = anonymous.get("/api/v1/events/", {"page_size": 2}).json()
    last = anonymous.get("/api/v1/events/", {"page_size": 2, "page": 3}).json()

    assert first["count"] == 5
    assert [item["slug"] for item in first["results"]] == [events[0].slug, events[1].slug]
    assert first["next"] == "http://testserver/api/v1/events/?page=2&page_size=2"
    assert [item["slug"] for item in last["results"]] == [events[4].slug]
    assert last["next"] is None


def test_a_page_past_the_end_is_a_json_404(anonymous):
    EventFactory()

    response = anonymous.get("/api/v1/events/", {"page": 7})

    assert response.status_code == 404
    assert response.json() == {"detail": "Page non valide."}


def add_events_with_sessions(organisation, count):
    for _ in range(count):
        SessionFactory(event=EventFactory(organisation=organisation))


@pytest.mark.parametrize("who", ["anonymous", "organiser"])
def test_the_event_list_costs_as_many_queries_for_200_as_for_10(anonymous, client_for, who):
    organisation = OrganisationFactory()
    client = anonymous if who == "anonymous" else client_for(organisation)

    def count_queries(expected_results):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/events/", {"page_size": 200})
        assert len(response.json()["results"]) == expected_results
        return len(queries)

    add_events_with_sessions(organisation, 10)
    with_10 = count_queries(10)
    add_events_with_sessions(organisation, 190)
    with_200 = count_queries(200)

    assert with_200 == with_10
    assert Session.objects.count() == 200
