"""Card payments through Stripe Checkout: starting a checkout and acting on Stripe's webhooks.

A paid ticket's registration waits in "pending payment", holding its seat (see
`services.register_attendee`). `start_checkout` records a Payment and opens a Checkout Session
whose amount and currency come from the ticket type, never from the client. Only Stripe's word,
through a signed webhook, confirms it (`handle_webhook`): each event is stored once by id, the
session is read again from Stripe before anything is done, its amount and currency are checked
against the Payment, and the work runs under the event's seat lock then the payment's row lock,
so duplicate and out-of-order deliveries all end in the same state.

A confirmed card payment sends a receipt (besides the confirmation with its calendar
invitation); an unpaid hold that expires or fails sends a "payment not received" email.
A cancellation goes through `registrations.services.cancel_registration`, the one way to cancel
from the attendee's page, the admin and the API; `refund_cancelled_registration`, registered
there by payments/apps.py, then refunds a card payment through Stripe when the ticket type's
policy allows (`refund_allowed`).
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit import services as audit
from organisations.invoicing import may_invoice
from organisations.validators import clean_siret
from payments.invoicing import (
    InvoicingError,
    credit_invoice,
    issue_invoice,
    money,
    uncredited_amount,
)
from payments.models import Invoice, Payment, StripeEvent
from registrations import services
from registrations.emails import queue_email
from registrations.models import OutgoingEmail, Registration

logger = logging.getLogger(__name__)

# Stripe counts these currencies in whole units; every other one in hundredths.
ZERO_DECIMAL_CURRENCIES = {
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
    "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
}  # fmt: skip

# Stripe's events nest objects a handful of levels deep; anything far deeper is not one of them.
MAX_EVENT_DEPTH = 32

# How long the webhook waits for the seat lock before answering 503 (Stripe then retries).
LOCK_TIMEOUT_MS = 5000

CHECKOUT_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}
HANDLED_EVENTS = CHECKOUT_EVENTS | {"charge.refunded"}


class PaymentError(Exception):
    """Card payment cannot start (no Stripe keys, or Stripe could not be reached)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PaymentUnavailable(PaymentError):
    pass


class WebhookRejected(Exception):
    """The webhook's signature, timestamp or body is not acceptable: answer 400."""


def card_payment_available() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def minor_units(amount: Decimal, currency: str) -> int:
    """An amount as Stripe counts it (cents for EUR)."""
    if currency.lower() in ZERO_DECIMAL_CURRENCIES:
        return int(amount)
    return int((amount * 100).to_integral_value())


def from_minor_units(amount: int, currency: str) -> Decimal:
    """An amount as Stripe counts it, back in the currency's units."""
    if currency.lower() in ZERO_DECIMAL_CURRENCIES:
        return Decimal(amount)
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def hold_duration() -> timedelta:
    return timedelta(minutes=min(max(settings.PAYMENT_HOLD_MINUTES, 30), 24 * 60))


# --- Starting a checkout --------------------------------------------------------------------


def start_checkout(*, registration: Registration) -> Payment:
    """Open (or reopen) the Stripe Checkout Session of a registration awaiting payment and
    return its Payment, whose `checkout_url` the attendee is sent to.

    The Payment row is committed before Stripe is called, and its id makes the idempotency
    key: calling again after a network failure gets the same session, never a second one.
    Raises PaymentUnavailable without Stripe keys, PaymentError when Stripe fails."""
    if not card_payment_available():
        raise PaymentUnavailable(_("Card payment is not available for this event."))
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("ticket_type", "event")
            .get(pk=registration.pk)
        )
        if registration.status != Registration.Status.PENDING_PAYMENT:
            raise PaymentError(_("This registration is not awaiting payment."))
        # A checkout still open for a while is reused (same session, or the same idempotency
        # key after a failed call); one that never reached Stripe and is now too old to reuse
        # with the same parameters is closed.
        open_checkouts = registration.payments.filter(
            method=Payment.Method.CARD, status=Payment.Status.CREATED
        )
        payment = open_checkouts.filter(
            expires_at__gt=timezone.now() + timedelta(minutes=1)
        ).first()
        open_checkouts.filter(stripe_session_id__isnull=True).exclude(
            pk=getattr(payment, "pk", None)
        ).update(status=Payment.Status.FAILED)
        if payment is None:
            ticket_type = registration.ticket_type
            payment = Payment.objects.create(
                registration=registration,
                method=Payment.Method.CARD,
                amount=ticket_type.price,
                currency=ticket_type.currency.upper(),
                expires_at=timezone.now() + hold_duration(),
            )
    if payment.stripe_session_id and payment.checkout_url:
        return payment
    session = _create_session(registration, payment)
    Payment.objects.filter(pk=payment.pk).update(
        stripe_session_id=session.id, checkout_url=session.url or ""
    )
    payment.refresh_from_db()
    return payment


