"""Paying for a ticket by card through Stripe Checkout, and Stripe's webhooks.

The stripe library runs for real: its HTTP client is replaced by `FakeStripe`, which records
each request and plays Stripe's side, and webhooks are signed with the library's own helper
and posted to /payments/stripe/webhook/.
"""

import json
import time
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import stripe
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext as _

from payments import services as payments
from payments.models import Payment, StripeEvent
from registrations import emails, services
from registrations.models import OutgoingEmail, Registration, SeatCount
from tests.payments.stripe_fake import (
    CHECKOUT_HOST,
    WEBHOOK_SECRET,
    FakeStripe,
    event,
    signature,
)
from tests.registrations.attendee_steps import (
    calendar_attached,
    colloquium_ticket,
    form_data,
    page_text,
    register_url,
)
from tests.registrations.test_concurrency import run_together

WEBHOOK_URL = "/payments/stripe/webhook/"


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_colloque"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_colloque"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.PAYMENT_HOLD_MINUTES = 30
    fake = FakeStripe()
    monkeypatch.setattr(stripe, "default_http_client", fake)
    return fake


def paid_ticket(**fields):
    fields.setdefault("price", Decimal("80.00"))
    fields.setdefault("name_fr", "Plein tarif")
    fields.setdefault("name_en", "Full rate")
    return colloquium_ticket(**fields)


def details(number: int, language: str = "fr") -> services.AttendeeDetails:
    return services.AttendeeDetails(
        first_name="Camille",
        last_name=f"Durand {number}",
        email=f"camille{number}@example.org",
        language=language,
        consent_processing=True,
    )


def register_and_checkout(ticket, number: int = 1) -> Payment:
    registration = services.register_attendee(
        event=ticket.event, ticket_type=ticket, attendee=details(number)
    )
    return payments.start_checkout(registration=registration)


def deliver(client, event_type: str, session: dict, *, event_id=None, timestamp=None):
    payload = event(event_type, dict(session), event_id=event_id)
    return client.post(
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature(payload, timestamp=timestamp)},
    )


def state_of(payment: Payment) -> tuple:
    payment.refresh_from_db()
    registration = payment.registration
    registration.refresh_from_db()
    return (registration.status, payment.status, payment.flag)


def held(ticket) -> int:
    return SeatCount.objects.get(ticket_type=ticket).held


def confirmations_sent(registration) -> int:
    return sum(
        1 for message in mail.outbox if message.to == [registration.email] and message.attachments
    )


# --- Starting a checkout --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_paid_registration_goes_to_stripe_checkout_at_the_servers_price(client, fake_stripe):
    ticket = paid_ticket()
    before = timezone.now()

    response = client.post(
        register_url(ticket.event, "en"),
        form_data(ticket, price="1.00", amount="100", currency="usd"),
    )

    registration = Registration.objects.get()
    payment = Payment.objects.get()
    assert registration.status == Registration.Status.PENDING_PAYMENT
    assert held(ticket) == 1
    assert response.status_code == 302
    assert response["Location"] == f"{CHECKOUT_HOST}/c/pay/{payment.stripe_session_id}"
    assert payment.checkout_url == response["Location"]
    assert (payment.amount, payment.currency, payment.status) == (
        Decimal("80.00"),
        "EUR",
        Payment.Status.CREATED,
    )
    [call] = fake_stripe.checkout_calls()
    assert call.method == "post"
    assert call.headers["Idempotency-Key"] == f"checkout-{payment.pk}"
    assert call.headers["Authorization"] == "Bearer sk_test_colloque"
    params = call.params
    assert params["mode"] == "payment"
    assert params["line_items[0][price_data][unit_amount]"] == "8000"
    assert params["line_items[0][price_data][currency]"] == "eur"
    assert params["line_items[0][quantity]"] == "1"
    assert params["customer_email"] == "camille.durand@example.org"
    assert params["locale"] == "en"
    assert params["client_reference_id"] == str(registration.pk)
    assert params["metadata[registration_id]"] == str(registration.pk)
    assert params["metadata[payment_id]"] == str(payment.pk)
    expires_at = int(params["expires_at"])
    assert before.timestamp() + 30 * 60 - 1 <= expires_at <= time.time() + 30 * 60 + 1
    token = registration.manage_token
    assert params["success_url"] == (
        f"http://127.0.0.1:8000/en/r/{token}/payment/?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert params["cancel_url"] == f"http://127.0.0.1:8000/en/r/{token}/"


@pytest.mark.django_db
def test_the_return_page_says_the_payment_is_being_confirmed_and_confirms_nothing(
    client, fake_stripe
):
    payment = register_and_checkout(paid_ticket())
    session_id = payment.stripe_session_id
    fake_stripe.pay(session_id)
    token = payment.registration.manage_token

    page = page_text(client.get(f"/en/r/{token}/payment/?session_id={session_id}"))

    assert "Your payment is being confirmed" in page
    assert state_of(payment) == ("pending_payment", "created", "")


@pytest.mark.django_db
def test_stripe_down_keeps_the_seat_held_and_the_attendee_can_pay_later(
    client, fake_stripe, monkeypatch
):
    ticket = paid_ticket()
    # The library waits between its retries at least INITIAL_DELAY, at most MAX_DELAY.
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0)
    fake_stripe.fail_next = 10  # every retry of the library fails too

    response = client.post(register_url(ticket.event, "en"), form_data(ticket), follow=True)

    registration = Registration.objects.get()
    assert registration.status == Registration.Status.PENDING_PAYMENT
    assert "The payment service could not be reached. Your seat is held" in page_text(response)
    assert len(fake_stripe.checkout_calls()) == 3  # the library's own retries, same key
    fake_stripe.fail_next = 0
    retry = client.post(registration.get_personal_url(), {"action": "pay"})
    payment = Payment.objects.get()
    assert retry["Location"] == payment.checkout_url
    keys = {call.headers["Idempotency-Key"] for call in fake_stripe.checkout_calls()}
    assert keys == {f"checkout-{payment.pk}"}


