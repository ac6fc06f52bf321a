"""After a card payment: the receipt, the email when an unpaid hold lapses, and the refund
of a cancelled paid registration, through the stripe library and the FakeStripe server."""

from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from payments import services as payments
from payments.models import Payment
from registrations import services
from registrations.models import Registration
from tests.factories import MembershipFactory, api_key_for
from tests.payments.stripe_fake import WEBHOOK_SECRET, FakeStripe
from tests.payments.test_payments_stripe import (
    deliver,
    details,
    paid_ticket,
    register_and_checkout,
)
from tests.registrations.attendee_steps import html_part, page_text


def fr(msgid: str, **values) -> str:
    """A new interface string in French, as the translation catalogue gives it."""
    with translation.override("fr"):
        text = gettext(msgid)
    return text % values if values else text


@pytest.fixture
def stripe_server(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_colloque"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.PAYMENT_HOLD_MINUTES = 30
    fake = FakeStripe()
    monkeypatch.setattr(stripe, "default_http_client", fake)
    # The library waits between its retries at least INITIAL_DELAY, at most MAX_DELAY.
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0)
    return fake


def paid_registration(client, stripe_server, **ticket_fields) -> Payment:
    payment = register_and_checkout(paid_ticket(**ticket_fields))
    deliver(client, "checkout.session.completed", stripe_server.pay(payment.stripe_session_id))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    mail.outbox.clear()
    return payment


def cancel_from_the_attendee_page(client, registration):
    return client.post(
        registration.get_personal_url(), {"action": "cancel", "confirm": "yes"}, follow=True
    )


# --- Refunds --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cancelling_in_time_refunds_the_card_payment_once_through_stripe(client, stripe_server):
    payment = paid_registration(client, stripe_server, refundable_until_days=14)
    registration = payment.registration

    page = page_text(cancel_from_the_attendee_page(client, registration))

    registration.refresh_from_db()
    payment.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    [call] = stripe_server.refund_calls()
    assert call.method == "post"
    assert call.headers["Idempotency-Key"] == f"refund-{payment.pk}"
    assert call.headers["Authorization"] == "Bearer sk_test_colloque"
    assert call.params["payment_intent"] == f"pi_{payment.stripe_session_id}"
    assert (payment.status, payment.amount_refunded, payment.flag) == (
        "refunded",
        Decimal("80.00"),
        "",
    )
    assert payment.stripe_refund_id == next(iter(stripe_server.refunds))
    assert payment.refunded_at is not None
    assert f"<dt>{fr('Refunded')}</dt>" in page
    assert "80,00 EUR" in page


@pytest.mark.django_db
def test_stripes_refund_webhook_after_the_refund_does_not_count_it_twice(client, stripe_server):
    payment = paid_registration(client, stripe_server, refundable_until_days=14)
    services.cancel_registration(registration=payment.registration)
    charge = {
        "id": "ch_test_1",
        "object": "charge",
        "payment_intent": f"pi_{payment.stripe_session_id}",
        "amount": 8000,
        "amount_refunded": 8000,
        "currency": "eur",
        "refunded": True,
    }

    first = deliver(client, "charge.refunded", charge)
    second = deliver(client, "charge.refunded", charge)
    services.cancel_registration(registration=payment.registration)  # cancelling again

    assert [first.json()["outcome"], second.json()["outcome"]] == ["refund recorded"] * 2
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("refunded", Decimal("80.00"))
    assert len(stripe_server.refund_calls()) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ticket_fields",
    [
        {"refundable_until_days": None},  # the ticket is never refunded
        {"refundable_until_days": 10_000},  # the refund deadline has passed
    ],
)
def test_a_cancellation_the_policy_does_not_refund_calls_no_refund(
    client, stripe_server, ticket_fields
):
    payment = paid_registration(client, stripe_server, **ticket_fields)

    page = page_text(cancel_from_the_attendee_page(client, payment.registration))

    payment.refresh_from_db()
    assert payment.registration.status == Registration.Status.CANCELLED
    assert stripe_server.refund_calls() == []
    assert (payment.status, payment.amount_refunded, payment.flag) == (
        "paid",
        Decimal("0.00"),
        "",
    )
    assert fr("No refund under the conditions of this ticket.") in page


@pytest.mark.django_db
def test_the_refund_policy_counts_days_before_the_event_starts(stripe_server):
    ticket = paid_ticket(refundable_until_days=7)
    registration = Registration(event=ticket.event, ticket_type=ticket)
    deadline = ticket.event.start - timedelta(days=7)

    assert payments.refund_allowed(registration, now=deadline) is True
    assert payments.refund_allowed(registration, now=deadline + timedelta(seconds=1)) is False