def stripe_failure(error: stripe.StripeError) -> str:
    """What a log may say of Stripe's refusal: its kind, status, code, parameter and request
    id (to look it up in Stripe's dashboard), not its message, which may quote the values
    sent."""
    parts = [type(error).__name__, str(error.http_status or ""), str(error.code or "")]
    param = getattr(error, "param", None)
    if param:
        parts.append(f"param={param}")
    if error.request_id:
        parts.append(f"request={error.request_id}")
    return " ".join(part for part in parts if part)


def _create_session(registration: Registration, payment: Payment):
    event = registration.event
    language = registration.language if registration.language in ("fr", "en") else "fr"
    with translation.override(language):
        manage_url = settings.SITE_URL + registration.get_personal_url()
        return_url = settings.SITE_URL + reverse(
            "registrations:payment-return", kwargs={"token": registration.manage_token}
        )
    metadata = {"registration_id": str(registration.pk), "payment_id": str(payment.pk)}
    try:
        return stripe.checkout.Session.create(
            api_key=settings.STRIPE_SECRET_KEY,
            idempotency_key=f"checkout-{payment.pk}",
            mode="payment",
            line_items=[
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": payment.currency.lower(),
                        "unit_amount": minor_units(payment.amount, payment.currency),
                        "product_data": {
                            "name": f"{event.title} — {registration.ticket_type.name}"[:250]
                        },
                    },
                }
            ],
            customer_email=registration.email or None,
            locale=language,
            client_reference_id=str(registration.pk),
            metadata=metadata,
            payment_intent_data={"metadata": metadata},
            expires_at=int(payment.expires_at.timestamp()),
            success_url=return_url + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=manage_url,
        )
    except stripe.StripeError as error:
        # Stripe's message may quote what it refused, the payer's email among it.
        logger.warning(
            "Stripe checkout for payment %s failed: %s", payment.pk, stripe_failure(error)
        )
        raise PaymentError(
            _(
                "The payment service could not be reached. Your seat is held: please try "
                "again in a few minutes from your personal page."
            )
        ) from error


# --- Webhook --------------------------------------------------------------------------------


@dataclass
class WebhookResult:
    event_id: str
    outcome: str
    duplicate: bool = False


def verify_event(payload: bytes, signature: str | None) -> dict:
    """The Stripe event in a webhook request, as plain JSON data, once its signature and
    timestamp are checked against STRIPE_WEBHOOK_SECRET and its shape is one this module can
    read (`check_event_shape`). Raises WebhookRejected."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookRejected("STRIPE_WEBHOOK_SECRET is not set")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
        )
        event = json.loads(text)
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected(f"bad signature: {error}") from error
    except (ValueError, RecursionError) as error:
        raise WebhookRejected(f"unreadable body: {error}") from error
    check_event_shape(event)
    return event


def check_event_shape(event) -> None:
    """Refuse (WebhookRejected) a signed body that is not a Stripe event this module can act
    on: an object with a string id and type, and `data.object` an object; a checkout session
    with a non-empty string id; a refunded charge's payment intent a string or null; no deeper
    nesting than Stripe's own events have. A signed body may still be malformed (a test sent
    from the dashboard, a bug on Stripe's side, a leaked secret): answering 400 and recording
    nothing is better than a 500 or a 503 that Stripe would retry for days."""
    if not isinstance(event, dict):
        raise WebhookRejected("the event is not a JSON object")
    for name in ("id", "type"):
        if not isinstance(event.get(name), str) or not event[name]:
            raise WebhookRejected(f"the event has no {name}")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise WebhookRejected("the event's data.object is not a JSON object")
    if _depth(event) > MAX_EVENT_DEPTH:
        raise WebhookRejected("the event is nested too deeply")
    data_object = data["object"]
    if event["type"] in CHECKOUT_EVENTS and not (
        isinstance(data_object.get("id"), str) and data_object["id"]
    ):
        raise WebhookRejected("the checkout session has no id")
    if event["type"] == "charge.refunded":
        amount = data_object.get("amount_refunded", 0)
        amount_is_count = isinstance(amount, int) and not isinstance(amount, bool) and amount >= 0
        if not (amount is None or amount_is_count) or not all(
            isinstance(data_object.get(name), str | None) for name in ("payment_intent", "currency")
        ):
            raise WebhookRejected("the refunded charge's fields are not of Stripe's types")


def _depth(value) -> int:
    """How deeply `value` nests lists and objects (without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def handle_webhook(payload: bytes, signature: str | None) -> WebhookResult:
    """Verify and act on one webhook delivery. Raises WebhookRejected (answer 400) and lets
    django.db.OperationalError through on a lock timeout (answer 503, Stripe retries)."""
    event = verify_event(payload, signature)
    event_id = event["id"]
    event_type = event["type"]
    if StripeEvent.objects.filter(pk=event_id).exists():
        return WebhookResult(event_id, "duplicate", duplicate=True)
    data = event["data"]["object"]
    payment = _payment_for(event_type, data)
    if payment is None:
        outcome = "ignored" if event_type not in HANDLED_EVENTS else "unknown payment"
        return _store_alone(event, outcome)
    session = None
    if event_type in CHECKOUT_EVENTS:
        # Stripe's current word, not the (possibly stale or replayed) event's copy.
        session = stripe.checkout.Session.retrieve(
            payment.stripe_session_id, api_key=settings.STRIPE_SECRET_KEY
        ).to_dict(for_json=True)
    with transaction.atomic():
        _set_lock_timeout()
        locked_event = services.lock_event(payment.registration.event_id)
        if StripeEvent.objects.filter(pk=event_id).exists():
            return WebhookResult(event_id, "duplicate", duplicate=True)
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("registration__ticket_type")
            .get(pk=payment.pk)
        )
        payment.registration.event = locked_event
        if event_type == "charge.refunded":
            outcome = _record_refund(payment, data)
        else:
            outcome = _apply_session(payment, event_type, session)
        StripeEvent.objects.create(
            id=event_id,
            type=event_type,
            payment=payment,
            outcome=outcome[:255],
            payload=event,
        )
    return WebhookResult(event_id, outcome)