# --- Webhooks -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_completed_webhook_confirms_and_sends_the_confirmation_with_calendar(
    client, fake_stripe
):
    payment = register_and_checkout(paid_ticket())
    registration = payment.registration
    session = fake_stripe.pay(payment.stripe_session_id)
    mail.outbox.clear()

    response = deliver(client, "checkout.session.completed", session)

    assert response.status_code == 200
    assert response.json()["outcome"] == "confirmed"
    assert state_of(payment) == ("confirmed", "paid", "")
    registration.refresh_from_db()
    assert registration.confirmed_at is not None
    assert payment.stripe_payment_intent == f"pi_{payment.stripe_session_id}"
    confirmation, receipt = mail.outbox
    assert confirmation.to == ["camille1@example.org"]
    assert calendar_attached(confirmation) is not None
    assert receipt.subject.startswith(_("Payment receipt: %(title)s") % {"title": ""})
    assert receipt.attachments == []
    retrieve = [call for call in fake_stripe.calls if call.method == "get"]
    assert [call.path for call in retrieve] == [
        f"/v1/checkout/sessions/{payment.stripe_session_id}"
    ]
    page = page_text(client.get(registration.get_personal_url()))
    assert '<span class="status status--confirmed">Confirmée</span>' in page


@pytest.mark.django_db
def test_the_same_event_delivered_five_times_confirms_once_and_sends_one_email(client, fake_stripe):
    payment = register_and_checkout(paid_ticket())
    session = fake_stripe.pay(payment.stripe_session_id)
    mail.outbox.clear()

    answers = [
        deliver(client, "checkout.session.completed", session, event_id="evt_same")
        for _ in range(5)
    ]

    assert [answer.status_code for answer in answers] == [200] * 5
    assert [answer.json()["duplicate"] for answer in answers] == [False] + [True] * 4
    assert state_of(payment) == ("confirmed", "paid", "")
    assert confirmations_sent(payment.registration) == 1
    assert len(mail.outbox) == 2  # the confirmation and the payment receipt
    assert StripeEvent.objects.filter(pk="evt_same").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_for_several_connections")
