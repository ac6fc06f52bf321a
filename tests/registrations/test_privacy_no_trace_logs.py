"""No trace in the logs (issue 13): an attendee's whole path — registering for a paid ticket,
a first delivery refused by the mail server then the confirmation through the outbox, paying
by card through Stripe's signed webhook, the badge, a scan at the door, the data export, an
email change, the erasure — logged at DEBUG on every logger, leaves no record naming them,
their addresses or their organisation: the logs name ids.

`django.db.backends` is left out: it logs SQL with its parameters only when DEBUG=True (or
under a test's query counter), never in production. The loggers the project's LOGGING pins to
a higher level (the Stripe library's, which writes each request's and answer's body, the
payer's email included, at DEBUG, and Stripe's error messages at INFO) stay pinned: that is the
setting under test."""

import json
import logging
import smtplib
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend
from django.db import IntegrityError
from django.utils import timezone
from rest_framework.test import APIClient

from api.errors import exception_handler
from checkin import services as checkin
from checkin.models import CheckIn
from events.models import Event
from payments.models import Payment
from registrations import emails
from registrations.models import OutgoingEmail, Registration
from tests.payments.stripe_fake import WEBHOOK_SECRET, FakeStripe, event, signature
from tests.registrations.attendee_steps import (
    colloquium_ticket,
    form_data,
    link_in,
    register_url,
    sent_to,
)

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Séraphine",
    "last_name": "Quillembois",
    "email": "s.quillembois@example.org",
    "organisation": "Atelier Zéphyrin",
    "job_title": "Cartographe des marges",
}
NEW_EMAIL = "seraphine.q@example.net"
# Loggers that log SQL parameters, and only with DEBUG=True.
NOT_WATCHED = ("django.db.backends",)


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_colloque"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_colloque"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripe()
    monkeypatch.setattr(stripe, "default_http_client", fake)
    return fake


@pytest.fixture
def every_logger_at_debug(caplog):
    """The root and every logger at DEBUG, but those LOGGING pins and NOT_WATCHED."""
    pinned = set(settings.LOGGING.get("loggers", {}))
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        if name in pinned or name.startswith(NOT_WATCHED):
            continue
        if isinstance(logging.getLogger(name), logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def refused_once(monkeypatch):
    """The mail server refuses the first message, naming its recipient as servers do."""
    original = EmailBackend.send_messages
    calls = []

    def send_messages(self, messages):
        calls.append(messages)
        if len(calls) == 1:
            address = messages[0].to[0]
            raise smtplib.SMTPRecipientsRefused(
                {address: (550, f"5.1.1 <{address}>: mailbox unavailable".encode())}
            )
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


def test_the_attendees_whole_path_logs_no_name_address_nor_organisation(
    client, fake_stripe, every_logger_at_debug, monkeypatch
):
    caplog = every_logger_at_debug
    ticket = colloquium_ticket(price=Decimal("80.00"), name_fr="Plein tarif")
    refused_once(monkeypatch)

    # Registers and pays by card: Stripe's checkout, then its signed webhook.
    response = client.post(register_url(ticket.event), form_data(ticket, **PERSON))
    assert response.status_code == 302
    payment = Payment.objects.get()
    registration = payment.registration
    session = fake_stripe.pay(payment.stripe_session_id)
    payload = event("checkout.session.completed", dict(session))
    webhook = client.post(
        "/payments/stripe/webhook/",
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature(payload)},
    )
    assert webhook.json()["outcome"] == "confirmed"
    # The first email was refused by the mail server; the outbox worker tries again.
    refused = OutgoingEmail.objects.get(attempts=1, status=OutgoingEmail.Status.QUEUED)
    assert "mailbox unavailable" in refused.last_error
    emails.queue_again([refused.pk])
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() >= 2
    assert sent_to(PERSON["email"])

    # The badge, a scan at the door (the event under way), the data export.
    assert client.get(f"/r/{registration.manage_token}/badge.png").status_code == 200
    now = timezone.now()
    Event.objects.filter(pk=ticket.event_id).update(
        start=now - timedelta(hours=1), end=now + timedelta(hours=8)
    )
    registration.refresh_from_db()
    _device, token = checkin.create_scanner_device(event=ticket.event, name="Entrée nord")
    door = APIClient()
    door.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    scanned = door.post(
        "/api/v1/checkin/",
        {"token": registration.badge_token, "nonce": uuid.uuid4().hex},
        format="json",
    )
    assert scanned.json()["result"] == "ok"
    assert CheckIn.objects.filter(registration=registration).exists()
    assert client.get(f"/r/{registration.manage_token}/my-data.json").status_code == 200

    # An email change, confirmed from the new address; then the erasure.
    rights = f"/r/{registration.manage_token}/my-data/"
    client.post(rights, {"action": "email", "email-email": NEW_EMAIL})
    client.post(link_in(sent_to(NEW_EMAIL)[0].body, rights))
    registration.refresh_from_db()
    assert registration.email == NEW_EMAIL
    erased = client.post(rights, {"action": "erase", "confirm": "yes"})
    assert erased.status_code == 302
    assert Registration.objects.get(pk=registration.pk).erased_at is not None

    records = [record for record in caplog.records if not record.name.startswith(NOT_WATCHED)]
    assert any(record.name == "registrations.emails" for record in records)  # the search is real
    values = [*PERSON.values(), NEW_EMAIL, "Séraphine Quillembois"]
    leaks = [
        (record.name, record.getMessage())
        for record in records
        for value in values
        if value.casefold() in f"{record.getMessage()} {record.args!r}".casefold()
    ]
    assert leaks == [], "\n".join(map(repr, leaks))