def _payment_for(event_type: str, data) -> Payment | None:
    queryset = Payment.objects.select_related("registration")
    if event_type in CHECKOUT_EVENTS:
        # A string, never None (check_event_shape): `= None` would match every invoice payment.
        return queryset.filter(stripe_session_id=data["id"]).first()
    if event_type == "charge.refunded" and data.get("payment_intent"):
        return queryset.filter(stripe_payment_intent=data.get("payment_intent")).first()
    return None


def _store_alone(event, outcome: str) -> WebhookResult:
    with transaction.atomic():
        _, created = StripeEvent.objects.get_or_create(
            id=event["id"],
            defaults={"type": event["type"], "outcome": outcome, "payload": event},
        )
    return WebhookResult(event["id"], outcome, duplicate=not created)


def _set_lock_timeout() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{int(LOCK_TIMEOUT_MS)}ms'")


def _amount_matches(payment: Payment, session) -> bool:
    return session.get("amount_total") == minor_units(payment.amount, payment.currency) and (
        str(session.get("currency") or "").lower() == payment.currency.lower()
    )


def _flag(payment: Payment, flag: str, note: str) -> None:
    """Flag a payment for the organisers and tell them by email (once per flag raised)."""
    already = payment.flag == flag
    payment.flag = flag
    payment.flag_note = note
    logger.warning("Payment %s flagged %s: %s", payment.pk, flag, note)
    if not already:
        payment.save(update_fields=["flag", "flag_note"])
        queue_email(OutgoingEmail.Kind.PAYMENT_FLAGGED, registration=payment.registration)