def test_the_same_event_delivered_five_times_at_once_confirms_once(fake_stripe):

    payment = register_and_checkout(paid_ticket())
    session = fake_stripe.pay(payment.stripe_session_id)
    mail.outbox.clear()

    answers = run_together(
        5,
        lambda index: (
            deliver(
                Client(), "checkout.session.completed", session, event_id="evt_at_once"
            ).status_code
        ),
    )

    assert answers == [200] * 5
    assert state_of(payment) == ("confirmed", "paid", "")
    assert confirmations_sent(payment.registration) == 1
    assert sorted(
        OutgoingEmail.objects.filter(registration=payment.registration).values_list(
            "kind", flat=True
        )
    ) == ["awaiting_payment", "confirmation", "payment_receipt"]
    assert StripeEvent.objects.count() == 1
    assert held(payment.registration.ticket_type) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "story",
    ["completed then expired", "expired then completed", "expiry acted on, then completed"],
)
def test_completed_and_expired_in_either_order_end_in_the_same_state(client, fake_stripe, story):
    payment = register_and_checkout(paid_ticket(capacity=5))
    session_id = payment.stripe_session_id
    if story == "completed then expired":
        outcomes = [
            deliver(client, "checkout.session.completed", fake_stripe.pay(session_id)),
            deliver(client, "checkout.session.expired", fake_stripe.sessions[session_id]),
        ]
        expected = ["confirmed", "no change"]
    elif story == "expired then completed":
        # Stripe's session is already complete: re-read, the late expiry changes nothing.
        session = fake_stripe.pay(session_id)
        outcomes = [
            deliver(client, "checkout.session.expired", dict(session, status="expired")),
            deliver(client, "checkout.session.completed", session),
        ]
        expected = ["no change", "confirmed"]
    else:
        # Stripe said expired when asked, so the seat was released; the payment then
        # arrives while the seat is still free, and wins it back.
        outcomes = [deliver(client, "checkout.session.expired", fake_stripe.expire(session_id))]
        assert state_of(payment) == ("expired", "expired", "")
        assert held(payment.registration.ticket_type) == 0
        outcomes.append(deliver(client, "checkout.session.completed", fake_stripe.pay(session_id)))
        expected = ["expired, seat released", "confirmed"]

    assert [outcome.json()["outcome"] for outcome in outcomes] == expected
    assert state_of(payment) == ("confirmed", "paid", "")
    assert held(payment.registration.ticket_type) == 1
    assert confirmations_sent(payment.registration) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "problem", ["bad signature", "other secret", "stale timestamp", "no header", "no secret"]
)
def test_an_unverifiable_webhook_is_refused_and_changes_nothing(
    client, fake_stripe, settings, problem
):
    payment = register_and_checkout(paid_ticket())
    session = fake_stripe.pay(payment.stripe_session_id)
    payload = event("checkout.session.completed", session)
    headers = {"Stripe-Signature": signature(payload)}
    if problem == "bad signature":
        headers = {"Stripe-Signature": signature(payload + " ")}
    elif problem == "other secret":
        headers = {"Stripe-Signature": signature(payload, secret="whsec_someone_else")}
    elif problem == "stale timestamp":
        headers = {"Stripe-Signature": signature(payload, timestamp=int(time.time()) - 3600)}
    elif problem == "no header":
        headers = {}
    elif problem == "no secret":
        settings.STRIPE_WEBHOOK_SECRET = ""
    mail.outbox.clear()

    response = client.post(WEBHOOK_URL, payload, content_type="application/json", headers=headers)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid webhook"}
    assert state_of(payment) == ("pending_payment", "created", "")
    assert StripeEvent.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_webhook_takes_only_post(client, fake_stripe):
    assert client.get(WEBHOOK_URL).status_code == 405