@pytest.mark.django_db
def test_when_stripe_cannot_refund_the_cancellation_stands_and_the_payment_is_flagged(
    client, stripe_server
):
    payment = paid_registration(client, stripe_server, refundable_until_days=14)
    stripe_server.fail_next = 10  # the library's retries fail too

    page = page_text(cancel_from_the_attendee_page(client, payment.registration))

    payment.refresh_from_db()
    assert payment.registration.status == Registration.Status.CANCELLED
    assert (payment.status, payment.flag) == ("paid", "refund_due")
    assert "the automatic refund failed" in payment.flag_note
    keys = {call.headers["Idempotency-Key"] for call in stripe_server.refund_calls()}
    assert keys == {f"refund-{payment.pk}"}
    assert "Votre inscription est annulée." in page
    assert fr("Due: the organisers have been told and will refund you.") in page


@pytest.mark.django_db
def test_the_api_cancel_action_refunds_through_the_same_rule(stripe_server, client):
    payment = paid_registration(client, stripe_server, refundable_until_days=14)
    membership = MembershipFactory(organisation=payment.registration.event.organisation)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(membership.user)}")

    response = api.post(f"/api/v1/registrations/{payment.registration.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert len(stripe_server.refund_calls()) == 1


@pytest.mark.django_db
def test_the_admin_cancel_action_refunds_through_the_same_rule(stripe_server, client):
    payment = paid_registration(client, stripe_server, refundable_until_days=14)
    membership = MembershipFactory(organisation=payment.registration.event.organisation)
    membership.user.refresh_from_db()
    client.force_login(membership.user)

    client.post(
        reverse("admin:registrations_registration_changelist"),
        {"action": "cancel_registrations", "_selected_action": [str(payment.registration.pk)]},
    )

    payment.refresh_from_db()
    assert payment.registration.status == Registration.Status.CANCELLED
    assert payment.status == Payment.Status.REFUNDED
    assert len(stripe_server.refund_calls()) == 1


# --- Receipts -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            lambda: [
                fr("Payment receipt: %(title)s", title="Protection sociale et territoires"),
                f"{fr('Amount paid:')} 80,00 EUR",
                f"{fr('Payment method:')} {fr('bank card')}",
                f"{fr('Received by:')} Chaire Protection sociale et territoires",
            ],
        ),
        (
            "en",
            lambda: [
                "Payment receipt: Social protection and territories",
                "Amount paid: 80.00 EUR",
                "Payment method: bank card",
                "Received by: Chaire Protection sociale et territoires",
            ],
        ),
    ],
)
def test_a_confirmed_card_payment_sends_one_receipt_in_the_attendees_language(
    client, stripe_server, language, expected
):

    ticket = paid_ticket()
    registration = services.register_attendee(
        event=ticket.event, ticket_type=ticket, attendee=details(1, language)
    )
    payment = payments.start_checkout(registration=registration)
    session = stripe_server.pay(payment.stripe_session_id)
    mail.outbox.clear()

    deliver(client, "checkout.session.completed", session)
    deliver(client, "checkout.session.completed", session)  # a second event, same session

    payment.refresh_from_db()
    receipts = [m for m in mail.outbox if not m.attachments]
    [receipt] = receipts
    assert receipt.to == ["camille1@example.org"]
    subject, *lines = expected()
    assert receipt.subject == subject
    for line in lines:
        assert line in receipt.body
    reference = f"pi_{payment.stripe_session_id}"
    assert reference in receipt.body
    assert reference in html_part(receipt)
    local_paid_at = timezone.localtime(payment.paid_at, ticket.event.zone)
    assert str(local_paid_at.year) in receipt.body
    assert f"{local_paid_at:%H:%M}" in receipt.body


@pytest.mark.django_db
def test_the_attendee_page_shows_what_was_paid_when_and_how(client, stripe_server):
    payment = paid_registration(client, stripe_server)

    page = page_text(client.get(payment.registration.get_personal_url()))

    assert fr("My payment") in page
    assert "80,00 EUR" in page
    assert fr("bank card") in page
    assert f"pi_{payment.stripe_session_id}" in page


# --- An unpaid hold that lapses -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("event_type", "sentence"),
    [
        (
            "checkout.session.expired",
            "We did not receive your payment for “%(title)s” in time: the seat held for you "
            "has been released.",
        ),
        (
            "checkout.session.async_payment_failed",
            "Your card payment for “%(title)s” did not go through: the seat held for you has "
            "been released.",
        ),
    ],
)
def test_an_unpaid_hold_that_lapses_tells_the_attendee_once(
    client, stripe_server, event_type, sentence
):
    payment = register_and_checkout(paid_ticket())
    if event_type == "checkout.session.expired":
        session = stripe_server.expire(payment.stripe_session_id)
    else:
        session = stripe_server.sessions[payment.stripe_session_id]
    mail.outbox.clear()

    deliver(client, event_type, session)
    deliver(client, event_type, session)

    title = "Protection sociale et territoires"
    [message] = mail.outbox
    assert message.to == ["camille1@example.org"]
    assert message.subject == fr("Payment not received: %(title)s", title=title)
    assert fr(sentence, title=title) in message.body
    assert fr("Nothing has been charged.") in message.body
    assert "/events/protection-sociale/" in message.body