def _apply_session(payment: Payment, event_type: str, session) -> str:
    registration = payment.registration
    if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        if session.get("payment_status") != "paid":
            return "awaiting payment"
        if not _amount_matches(payment, session):
            _flag(
                payment,
                Payment.Flag.MISMATCH,
                f"Stripe reports {session.get('amount_total')} "
                f"{str(session.get('currency')).upper()}, expected "
                f"{minor_units(payment.amount, payment.currency)} {payment.currency}.",
            )
            payment.save(update_fields=["flag", "flag_note"])
            return "amount mismatch"
        if payment.status in (Payment.Status.PAID, Payment.Status.REFUNDED):
            return "already paid"
        paid_twice = (
            registration.payments.filter(status=Payment.Status.PAID).exclude(pk=payment.pk).exists()
        )
        payment.status = Payment.Status.PAID
        payment.paid_at = timezone.now()
        payment.stripe_payment_intent = str(session.get("payment_intent") or "")
        confirmed = not paid_twice and services.confirm_paid_registration(registration=registration)
        outcome = "confirmed"
        if paid_twice:
            _flag(
                payment,
                Payment.Flag.REFUND_DUE,
                "This registration was already paid by another checkout: refund this payment.",
            )
            outcome = "refund due"
        elif not confirmed:
            _flag(
                payment,
                Payment.Flag.REFUND_DUE,
                "Paid after the seat was released and given away: refund the attendee.",
            )
            outcome = "refund due"
        payment.save(
            update_fields=["status", "paid_at", "stripe_payment_intent", "flag", "flag_note"]
        )
        audit.record(
            "payment.paid",
            payment,
            changes={"status": [Payment.Status.CREATED, Payment.Status.PAID]},
            event=registration.event,
        )
        if outcome == "confirmed" and registration.email:
            # Queued after the payment is saved: the receipt is rendered from it.
            queue_email(OutgoingEmail.Kind.PAYMENT_RECEIPT, registration=registration)
        return outcome
    if event_type == "checkout.session.async_payment_failed":
        if payment.status != Payment.Status.CREATED or session.get("payment_status") == "paid":
            return "no change"
        payment.status = Payment.Status.FAILED
        payment.save(update_fields=["status"])
        if services.release_unpaid_seat(registration=registration):
            _tell_seat_released(registration)
        return "failed, seat released"
    # checkout.session.expired
    if payment.status != Payment.Status.CREATED or session.get("status") != "expired":
        return "no change"
    payment.status = Payment.Status.EXPIRED
    payment.save(update_fields=["status"])
    # Another checkout of the same registration may still be open (a retry): keep the seat.
    if registration.payments.filter(
        status=Payment.Status.CREATED, expires_at__gt=timezone.now()
    ).exists():
        return "expired, another checkout open"
    released = services.release_unpaid_seat(registration=registration)
    if released:
        _tell_seat_released(registration)
    return "expired, seat released" if released else "expired"


def _tell_seat_released(registration: Registration) -> None:
    if registration.email:
        queue_email(OutgoingEmail.Kind.PAYMENT_EXPIRED, registration=registration)


def _record_refund(payment: Payment, charge) -> str:
    """Stripe's `charge.refunded`: its `amount_refunded` is the charge's running total, so
    recording it twice, or after a refund this site asked for, never counts a refund twice."""
    currency = str(charge.get("currency") or payment.currency)
    amount = from_minor_units(charge.get("amount_refunded") or 0, currency)
    _set_refunded(payment, amount, fully=bool(charge.get("refunded")))
    return "refund recorded"


def _set_refunded(payment: Payment, amount: Decimal, *, fully: bool = False, refund_id=""):
    """Record what has been refunded of a payment (the caller holds its row lock)."""
    before = (payment.amount_refunded, payment.status)
    payment.amount_refunded = min(max(payment.amount_refunded, amount), payment.amount)
    if payment.amount_refunded > 0 and payment.refunded_at is None:
        payment.refunded_at = timezone.now()
    if refund_id and not payment.stripe_refund_id:
        payment.stripe_refund_id = refund_id
    if fully or payment.amount_refunded >= payment.amount:
        payment.status = Payment.Status.REFUNDED
        if payment.flag == Payment.Flag.REFUND_DUE:
            payment.flag = Payment.Flag.NONE
            payment.flag_note = ""
    payment.save(
        update_fields=[
            "amount_refunded",
            "refunded_at",
            "stripe_refund_id",
            "status",
            "flag",
            "flag_note",
        ]
    )
    if before != (payment.amount_refunded, payment.status):
        audit.record(
            "payment.refund",
            payment,
            changes=audit.diff(
                {"amount_refunded": before[0], "status": before[1]},
                {"amount_refunded": payment.amount_refunded, "status": payment.status},
            ),
            event=payment.registration.event,
        )


# --- Cancelling and refunding ---------------------------------------------------------------


def refund_allowed(registration: Registration, *, now=None) -> bool:
    """The ticket type's policy: a cancellation is refunded until `refundable_until_days`
    days before the event starts; never when that is empty."""
    days = registration.ticket_type.refundable_until_days
    if days is None:
        return False
    return (now or timezone.now()) <= registration.event.start - timedelta(days=days)


def refund_cancelled_registration(registration: Registration) -> None:
    """Refund the card payments of a cancelled registration through Stripe when the ticket
    type's policy allows. Called by `services.cancel_registration` after it commits (a hook
    registered in payments/apps.py), on every call that leaves the registration cancelled.

    The cancellation always stands: if Stripe cannot refund, the payment is flagged "refund due"
    for the organisers. The refund's idempotency key is the payment's id, so a retry (or a
    second cancellation) never refunds twice."""
    registration = Registration.objects.select_related("ticket_type", "event").get(
        pk=registration.pk
    )
    to_refund = registration.payments.filter(
        method=Payment.Method.CARD, status=Payment.Status.PAID
    ).exclude(stripe_payment_intent="")
    if not to_refund.exists() or not refund_allowed(registration):
        return
    for payment in to_refund:
        refund_payment(payment)