@pytest.mark.django_db
def test_an_expired_checkout_releases_its_seat_once_and_offers_it_to_the_waiting_list(
    client, fake_stripe
):
    ticket = paid_ticket(event__capacity=1, event__has_waiting_list=True)
    payment = register_and_checkout(ticket, 1)
    waiting = services.register_attendee(
        event=ticket.event, ticket_type=ticket, attendee=details(2)
    )
    assert waiting.status == Registration.Status.WAITLISTED
    session = fake_stripe.expire(payment.stripe_session_id)

    first = deliver(client, "checkout.session.expired", session)
    second = deliver(client, "checkout.session.expired", session)  # a new event, same session

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["outcome"] == "expired, seat released"
    assert second.json()["outcome"] == "no change"
    assert state_of(payment) == ("expired", "expired", "")
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
    assert held(ticket) == 1
    assert services.recount_seats(event=ticket.event)["total"] == 1
    assert (
        OutgoingEmail.objects.filter(
            kind=OutgoingEmail.Kind.SEAT_OFFER, registration=waiting
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_an_expiry_the_stripe_session_does_not_confirm_is_ignored(client, fake_stripe):
    payment = register_and_checkout(paid_ticket())
    session = dict(fake_stripe.sessions[payment.stripe_session_id], status="expired")

    response = deliver(client, "checkout.session.expired", session)  # Stripe says still open

    assert response.json()["outcome"] == "no change"
    assert state_of(payment) == ("pending_payment", "created", "")


@pytest.mark.django_db
def test_a_payment_after_its_seat_was_given_away_is_recorded_and_flagged_for_refund(
    client, fake_stripe, admin_client
):
    ticket = paid_ticket(event__capacity=1, event__has_waiting_list=True)
    payment = register_and_checkout(ticket, 1)
    waiting = services.register_attendee(
        event=ticket.event, ticket_type=ticket, attendee=details(2)
    )
    fake_stripe.expire(payment.stripe_session_id)
    deliver(client, "checkout.session.expired", fake_stripe.sessions[payment.stripe_session_id])
    session = fake_stripe.pay(payment.stripe_session_id)
    mail.outbox.clear()

    response = deliver(client, "checkout.session.completed", session)

    assert response.json()["outcome"] == "refund due"
    assert state_of(payment) == ("expired", "paid", "refund_due")
    assert "refund" in payment.flag_note
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
    assert held(ticket) == 1
    assert confirmations_sent(payment.registration) == 0
    organisers = emails.organiser_addresses(ticket.event)
    alerts = [message for message in mail.outbox if message.to == organisers]
    assert [alert.subject for alert in alerts] == [
        f"Un paiement est à vérifier\u00a0: {ticket.event.title}"
    ]
    assert "remboursement dû" in alerts[0].body
    listing = admin_client.get("/admin/payments/payment/?flag=refund_due")
    assert listing.status_code == 200
    assert payment.registration.email in listing.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes", [{"amount_total": 100}, {"currency": "usd"}], ids=["amount", "currency"]
)
def test_a_wrong_amount_or_currency_confirms_nothing_and_is_flagged(client, fake_stripe, changes):
    payment = register_and_checkout(paid_ticket())
    session = fake_stripe.pay(payment.stripe_session_id, **changes)
    mail.outbox.clear()

    response = deliver(client, "checkout.session.completed", session)

    assert response.status_code == 200
    assert response.json()["outcome"] == "amount mismatch"
    assert state_of(payment) == ("pending_payment", "created", "mismatch")
    # Nothing to the attendee; the organisers are told.
    [alert] = mail.outbox
    event = payment.registration.event
    assert alert.to == emails.organiser_addresses(event)
    assert alert.subject == f"Un paiement est à vérifier\u00a0: {event.title}"
    assert "demande l’attention d’un organisateur" in alert.body


@pytest.mark.django_db
def test_the_session_is_read_again_from_stripe_rather_than_trusting_the_event(client, fake_stripe):
    payment = register_and_checkout(paid_ticket())
    forged = dict(
        fake_stripe.sessions[payment.stripe_session_id], status="complete", payment_status="paid"
    )

    response = deliver(client, "checkout.session.completed", forged)  # Stripe: unpaid

    assert response.json()["outcome"] == "awaiting payment"
    assert state_of(payment) == ("pending_payment", "created", "")


@pytest.mark.django_db
def test_an_async_payment_confirms_only_when_paid_and_a_failure_releases_the_seat(
    client, fake_stripe
):
    ticket = paid_ticket()
    pending = register_and_checkout(ticket, 1)
    failing = register_and_checkout(ticket, 2)
    fake_stripe.sessions[pending.stripe_session_id].update(status="complete")
    fake_stripe.sessions[failing.stripe_session_id].update(status="complete")

    waiting = deliver(
        client, "checkout.session.completed", fake_stripe.sessions[pending.stripe_session_id]
    )
    succeeded = deliver(
        client,
        "checkout.session.async_payment_succeeded",
        fake_stripe.pay(pending.stripe_session_id),
    )
    failed = deliver(
        client,
        "checkout.session.async_payment_failed",
        fake_stripe.sessions[failing.stripe_session_id],
    )

    assert waiting.json()["outcome"] == "awaiting payment"
    assert succeeded.json()["outcome"] == "confirmed"
    assert failed.json()["outcome"] == "failed, seat released"
    assert state_of(pending) == ("confirmed", "paid", "")
    assert state_of(failing) == ("expired", "failed", "")
    assert held(ticket) == 1


@pytest.mark.django_db
def test_a_refund_made_in_stripe_is_recorded(client, fake_stripe):
    payment = register_and_checkout(paid_ticket())
    deliver(client, "checkout.session.completed", fake_stripe.pay(payment.stripe_session_id))
    charge = {
        "id": "ch_test_1",
        "object": "charge",
        "payment_intent": f"pi_{payment.stripe_session_id}",
        "amount": 8000,
        "amount_refunded": 8000,
        "currency": "eur",
        "refunded": True,
    }

    response = deliver(client, "charge.refunded", charge)

    assert response.json()["outcome"] == "refund recorded"
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("refunded", Decimal("80.00"))


@pytest.mark.django_db
def test_an_event_of_no_concern_is_stored_and_acknowledged(client, fake_stripe):
    response = deliver(client, "customer.created", {"id": "cus_1", "object": "customer"})

    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert StripeEvent.objects.get().type == "customer.created"


@pytest.mark.django_db
def test_a_lock_timeout_answers_503_so_that_stripe_retries(client, fake_stripe, monkeypatch):

    payment = register_and_checkout(paid_ticket())
    session = fake_stripe.pay(payment.stripe_session_id)

    def busy(event_id):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(services, "lock_event", busy)
    response = deliver(client, "checkout.session.completed", session)

    assert response.status_code == 503
    assert state_of(payment) == ("pending_payment", "created", "")
    assert StripeEvent.objects.count() == 0


# --- Without Stripe keys --------------------------------------------------------------------


@pytest.mark.django_db
def test_without_stripe_keys_free_tickets_work_and_card_payment_is_shown_unavailable(
    client, settings, monkeypatch
):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    fake = FakeStripe()
    monkeypatch.setattr(stripe, "default_http_client", fake)
    free = colloquium_ticket(name_fr="Étudiant", name_en="Student", category="professional")
    paid = paid_ticket(event=free.event, position=2)

    form = page_text(client.get(register_url(free.event, "en")))
    free_answer = client.post(register_url(free.event), form_data(free), follow=True)
    paid_answer = client.post(
        register_url(free.event, "en"),
        form_data(paid, email="dominique@example.org"),
        follow=True,
    )

    assert "Card payment is unavailable at the moment" in form
    assert free_answer.status_code == 200
    assert Registration.objects.get(ticket_type=free).status == Registration.Status.CONFIRMED
    assert paid_answer.status_code == 200
    assert Registration.objects.get(ticket_type=paid).status == "pending_payment"
    assert "the organisers will contact you about payment" in page_text(paid_answer)
    assert fake.calls == []
    assert Payment.objects.count() == 0
    payload = event("checkout.session.completed", {"id": "cs_x", "object": "checkout.session"})
    refused = client.post(
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature(payload)},
    )
    assert refused.status_code == 400


