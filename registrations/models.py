"""Ticket types, registrations, session sign-ups, invitations and the email outbox.

The rules (capacity, waiting list, invitations) live in `registrations/services.py`; these
models hold the data and the invariants the database can back: one active seat per email and
event, one registration per invitation, random unique tokens.
"""

import secrets
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event, Session


def new_token() -> str:
    """256 random bits, URL-safe: unguessable, never sequential."""
    return secrets.token_urlsafe(32)


class TicketType(models.Model):
    class Category(models.TextChoices):
        STUDENT = "student", _("student")
        PROFESSIONAL = "professional", _("professional")
        ELECTED = "elected", _("elected official")
        ACADEMIC = "academic", _("academic")
        PARTNER = "partner", _("partner")
        PRESS = "press", _("press")
        GUEST = "guest", _("guest")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="ticket_types", verbose_name=_("event")
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.PROFESSIONAL
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("price"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("0 for a free ticket."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit of its own.")
    )
    sale_start = models.DateTimeField(_("sale starts"), null=True, blank=True)
    sale_end = models.DateTimeField(_("sale ends"), null=True, blank=True)
    is_public = models.BooleanField(
        _("offered on the public form"),
        default=True,
        help_text=_("Untick for tickets given only through invitations or by organisers."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    refundable_until_days = models.PositiveSmallIntegerField(
        _("refundable until (days before the event)"),
        null=True,
        blank=True,
        help_text=_(
            "A paid registration cancelled at least this many days before the event starts is "
            "refunded by card. Leave empty for no refund."
        ),
    )
    allows_card = models.BooleanField(_("payable by card"), default=True)
    allows_invoice = models.BooleanField(
        _("payable on invoice"),
        default=False,
        help_text=_("Public bodies may then pay by bank transfer against an invoice."),
    )

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["event", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="ticket_type_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(sale_start__isnull=True)
                | Q(sale_end__isnull=True)
                | Q(sale_end__gt=models.F("sale_start")),
                name="ticket_type_sale_end_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price == 0

    def is_on_sale(self, at=None) -> bool:
        at = at or timezone.now()
        return (self.sale_start is None or self.sale_start <= at) and (
            self.sale_end is None or at < self.sale_end
        )


class SeatCount(models.Model):
    """How many seats of a ticket type are held (confirmed, awaiting payment, offered).

    Written only by registrations.services, under the event's seat lock, so that checking
    capacity reads a few rows instead of counting every registration. A table of its own:
    saving a TicketType or an Event (admin, demo data) can never write back a stale count."""

    ticket_type = models.OneToOneField(
        TicketType, on_delete=models.CASCADE, primary_key=True, related_name="seat_count"
    )
    held = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("seat count")
        verbose_name_plural = _("seat counts")

    def __str__(self):
        return f"{self.ticket_type}: {self.held}"


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("pending payment")
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waiting list")
        OFFERED = "offered", _("seat offered")
        CANCELLED = "cancelled", _("cancelled")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("offer expired")

    # Statuses that hold a seat, and those that still count as "registered" for the
    # one-seat-per-email rule (a waitlisted person may not queue twice).
    SEAT_HOLDING = (Status.PENDING_PAYMENT, Status.CONFIRMED, Status.OFFERED)
    ACTIVE = (Status.PENDING_PAYMENT, Status.CONFIRMED, Status.OFFERED, Status.WAITLISTED)

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event")
    )
    ticket_type = models.ForeignKey(
        TicketType,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("ticket type"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    # Stored lower-cased; empty only for a guest's plus-one.
    email = models.EmailField(_("email"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    job_title = models.CharField(_("role or title"), max_length=200, blank=True)
    institution = models.CharField(
        _("school or university"), max_length=200, blank=True, help_text=_("For students.")
    )
    mandate = models.CharField(
        _("mandate"), max_length=200, blank=True, help_text=_("For elected officials.")
    )
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")
    consent_processing_at = models.DateTimeField(_("data processing accepted at"), null=True)
    consent_photos = models.BooleanField(_("agrees to be photographed"), default=False)
    consent_news = models.BooleanField(_("wants news of future events"), default=False)
    manage_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invitation = models.OneToOneField(
        "Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registration",
        verbose_name=_("invitation"),
    )
    companion_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="companions",
        verbose_name=_("plus-one of"),
    )
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    # Grows with every change the attendee's calendar must replace (RFC 5545 SEQUENCE).
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    sessions = models.ManyToManyField(
        Session, through="SessionSignup", related_name="registrations", blank=True
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(status__in=["pending_payment", "confirmed", "offered", "waitlisted"])
                & ~Q(email=""),
                name="registration_one_active_seat_per_email",
            ),
            models.CheckConstraint(
                condition=~Q(email="") | Q(companion_of__isnull=False),
                name="registration_email_unless_plus_one",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"], name="registration_event_status"),
            models.Index(fields=["ticket_type", "status"], name="registration_ticket_status"),
            models.Index(fields=["event", "status", "created_at"], name="registration_queue"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("registrations:manage", kwargs={"token": self.manage_token})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_HOLDING

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class SessionSignup(models.Model):
    """A registration's place in a session that has its own capacity (a workshop)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="signups")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="signups")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("session sign-up")
        verbose_name_plural = _("session sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="signup_once_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.registration} — {self.session}"


class Invitation(models.Model):
    class Answer(models.TextChoices):
        PENDING = "pending", _("not answered")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        REVOKED = "revoked", _("withdrawn")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("event")
    )
    ticket_type = models.ForeignKey(
        TicketType,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("ticket type"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    job_title = models.CharField(_("role or title"), max_length=200, blank=True)
    plus_ones_allowed = models.PositiveSmallIntegerField(_("plus-ones allowed"), default=0)
    language = models.CharField(_("language"), max_length=5, default="fr")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    deadline = models.DateTimeField(_("answer before"))
    answer = models.CharField(
        _("answer"), max_length=20, choices=Answer.choices, default=Answer.PENDING
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="invitation_once_per_email"),
        ]
        indexes = [models.Index(fields=["event", "answer"], name="invitation_event_answer")]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("registrations:invitation", kwargs={"token": self.token})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def is_open(self, at=None) -> bool:
        return (at or timezone.now()) < self.deadline and self.answer != self.Answer.REVOKED


class OutgoingEmail(models.Model):
    """The outbox: written in the transaction of the change that causes the email, delivered
    by a background task, retried until the mail server takes it."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("confirmation")
        WAITLISTED = "waitlisted", _("waiting list")
        SEAT_OFFER = "seat_offer", _("seat offer")
        OFFER_EXPIRED = "offer_expired", _("offer expired")
        INVITATION = "invitation", _("invitation")
        REMINDER = "reminder", _("reminder")
        CANCELLATION = "cancellation", _("cancellation")
        ALREADY_REGISTERED = "already_registered", _("already registered")
        PAYMENT_RECEIPT = "payment_receipt", _("payment receipt")
        PAYMENT_EXPIRED = "payment_expired", _("payment not received")
        INVOICE = "invoice", _("invoice")
        INVOICE_REMINDER = "invoice_reminder", _("invoice reminder")
        PAYMENT_FLAGGED = "payment_flagged", _("payment to check (organisers)")

    # Kinds sent to the event's organisers rather than to the person concerned.
    ORGANISER_KINDS = ("payment_flagged",)

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration__isnull=False) | Q(invitation__isnull=False),
                name="email_has_a_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class Payment(models.Model):
    """One attempt to pay for a registration: a Stripe Checkout Session for a card payment.

    Written only by registrations.payments. The amount and currency are copied from the
    ticket type when the checkout starts (never taken from the client) and every word from
    Stripe is checked against them."""

    class Method(models.TextChoices):
        CARD = "card", _("card (Stripe)")
        INVOICE = "invoice", _("invoice (bank transfer)")

    class Status(models.TextChoices):
        CREATED = "created", _("checkout started")
        PAID = "paid", _("paid")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")
        REFUNDED = "refunded", _("refunded")

    class Flag(models.TextChoices):
        NONE = "", _("none")
        MISMATCH = "mismatch", _("amount or currency mismatch")
        REFUND_DUE = "refund_due", _("refund due")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("registration"),
    )
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.CARD
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    stripe_session_id = models.CharField(
        _("Stripe Checkout Session"), max_length=255, unique=True, null=True, blank=True
    )
    stripe_payment_intent = models.CharField(
        _("Stripe payment intent"), max_length=255, blank=True, db_index=True
    )
    checkout_url = models.URLField(_("checkout address"), max_length=2000, blank=True)
    expires_at = models.DateTimeField(_("checkout expires at"), null=True, blank=True)
    amount_refunded = models.DecimalField(
        _("amount refunded"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    stripe_refund_id = models.CharField(_("Stripe refund"), max_length=255, blank=True)
    flag = models.CharField(
        _("needs attention"), max_length=20, choices=Flag.choices, default=Flag.NONE, blank=True
    )
    flag_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # Invoice / bank transfer.
    invoice_number = models.CharField(
        _("invoice number"), max_length=30, unique=True, null=True, blank=True
    )
    purchase_order_number = models.CharField(_("purchase order number"), max_length=100, blank=True)
    billing_name = models.CharField(_("paying body"), max_length=200, blank=True)
    billing_address = models.TextField(_("billing address"), blank=True)
    due_at = models.DateTimeField(_("due on"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["flag"], name="payment_flag")]

    def __str__(self):
        return f"{self.get_method_display()} #{self.pk} — {self.registration}"


class StripeEvent(models.Model):
    """Each Stripe event, stored once by its id: a second delivery of the same event is
    recognised and does nothing."""

    id = models.CharField(primary_key=True, max_length=255)
    type = models.CharField(_("type"), max_length=100)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stripe_events",
        verbose_name=_("payment"),
    )
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.id}"
