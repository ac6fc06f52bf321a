"""The payment side's data: payments (card or invoice), each organisation's invoice counters and
the Stripe events received.

The tables keep their first names, from when these models lived in `registrations` (see
migrations/0001_initial.py and 0003_payment_moved.py).
"""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.text import validate_multi_line, validate_single_line
from organisations.models import Organisation
from registrations.models import Registration


class InvoiceCounter(models.Model):
    """The last invoice number given by an organisation in a year: the next invoice takes the
    row under a lock and adds one, so numbers follow each other without gaps or repeats."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        # The table created when the model lived in `registrations`, kept so that no row moves.
        db_table = "registrations_invoicecounter"
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="invoice_counter_once_per_year"
            )
        ]

    def __str__(self):
        return f"{self.organisation_id}-{self.year}: {self.last_number}"


class Payment(models.Model):
    """One attempt to pay for a registration: a Stripe Checkout Session for a card payment.

    Written only by payments.services. The amount and currency are copied from the
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
    purchase_order_number = models.CharField(
        _("purchase order number"), max_length=100, blank=True, validators=[validate_single_line]
    )
    billing_name = models.CharField(
        _("paying body"), max_length=200, blank=True, validators=[validate_single_line]
    )
    billing_address = models.TextField(
        _("billing address"), blank=True, validators=[validate_multi_line]
    )
    due_at = models.DateTimeField(_("due on"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        # The table created when the model lived in `registrations`, kept so that no row moves.
        db_table = "registrations_payment"
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
        # The table created when the model lived in `registrations`, kept so that no row moves.
        db_table = "registrations_stripeevent"
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.id}"