@pytest.mark.django_db
def test_the_hold_time_is_at_least_the_thirty_minutes_stripe_requires(fake_stripe, settings):
    settings.PAYMENT_HOLD_MINUTES = 5

    payment = register_and_checkout(paid_ticket())

    [call] = fake_stripe.checkout_calls()
    assert int(call.params["expires_at"]) >= int(time.time()) + 30 * 60 - 2
    assert payment.expires_at >= timezone.now() + timedelta(minutes=29)


@pytest.mark.django_db
def test_a_lost_webhook_is_made_up_for_by_asking_stripe_about_stale_checkouts(fake_stripe):
    ticket = paid_ticket()
    paid = register_and_checkout(ticket, 1)
    lapsed = register_and_checkout(ticket, 2)
    still_open = register_and_checkout(ticket, 3)
    fake_stripe.pay(paid.stripe_session_id)
    fake_stripe.expire(lapsed.stripe_session_id)
    later = timezone.now() + timedelta(minutes=45)

    changed = payments.reconcile_checkouts(now=later)

    assert changed == 2
    assert state_of(paid) == ("confirmed", "paid", "")
    assert state_of(lapsed) == ("expired", "expired", "")
    assert state_of(still_open) == ("pending_payment", "created", "")
    assert held(ticket) == 2
    assert payments.reconcile_checkouts(now=later) == 0


@pytest.mark.django_db
def test_a_second_checkout_paid_for_a_confirmed_registration_is_flagged_for_refund(
    client, fake_stripe
):
    first = register_and_checkout(paid_ticket())
    registration = first.registration
    second = Payment.objects.create(
        registration=registration,
        amount=first.amount,
        currency=first.currency,
        stripe_session_id="cs_test_second",
        expires_at=first.expires_at,
    )
    fake_stripe.sessions["cs_test_second"] = dict(
        fake_stripe.sessions[first.stripe_session_id], id="cs_test_second"
    )
    deliver(client, "checkout.session.completed", fake_stripe.pay(first.stripe_session_id))

    response = deliver(client, "checkout.session.completed", fake_stripe.pay("cs_test_second"))

    assert response.json()["outcome"] == "refund due"
    assert state_of(first) == ("confirmed", "paid", "")
    assert state_of(second) == ("confirmed", "paid", "refund_due")
    assert confirmations_sent(registration) == 1


