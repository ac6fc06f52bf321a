"""Checkpoints and door scans made directly, for the attendance pages and certificates: the
scan rules themselves are exercised through checkin.services."""

import uuid

import factory

from checkin.models import CheckIn, Checkpoint, attendance_day
from tests.factories import EventFactory


class CheckpointFactory(factory.django.DjangoModelFactory):
    """The event's entrance unless a session is given."""

    class Meta:
        model = Checkpoint

    event = factory.SubFactory(EventFactory)
    session = None
    name_fr = factory.LazyAttribute(lambda c: c.session.title_fr if c.session else "Entrée")
    name_en = factory.LazyAttribute(lambda c: c.session.title_en if c.session else "Entrance")


class CheckInFactory(factory.django.DjangoModelFactory):
    """An admitting entry scan at the registration's event entrance, online, unless told."""

    class Meta:
        model = CheckIn

    registration = None
    event = factory.LazyAttribute(
        lambda c: c.registration.event if c.registration else c.checkpoint.event
    )
    checkpoint = factory.LazyAttribute(lambda c: _entrance(c.registration.event))
    gate = "Entrée nord"
    direction = CheckIn.Direction.ENTRY
    result = CheckIn.Result.OK
    is_first_entry = False
    scanned_at = factory.LazyAttribute(lambda c: c.registration.event.start)
    attendance_day = factory.LazyAttribute(lambda c: attendance_day(c.scanned_at, c.event.zone))
    nonce = factory.LazyFunction(lambda: uuid.uuid4().hex)
    is_offline = False
    client_result = ""


def _entrance(event) -> Checkpoint:
    checkpoint = Checkpoint.objects.filter(event=event, session__isnull=True).first()
    return checkpoint or CheckpointFactory(event=event)