def test_the_stripe_library_is_kept_from_logging_bodies_whatever_the_log_level():
    # It writes each request's body (customer_email) and each answer's at DEBUG, and Stripe's
    # error messages (which quote what was refused) at INFO.
    assert settings.LOGGING["loggers"]["stripe"]["level"] == "WARNING"
    assert logging.getLogger("stripe").getEffectiveLevel() == logging.WARNING


def test_a_checkout_stripe_refuses_is_logged_without_the_address_it_quotes(
    client, fake_stripe, every_logger_at_debug, monkeypatch
):
    caplog = every_logger_at_debug
    ticket = colloquium_ticket(price=Decimal("80.00"), name_fr="Plein tarif")

    def refuse(method, url, headers, post_data=None, *, _usage=None):
        error = {
            "type": "invalid_request_error",
            "code": "email_invalid",
            "param": "customer_email",
            "message": f"Invalid email address: {PERSON['email']}",
        }
        return json.dumps({"error": error}), 400, {"Request-Id": "req_refused"}

    monkeypatch.setattr(fake_stripe, "request", refuse)

    response = client.post(register_url(ticket.event), form_data(ticket, **PERSON))

    assert response.status_code == 302  # registered; the personal page offers to pay again
    [logged] = [record for record in caplog.records if record.name == "payments.services"]
    assert "failed: InvalidRequestError 400 email_invalid param=customer_email" in (
        logged.getMessage()
    )
    assert PERSON["email"] not in " ".join(record.getMessage() for record in caplog.records)


def test_a_refused_api_write_logs_the_constraint_not_the_row(caplog):
    # PostgreSQL's message: the constraint, then a DETAIL quoting the row's values.
    refused = IntegrityError(
        'duplicate key value violates unique constraint "one_registration_per_email"\n'
        f"DETAIL:  Key (event_id, email)=(3, {PERSON['email']}) already exists."
    )

    response = exception_handler(refused, {})

    assert response.status_code == 400
    [logged] = [record for record in caplog.records if record.name == "api.errors"]
    assert logged.getMessage() == (
        "Write refused by the database: duplicate key value violates unique constraint "
        '"one_registration_per_email"'
    )
