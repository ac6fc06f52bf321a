"""The seat rules of registrations/services.py, told as attendees live them."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from events.models import Event
from registrations import services
from registrations.models import OutgoingEmail, Registration
from tests.factories import TicketTypeFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def details(number: int, **extra) -> services.AttendeeDetails:
    return services.AttendeeDetails(
        first_name="Camille",
        last_name=f"Durand {number}",
        email=f"camille{number}@example.org",
        consent_processing=True,
        **extra,
    )


def register(ticket, number, **extra):
    return services.register_attendee(
        event=ticket.event, ticket_type=ticket, attendee=details(number, **extra)
    )


def test_free_seats_are_confirmed_then_the_waiting_list_takes_over():
    ticket = TicketTypeFactory(capacity=2)

    first, second, third = (register(ticket, n) for n in range(3))

    assert [r.status for r in (first, second, third)] == ["confirmed", "confirmed", "waitlisted"]
    kinds = list(OutgoingEmail.objects.order_by("pk").values_list("kind", "status"))
    assert kinds == [
        ("confirmation", "sent"),
        ("confirmation", "sent"),
        ("waitlisted", "sent"),
    ]
    assert len(mail.outbox) == 3


def test_a_cancellation_offers_the_seat_to_the_first_in_line_who_can_claim_it():
    ticket = TicketTypeFactory(capacity=1)
    holder = register(ticket, 1)
    first_in_line = register(ticket, 2)
    second_in_line = register(ticket, 3)

    services.cancel_registration(registration=holder)

    first_in_line.refresh_from_db()
    second_in_line.refresh_from_db()
    assert first_in_line.status == "offered"
    assert second_in_line.status == "waitlisted"
    claimed = services.claim_offer(registration=first_in_line)
    assert claimed.status == "confirmed"


def test_an_expired_offer_passes_to_the_next_in_line():
    ticket = TicketTypeFactory(capacity=1)
    holder = register(ticket, 1)
    first_in_line = register(ticket, 2)
    second_in_line = register(ticket, 3)
    services.cancel_registration(registration=holder)

    expired = services.expire_offers(now=timezone.now() + timedelta(hours=49))

    assert expired == 1
    first_in_line.refresh_from_db()
    second_in_line.refresh_from_db()
    assert first_in_line.status == "expired"
    assert second_in_line.status == "offered"
    with pytest.raises(services.OfferNotAvailable):
        services.claim_offer(registration=first_in_line)


def test_the_same_email_cannot_take_two_seats_and_is_sent_its_manage_link():
    ticket = TicketTypeFactory()
    first = register(ticket, 1)

    with pytest.raises(services.AlreadyRegistered) as refused:
        register(ticket, 1)

    assert refused.value.registration == first
    assert Registration.objects.count() == 1
    assert OutgoingEmail.objects.filter(kind="already_registered", registration=first).exists()


def test_the_held_seat_counters_follow_every_move_of_a_seat():
    """Capacity checks read counters kept under the seat lock; after registrations,
    cancellations, offers, claims and expiries they equal a fresh count."""
    ticket = TicketTypeFactory(capacity=2)
    people = [register(ticket, n) for n in range(5)]
    services.cancel_registration(registration=people[0])
    services.claim_offer(registration=Registration.objects.get(pk=people[2].pk))
    services.cancel_registration(registration=people[1])
    services.expire_offers(now=timezone.now() + timedelta(hours=49))

    counters = services.seats_taken(ticket.event)

    assert counters == services.recount_seats(event=ticket.event) == {ticket.pk: 2, "total": 2}


def test_a_seat_offered_on_the_events_last_day_is_valid_until_the_event_ends_not_48_hours():
    now = timezone.now()
    # The event's last day: it ends at 18:00 Paris time, in ten hours.
    end = (now + timedelta(hours=10)).astimezone(PARIS).replace(second=0, microsecond=0)
    ticket = TicketTypeFactory(capacity=1, event__start=end - timedelta(days=1), event__end=end)
    holder = register(ticket, 1)
    first_in_line = register(ticket, 2, language="en")
    mail.outbox.clear()

    services.cancel_registration(registration=holder)

    first_in_line.refresh_from_db()
    assert first_in_line.status == "offered"
    assert first_in_line.offer_expires_at == end
    offer = next(m for m in mail.outbox if m.to == ["camille2@example.org"])
    with translation.override("en"):
        deadline = date_format(end, "l j F Y, H:i")
    assert f"Claim it before {deadline} (Europe/Paris)" in offer.body
    assert services.expire_offers(now=end) == 1


def test_no_seat_is_offered_once_the_event_is_over():
    ticket = TicketTypeFactory(capacity=1)
    holder = register(ticket, 1)
    first_in_line = register(ticket, 2)
    now = timezone.now()
    Event.objects.filter(pk=ticket.event_id).update(
        start=now - timedelta(days=2), end=now - timedelta(hours=1)
    )

    services.cancel_registration(registration=Registration.objects.get(pk=holder.pk))

    first_in_line.refresh_from_db()
    assert first_in_line.status == "waitlisted"
    assert first_in_line.offer_expires_at is None


def test_the_waiting_list_email_says_an_offer_lasts_at_most_until_the_event_ends():
    ticket = TicketTypeFactory(capacity=1, event__offer_validity_hours=48)
    register(ticket, 1)
    mail.outbox.clear()

    register(ticket, 2, language="en")

    (waitlisted,) = mail.outbox
    assert "who then has 48 hours to claim it, and at most until the event ends." in " ".join(
        waitlisted.body.split()
    )