@pytest.mark.django_db
def test_the_reconcile_command_runs_without_stripe_work_to_do():
    out = StringIO()

    call_command("reconcile_stripe_checkouts", stdout=out)

    assert out.getvalue() == "0 payment(s) updated from Stripe.\n"


# --- Signed bodies of the wrong shape -------------------------------------------------------


def nested(depth: int) -> dict:
    value: dict = {}
    for _level in range(depth):
        value = {"nested": value}
    return value


WRONG_SHAPES = {
    "a JSON array": "[]",
    "a JSON string": '"checkout.session.completed"',
    "no data": json.dumps({"id": "evt_1", "type": "checkout.session.completed"}),
    "a null object": json.dumps(
        {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": None}}
    ),
    "data a list": json.dumps({"id": "evt_1", "type": "checkout.session.completed", "data": []}),
    "no event id": json.dumps(
        {"type": "checkout.session.completed", "data": {"object": {"id": "cs_1"}}}
    ),
    "a numeric event id": json.dumps(
        {"id": 7, "type": "checkout.session.completed", "data": {"object": {"id": "cs_1"}}}
    ),
    "no type": json.dumps({"id": "evt_1", "data": {"object": {"id": "cs_1"}}}),
    "a session without id": json.dumps(
        {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}}
    ),
    "a session id that is a list": json.dumps(
        {"id": "evt_1", "type": "checkout.session.expired", "data": {"object": {"id": ["cs"]}}}
    ),
    "a refund of text": json.dumps(
        {
            "id": "evt_1",
            "type": "charge.refunded",
            "data": {"object": {"payment_intent": "pi_1", "amount_refunded": "8000"}},
        }
    ),
    "a deep nesting Python cannot parse": "[" * 100_000 + "]" * 100_000,
    "a deep nesting": json.dumps(
        {"id": "evt_1", "type": "customer.created", "data": {"object": nested(200)}}
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("shape", WRONG_SHAPES)
def test_a_signed_webhook_of_the_wrong_shape_is_refused_and_records_nothing(
    client, fake_stripe, shape
):
    payment = register_and_checkout(paid_ticket())
    payload = WRONG_SHAPES[shape]

    response = client.post(
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature(payload)},
    )

    assert response.status_code == 400
    assert response.json() == {"error": "invalid webhook"}
    assert state_of(payment) == ("pending_payment", "created", "")
    assert StripeEvent.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("session_id", ["", None])
def test_a_checkout_event_without_session_id_never_reaches_an_invoice_payment(
    client, fake_stripe, session_id
):
    ticket = paid_ticket(allows_invoice=True)
    registration = services.register_attendee(
        event=ticket.event, ticket_type=ticket, attendee=details(1)
    )
    invoice = payments.start_invoice(
        registration=registration,
        billing=payments.BillingDetails(
            billing_name="Centre hospitalier d'Arles", billing_address="Quartier Fourchon"
        ),
    )
    assert invoice.stripe_session_id is None
    calls_before = len(fake_stripe.calls)

    response = deliver(
        client,
        "checkout.session.completed",
        {"id": session_id, "object": "checkout.session", "payment_status": "paid"},
    )

    assert response.status_code == 400
    assert response.json() == {"error": "invalid webhook"}
    invoice.refresh_from_db()
    assert (invoice.status, invoice.flag) == ("created", "")
    assert StripeEvent.objects.count() == 0
    assert len(fake_stripe.calls) == calls_before


@pytest.mark.django_db
def test_a_checkout_stripe_does_not_know_is_refused_rather_than_retried_for_days(
    client, fake_stripe
):
    payment = register_and_checkout(paid_ticket())
    session = fake_stripe.pay(payment.stripe_session_id)
    del fake_stripe.sessions[payment.stripe_session_id]

    response = deliver(client, "checkout.session.completed", session)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid webhook"}
    assert state_of(payment) == ("pending_payment", "created", "")
    assert StripeEvent.objects.count() == 0
