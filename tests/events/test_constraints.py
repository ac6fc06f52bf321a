from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.models import Event, Session
from tests.factories import PARIS, EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_a_session_ending_before_it_starts_is_refused_by_the_database():
    session = SessionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(end=session.start - timedelta(minutes=1))


def test_an_event_ending_before_it_starts_is_refused_by_the_database():
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(end=event.start)


def test_event_slugs_are_unique():
    EventFactory(slug="protection-sociale")
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(slug="protection-sociale")


def test_the_database_refuses_a_session_outside_its_event():
    event = EventFactory()
    with pytest.raises(IntegrityError, match="session_within_event"), transaction.atomic():
        SessionFactory(event=event, start=event.end, end=event.end + timedelta(hours=1))


def test_the_database_refuses_moving_a_session_outside_its_event():
    session = SessionFactory()
    with pytest.raises(IntegrityError, match="session_within_event"), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(start=session.event.start - timedelta(hours=2))


def test_the_database_refuses_shrinking_an_event_around_its_sessions():
    session = SessionFactory()
    with pytest.raises(IntegrityError, match="session_within_event"), transaction.atomic():
        Event.objects.filter(pk=session.event.pk).update(start=session.start + timedelta(minutes=5))


def test_validation_explains_a_session_outside_its_event_in_french():
    event = EventFactory()
    session = Session(
        event=event,
        title_fr="Hors cadre",
        start=datetime(2027, 5, 22, 9, 0, tzinfo=PARIS),
        end=datetime(2027, 5, 22, 10, 0, tzinfo=PARIS),
    )
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert error.value.message_dict["start"] == [
        "La session doit se tenir pendant l’événement (du 20/05/2027 08:30 au 21/05/2027 18:00)."
    ]