def refund_payment(payment: Payment) -> bool:
    """Ask Stripe to refund what is left of a card payment and record it; on failure, flag
    the payment "refund due". True if Stripe accepted the refund."""
    if not card_payment_available():
        _refund_failed(payment, "STRIPE_SECRET_KEY is not set")
        return False
    try:
        refund = stripe.Refund.create(
            payment_intent=payment.stripe_payment_intent,
            idempotency_key=f"refund-{payment.pk}",
            api_key=settings.STRIPE_SECRET_KEY,
            metadata={
                "registration_id": str(payment.registration_id),
                "payment_id": str(payment.pk),
            },
        )
    except stripe.StripeError as error:
        _refund_failed(payment, str(error))
        return False
    refund = refund.to_dict()
    if refund.get("status") in ("failed", "canceled"):
        _refund_failed(payment, f"Stripe answered {refund.get('status')} for {refund.get('id')}")
        return False
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        # Without an amount Stripe refunds all that is left: the payment is fully refunded.
        _set_refunded(payment, payment.amount, fully=True, refund_id=refund.get("id") or "")
    return True


def _refund_failed(payment: Payment, reason: str) -> None:
    logger.warning("Refund of payment %s failed: %s", payment.pk, reason)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == Payment.Status.REFUNDED:
            return
        _flag(
            payment,
            Payment.Flag.REFUND_DUE,
            f"Registration cancelled; the automatic refund failed ({reason}): refund this "
            "payment from the Stripe dashboard.",
        )
        payment.save(update_fields=["flag", "flag_note"])


# --- Reconciliation -------------------------------------------------------------------------


def reconcile_checkouts(*, now=None, grace=timedelta(minutes=10)) -> int:
    """Ask Stripe about the checkouts whose expiry passed more than `grace` ago and are still
    open here (a webhook lost or never configured), and act on what Stripe says, exactly as
    its webhook would: a paid session confirms, an expired one releases its seat. Safe to run
    often and alongside the webhook. Returns how many payments changed."""
    now = now or timezone.now()
    stale = Payment.objects.filter(
        status=Payment.Status.CREATED,
        stripe_session_id__isnull=False,
        expires_at__lte=now - grace,
    ).select_related("registration")
    changed = 0
    for payment in stale:
        session = stripe.checkout.Session.retrieve(
            payment.stripe_session_id, api_key=settings.STRIPE_SECRET_KEY
        ).to_dict(for_json=True)
        if session.get("payment_status") == "paid":
            event_type = "checkout.session.completed"
        elif session.get("status") == "expired":
            event_type = "checkout.session.expired"
        else:
            continue
        with transaction.atomic():
            _set_lock_timeout()
            locked_event = services.lock_event(payment.registration.event_id)
            payment = (
                Payment.objects.select_for_update(of=("self",))
                .select_related("registration__ticket_type")
                .get(pk=payment.pk)
            )
            if payment.status != Payment.Status.CREATED:
                continue
            payment.registration.event = locked_event
            _apply_session(payment, event_type, session)
            changed += 1
    return changed


# --- Invoice / bank transfer ----------------------------------------------------------------
#
# French public bodies pay on invoice against a purchase order. The registration waits in
# "pending payment", holding its seat, with an invoice (payments/invoice_pdf.py); an
# organiser marks it paid (admin or API) once the transfer arrives, which confirms it.
# An invoice is due `payment_terms_days` after its date (the organisation's terms); unpaid, it
# is reminded INVOICE_REMINDER_DAYS before it is due, and its seats are released
# `unpaid_seat_release_days` after (never before it is due; never when the organisation says
# so): `process_unpaid_invoices`.

BILLING_FIELDS = {
    "billing_name": 200,
    "billing_address": 1000,
    "purchase_order_number": 100,
    "billing_service_code": 100,
}


@dataclass
class BillingDetails:
    billing_name: str
    billing_address: str
    purchase_order_number: str = ""
    billing_siret: str = ""
    billing_service_code: str = ""
    billing_email: str = ""


def invoice_payment_available(ticket_type, organisation=None) -> bool:
    """Whether `ticket_type` may be paid on invoice: it allows it, it is not free, and its
    organisation's legal and bank details are complete (`organisation`: the event's, when
    the caller holds it already)."""
    if not ticket_type.allows_invoice or ticket_type.is_free:
        return False
    organisation = organisation or ticket_type.event.organisation
    return may_invoice(organisation)


def card_payment_allowed(ticket_type) -> bool:
    return card_payment_available() and ticket_type.allows_card


