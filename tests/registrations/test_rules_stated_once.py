"""Rules stated once: the public form, the services, the badges, the attendance and the outbox
read the same statement, so they cannot drift apart. And default orderings that join no other
table."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from checkin.attendance import expected_registrations
from checkin.models import Checkpoint, ScannerDevice
from events.models import Event, PartnerFeed, Room, Session, Track
from registrations import services
from registrations.forms.registration import registration_is_open
from registrations.models import OutgoingEmail, Registration, TicketType
from tests.factories import EventFactory, TicketTypeFactory
from tests.registrations.attendee_steps import register_url
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

CLOSED = "Registration for this event is closed."


def ended_event():
    now = timezone.now()
    return EventFactory(start=now - timedelta(days=2), end=now - timedelta(minutes=1))


def test_the_form_and_the_service_refuse_an_ended_event_with_the_same_words(client):
    ticket = TicketTypeFactory(event=ended_event())

    page = html.unescape(client.get(register_url(ticket.event, "en")).content.decode())
    with pytest.raises(services.RegistrationClosed) as refusal:
        services.check_ticket_on_sale(event=ticket.event, ticket_type=ticket, public=True)

    assert not registration_is_open(ticket.event)
    assert CLOSED in page
    with translation.override("en"):
        assert str(refusal.value.message) == gettext(CLOSED)


@pytest.mark.parametrize(
    ("status", "ends_in", "is_open"),
    [
        (Event.Status.PUBLISHED, timedelta(hours=1), True),
        (Event.Status.PUBLISHED, timedelta(0), False),
        (Event.Status.DRAFT, timedelta(hours=1), False),
        (Event.Status.CANCELLED, timedelta(hours=1), False),
    ],
)
def test_the_form_and_the_service_agree_on_the_registration_window(status, ends_in, is_open):
    now = timezone.now()
    ticket = TicketTypeFactory(
        event=EventFactory(start=now - timedelta(days=1), end=now + ends_in, status=status)
    )

    try:
        services.check_ticket_on_sale(event=ticket.event, ticket_type=ticket, public=True)
        service_open = True
    except services.RegistrationClosed:
        service_open = False

    assert services.is_registration_open(ticket.event, now=now) is is_open
    assert registration_is_open(ticket.event) is is_open
    assert service_open is is_open


def test_the_people_expected_at_the_door_are_those_given_a_badge():
    event = EventFactory()
    ticket = TicketTypeFactory(event=event)
    for status in Registration.Status:
        RegistrationFactory(ticket_type=ticket, status=status)

    badge_holders = set(services.badge_holders(event=event).values_list("status", flat=True))
    expected = set(expected_registrations(event).values_list("status", flat=True))

    assert badge_holders == expected == {"confirmed", "pending_payment"}


def test_the_outbox_names_its_kinds_and_states_by_their_enums():
    assert all(kind in OutgoingEmail.Kind.values for kind in OutgoingEmail.ORGANISER_KINDS)
    assert {
        OutgoingEmail.Kind(kind): Registration.Status(status)
        for kind, status in OutgoingEmail.QUEUED_FOR.items()
    } == {
        OutgoingEmail.Kind.AWAITING_PAYMENT: Registration.Status.PENDING_PAYMENT,
        OutgoingEmail.Kind.CONFIRMATION: Registration.Status.CONFIRMED,
    }


@pytest.mark.parametrize(
    "model", [TicketType, Checkpoint, ScannerDevice, Room, Track, Session, PartnerFeed]
)
def test_a_default_ordering_reads_only_its_own_table(model):
    query = str(model.objects.all().query)

    assert "ORDER BY" in query
    assert "JOIN" not in query


def test_the_one_seat_per_email_constraint_covers_the_active_statuses():
    """Meta cannot name Registration.ACTIVE (a nested class sees no enclosing names): the
    constraint spells the statuses out, and this holds them to the one set."""
    (constraint,) = [
        constraint
        for constraint in Registration._meta.constraints
        if constraint.name == "registration_one_active_seat_per_email"
    ]
    lookups = dict(child for child in constraint.condition.children if isinstance(child, tuple))

    assert sorted(lookups["status__in"]) == sorted(Registration.ACTIVE)
