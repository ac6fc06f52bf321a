"""Querysets compiled once and run again with other values (events/compiled_queries.py)."""

import pytest
from django.db.models import Count

from events.compiled_queries import CompiledQuery
from events.models import Event
from tests.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

EVENTS_BY_SLUG = CompiledQuery(
    lambda slug: (
        Event.objects.select_related("venue")
        .annotate(session_count=Count("sessions"))
        .filter(slug=slug)
    ),
    slug=str,
)


def test_each_run_finds_what_the_orm_finds_for_its_own_values():
    first, second = EventFactory(slug="premier"), EventFactory(slug="second", venue=None)
    SessionFactory(event=first)

    for event, sessions in ((first, 1), (second, 0)):
        (found,) = EVENTS_BY_SLUG.instances(slug=event.slug)
        assert found == event
        assert found.start == event.start
        assert found.title == event.title
        assert found.session_count == sessions
        assert found.venue == event.venue


def test_a_value_is_bound_never_written_into_the_sql():
    EventFactory(slug="premier")

    assert EVENTS_BY_SLUG.instances(slug="premier' OR '1'='1") == []
    assert EVENTS_BY_SLUG.instances(slug="%s") == []


def test_a_lookup_that_changes_its_value_is_refused():
    query = CompiledQuery(lambda slug: Event.objects.filter(slug__icontains=slug), slug=str)

    with pytest.raises(ValueError, match="not a parameter"):
        query.instances(slug="premier")


def test_rows_come_as_values_list_gives_them():
    event = EventFactory(slug="premier")
    events = Event.objects.rewrite(False)
    query = CompiledQuery(
        lambda pk: events.filter(pk=pk).values_list("slug", "start", "status"), pk=int
    )

    assert [tuple(row) for row in query.rows(pk=event.pk)] == [
        (event.slug, event.start, event.status)
    ]


def test_values_that_modeltranslation_reorders_are_refused():
    query = CompiledQuery(lambda pk: Event.objects.filter(pk=pk).values_list("slug"), pk=int)

    with pytest.raises(ValueError, match="rewrite"):
        query.rows(pk=1)