def clean_billing(data: dict) -> BillingDetails:
    """The paying body's details, whatever the channel. Raises ValidationError by field."""
    errors, cleaned = {}, {}
    for name, max_length in BILLING_FIELDS.items():
        try:
            cleaned[name] = services.clean_text(
                data.get(name),
                field_name=name,
                max_length=max_length,
                multi_line=name == "billing_address",
            )
        except ValidationError as error:
            errors[name] = error.messages
    try:
        cleaned["billing_siret"] = clean_siret(str(data.get("billing_siret") or ""))
    except ValidationError as error:
        errors["billing_siret"] = error.messages
    email = str(data.get("billing_email") or "").strip()
    if email:
        try:
            validate_email(email)
            cleaned["billing_email"] = email
        except ValidationError:
            errors["billing_email"] = [_("Enter a valid email address.")]
    if not errors.get("billing_name") and not cleaned.get("billing_name"):
        errors["billing_name"] = [_("Enter the name of the body that pays the invoice.")]
    if not errors.get("billing_address") and not cleaned.get("billing_address"):
        errors["billing_address"] = [_("Enter the address the invoice is sent to.")]
    if (
        cleaned.get("billing_service_code")
        and not cleaned.get("billing_siret")
        and not errors.get("billing_siret")
    ):
        errors["billing_siret"] = [
            _("A Chorus Pro service code goes with the SIRET of the body that pays.")
        ]
    if errors:
        raise ValidationError(errors)
    return BillingDetails(**cleaned)


