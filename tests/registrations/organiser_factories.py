"""Registrations and outbox rows made directly, for the organisers' lists (admin, API, export)
where hundreds of rows are needed; the seat rules themselves are exercised through services."""

import factory
from django.utils import timezone

from registrations import services
from registrations.models import OutgoingEmail, Registration
from tests.factories import TicketTypeFactory


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    ticket_type = factory.SubFactory(TicketTypeFactory)
    event = factory.SelfAttribute("ticket_type.event")
    status = Registration.Status.CONFIRMED
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Durand {n}")
    email = factory.Sequence(lambda n: f"attendee{n}@example.org")
    organisation = "Sciences Po Lyon"
    consent_processing_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # Rows made here bypass the services: bring the held-seat counters in line.
        if create and instance.holds_seat:
            services.recount_seats(event=instance.event)


class OutgoingEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingEmail

    kind = OutgoingEmail.Kind.CONFIRMATION
    registration = factory.SubFactory(RegistrationFactory)
    status = OutgoingEmail.Status.QUEUED