def start_invoice(
    *, registration: Registration, billing: BillingDetails, group: bool = False, now=None
) -> Payment:
    """Record that a registration awaiting payment is paid on invoice, with the payer's
    details, and issue its invoice (emailed) — unless `group`: the payer then waits for one
    invoice covering several registrations, issued by an organiser (`issue_invoice`).
    Locks the registration's row. A payment on invoice already open for the registration is
    returned as is."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("ticket_type", "event__organisation")
            .get(pk=registration.pk)
        )
        if registration.status != Registration.Status.PENDING_PAYMENT:
            raise PaymentError(_("This registration is not awaiting payment."))
        ticket_type = registration.ticket_type
        if not invoice_payment_available(ticket_type, registration.event.organisation):
            raise PaymentError(_("This ticket cannot be paid on invoice."))
        existing = registration.payments.filter(
            method=Payment.Method.INVOICE, status=Payment.Status.CREATED
        ).first()
        if existing is not None:
            return existing
        payment = Payment.objects.create(
            registration=registration,
            method=Payment.Method.INVOICE,
            amount=ticket_type.price,
            currency=ticket_type.currency.upper(),
            billing_name=billing.billing_name,
            billing_address=billing.billing_address,
            purchase_order_number=billing.purchase_order_number,
            billing_siret=billing.billing_siret,
            billing_service_code=billing.billing_service_code,
            billing_email=billing.billing_email,
            created_at=now,
        )
        if not group:
            try:
                issue_invoice(payments=[payment], now=now)
            except InvoicingError as error:
                raise PaymentError(error.message) from error
            payment.refresh_from_db()
    return payment


def mark_invoice_paid(*, invoice: Invoice) -> bool:
    """An organiser says the transfer for an invoice arrived: its payments are recorded as
    paid and their registrations confirmed (with their confirmation emails). Locks the
    event's seats, then the invoice's and its payments' rows. Marking it again changes
    nothing and returns False. A payment whose seat was released and given away meanwhile is
    flagged "refund due"."""
    with transaction.atomic():
        locked_event = services.lock_event(invoice.event_id)
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.kind != Invoice.Kind.INVOICE:
            raise PaymentError(_("Only invoices are marked paid."))
        if invoice.paid_at is not None or invoice.status == Invoice.Status.CREDITED:
            return False
        now = timezone.now()
        to_pay = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("registration__ticket_type")
            .filter(invoice=invoice, credit_note__isnull=True)
            .exclude(status__in=[Payment.Status.PAID, Payment.Status.REFUNDED])
            .order_by("pk")
        )
        for payment in to_pay:
            registration = payment.registration
            registration.event = locked_event
            payment.status = Payment.Status.PAID
            payment.paid_at = now
            if not services.confirm_paid_registration(registration=registration):
                _flag(
                    payment,
                    Payment.Flag.REFUND_DUE,
                    "Invoice paid after the seat was released and given away: refund the body.",
                )
            payment.save(update_fields=["status", "paid_at", "flag", "flag_note"])
        status_before = invoice.status
        invoice.paid_at = now
        if invoice.status == Invoice.Status.ISSUED:
            invoice.status = Invoice.Status.PAID
        invoice.save(update_fields=["paid_at", "status"])
        audit.record(
            "payment.mark_paid",
            invoice,
            changes={"status": [status_before, invoice.status]},
            event=locked_event,
        )
    return True


# --- Credit notes ----------------------------------------------------------------------------

CREDITABLE = [Payment.Status.CREATED, Payment.Status.PAID]


def credit_cancelled_registration(registration: Registration) -> None:
    """Credit what a cancelled registration was invoiced: a credit note for its lines of
    each invoice that covers it (partial when the invoice covers others, a group; the whole
    invoice otherwise), emailed to the payer. Its payment awaiting a group invoice (none
    issued yet) just expires. A payment whose invoice was paid keeps its status and is
    flagged "refund due" (a bank transfer back, by the organisers).

    Registered in payments/apps.py to run after each cancellation, a repeated or racing one
    included: `credit_invoice` locks the invoice and credits a payment once."""
    on_invoice = Payment.objects.filter(registration=registration, method=Payment.Method.INVOICE)
    on_invoice.filter(status=Payment.Status.CREATED, invoice__isnull=True).update(
        status=Payment.Status.EXPIRED
    )
    invoices = Invoice.objects.filter(
        pk__in=on_invoice.filter(credit_note__isnull=True, status__in=CREDITABLE).values(
            "invoice_id"
        )
    ).order_by("pk")
    for invoice in invoices:
        with transaction.atomic():
            to_credit = list(
                on_invoice.filter(invoice=invoice, credit_note__isnull=True, status__in=CREDITABLE)
            )
            try:
                credit_note = credit_invoice(invoice=invoice, payments=to_credit)
            except InvoicingError as error:
                # The organisers credited part of the invoice by amount already: what is left
                # is theirs to settle. The cancellation stands.
                logger.warning(
                    "Cancelled registration %s: invoice %s not credited: %s",
                    registration.pk,
                    invoice.number,
                    error.message,
                )
                _flag_credited(
                    to_credit, f"Registration cancelled; {error.message}", paid_only=True
                )
                continue
            if credit_note is None:
                continue  # another cancellation credited them
            credited = Payment.objects.filter(credit_note=credit_note, registration=registration)
            _flag_credited(
                list(credited),
                f"Registration cancelled after invoice {invoice.number} was paid; credit note "
                f"{credit_note.number} issued: refund {money(credit_note.total_gross)} "
                f"{credit_note.currency} by bank transfer.",
            )


def _flag_credited(payments: list[Payment], note: str, *, paid_only: bool = False) -> None:
    """Credited payments: an unpaid one expires, a paid one is flagged "refund due"."""
    for payment in Payment.objects.select_for_update().filter(pk__in=[p.pk for p in payments]):
        if payment.status == Payment.Status.PAID:
            _flag(payment, Payment.Flag.REFUND_DUE, note)
            payment.save(update_fields=["flag", "flag_note"])
        elif payment.status == Payment.Status.CREATED and not paid_only:
            payment.status = Payment.Status.EXPIRED
            payment.save(update_fields=["status"])


def cancel_invoice(*, invoice: Invoice, now=None) -> Invoice:
    """The organiser cancels an unpaid invoice (wrong payer, order number, price): a credit
    note credits all its remaining lines, and each registration it covered that still awaits
    payment gets a fresh payment on invoice with the same payer details and amount, awaiting
    its corrected invoice (`issue_invoice`). The seats stay held. Returns the credit note.
    Raises PaymentError for a credit note, a paid or an already credited invoice."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.kind != Invoice.Kind.INVOICE:
            raise PaymentError(_("Only an invoice can be cancelled by a credit note."))
        if invoice.paid_at is not None:
            raise PaymentError(
                _(
                    "Invoice %(number)s is paid: credit part of it by amount, or cancel the "
                    "registrations it covers."
                )
                % {"number": invoice.number}
            )
        if invoice.status == Invoice.Status.CREDITED:
            raise PaymentError(
                _("Invoice %(number)s is already cancelled by a credit note.")
                % {"number": invoice.number}
            )
        try:
            try:
                credit_note = credit_invoice(invoice=invoice, now=now, action="invoice.cancel")
            except InvoicingError:
                # Part of it was credited by amount before: credit what remains, by amount.
                credit_note = credit_invoice(
                    invoice=invoice,
                    amount=uncredited_amount(invoice),
                    now=now,
                    action="invoice.cancel",
                )
        except InvoicingError as error:
            raise PaymentError(error.message) from error
        if credit_note is None:
            raise PaymentError(
                _("Invoice %(number)s has nothing left to credit.") % {"number": invoice.number}
            )
        credited = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("registration")
            .filter(credit_note=credit_note)
            .order_by("pk")
        )
        for payment in credited:
            if payment.status != Payment.Status.CREATED:
                continue
            payment.status = Payment.Status.EXPIRED
            payment.save(update_fields=["status"])
            if payment.registration.status != Registration.Status.PENDING_PAYMENT:
                continue
            Payment.objects.create(
                registration=payment.registration,
                method=Payment.Method.INVOICE,
                amount=payment.amount,
                currency=payment.currency,
                billing_name=payment.billing_name,
                billing_address=payment.billing_address,
                purchase_order_number=payment.purchase_order_number,
                billing_siret=payment.billing_siret,
                billing_service_code=payment.billing_service_code,
                billing_email=payment.billing_email,
            )
    return credit_note


@dataclass
class UnpaidInvoicesReport:
    reminded: int = 0
    released: int = 0


def process_unpaid_invoices(*, now=None) -> UnpaidInvoicesReport:
    """Follow the payment terms of unpaid invoices (their organisation's): remind the payer
    INVOICE_REMINDER_DAYS before the due date (once), and release the seats still held
    `unpaid_seat_release_days` after it — never before the invoice is due, never when the
    organisation left that empty (it keeps them until an organiser cancels). Days are counted
    in the organisation's time zone. Safe to run often."""
    now = now or timezone.now()
    report = UnpaidInvoicesReport()
    unpaid = Invoice.objects.filter(
        kind=Invoice.Kind.INVOICE,
        paid_at__isnull=True,
        status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_CREDITED],
        # Only those still holding a seat: a released invoice is neither reminded nor released.
        payments__status=Payment.Status.CREATED,
        payments__credit_note__isnull=True,
    ).distinct()
    for invoice in unpaid.select_related("organisation").defer("pdf", "data"):
        release_days = invoice.organisation.unpaid_seat_release_days
        if release_days is None or invoice.due_on is None:
            continue
        today = now.astimezone(invoice.organisation.zone).date()
        if today > invoice.due_on + timedelta(days=release_days):
            report.released += _release_unpaid(invoice)
    reminder = timedelta(days=settings.INVOICE_REMINDER_DAYS)
    # A day's margin for the time zones; each invoice is then checked on its own calendar.
    candidates = unpaid.filter(
        due_on__lte=(now + reminder + timedelta(days=1)).date(), reminded_at__isnull=True
    )
    for invoice in candidates.select_related("organisation").defer("pdf", "data"):
        if now.astimezone(invoice.organisation.zone).date() + reminder < invoice.due_on:
            continue
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if invoice.paid_at is not None or invoice.reminded_at is not None:
                continue
            payment = (
                invoice.payments.filter(status=Payment.Status.CREATED, credit_note__isnull=True)
                .select_related("registration")
                .order_by("pk")
                .first()
            )
            if payment is None:
                continue
            invoice.reminded_at = now
            invoice.save(update_fields=["reminded_at"])
            queue_email(OutgoingEmail.Kind.INVOICE_REMINDER, registration=payment.registration)
            report.reminded += 1
    return report


def _release_unpaid(invoice: Invoice) -> int:
    """Release the seats an unpaid invoice still holds; their payments expire."""
    released = 0
    with transaction.atomic():
        locked_event = services.lock_event(invoice.event_id)
        to_release = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("registration__ticket_type")
            .filter(invoice=invoice, status=Payment.Status.CREATED, credit_note__isnull=True)
            .order_by("pk")
        )
        for payment in to_release:
            payment.status = Payment.Status.EXPIRED
            payment.save(update_fields=["status"])
            registration = payment.registration
            registration.event = locked_event
            if services.release_unpaid_seat(registration=registration):
                _tell_seat_released(registration)
                released += 1
    return released


def registration_documents(*, registration: Registration) -> list[Invoice]:
    """The invoices and credit notes that cover `registration`, oldest first."""
    return list(_documents_of(registration).distinct().order_by("issued_at", "pk").defer("pdf"))


def registration_document(*, registration: Registration, number: str) -> Invoice | None:
    """The invoice or credit note numbered `number` if it covers `registration`."""
    return _documents_of(registration).filter(number=number).first()


def _documents_of(registration: Registration):
    """Its invoices, the credit notes of its lines, and the partial credits by amount of its
    invoices (which credit no one's lines): not the credit notes of others' lines."""
    payments = Payment.objects.filter(registration=registration)
    return Invoice.objects.filter(
        Q(payments__in=payments)
        | Q(credited_payments__in=payments)
        | Q(credited_invoice__payments__in=payments, credited_payments=None)
    ).distinct()
