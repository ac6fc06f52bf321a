"""The payment side's data: payments (card or invoice), each organisation's invoice counters and
the Stripe events received.

The tables keep their first names, from when these models lived in `registrations` (see
migrations/0001_initial.py and 0003_payment_moved.py).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.text import validate_multi_line, validate_single_line
from events.models import Event
from organisations.models import Organisation
from registrations.models import Registration


class InvoiceCounter(models.Model):
    """The last number an organisation gave in a year in one series (F: invoices, A: credit
    notes): the next document takes the row under a lock and adds one, so numbers follow
    each other without gaps or repeats."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    series = models.CharField(_("series"), max_length=1, default="F")
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        # The table created when the model lived in `registrations`, kept so that no row moves.
        db_table = "registrations_invoicecounter"
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "series", "year"], name="invoice_counter_once_per_year"
            )
        ]

    def __str__(self):
        return f"{self.series}{self.organisation_id}-{self.year}: {self.last_number}"


class Invoice(models.Model):
    """An issued invoice or credit note (avoir): a stored document, never redrawn.

    `data` holds everything printed (seller, buyer, lines, VAT, totals, terms and mentions) as
    it stood at issue, and `pdf` the Factur-X PDF built from it once; downloads and emails
    serve these bytes. Only the state (paid, credited) and the reminders move afterwards.
    Written only by payments.invoicing."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("invoice")
        CREDIT_NOTE = "credit_note", _("credit note")

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        PAID = "paid", _("paid")
        PARTIALLY_CREDITED = "partially_credited", _("partially credited")
        CREDITED = "credited", _("cancelled by credit note")

    SERIES = {Kind.INVOICE: "F", Kind.CREDIT_NOTE: "A"}

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    number = models.CharField(_("number"), max_length=30, unique=True)
    status = models.CharField(
        _("state"), max_length=20, choices=Status.choices, default=Status.ISSUED
    )
    # A credit note's invoice.
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credited invoice"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    total_net = models.DecimalField(_("total excluding VAT"), max_digits=10, decimal_places=2)
    total_vat = models.DecimalField(_("VAT"), max_digits=10, decimal_places=2)
    total_gross = models.DecimalField(_("total including VAT"), max_digits=10, decimal_places=2)
    buyer_name = models.CharField(_("paying body"), max_length=200)
    buyer_email = models.EmailField(_("payer's email"), blank=True)
    purchase_order_number = models.CharField(
        _("purchase order or commitment number"), max_length=100, blank=True
    )
    data = models.JSONField(_("printed data"))
    pdf = models.BinaryField(_("PDF"))
    regenerated_at_migration = models.BooleanField(
        _("drawn again at migration"),
        default=False,
        help_text=_(
            "Issued before invoices were stored: its PDF was drawn from the data of the day "
            "of the migration."
        ),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "kind", "issued_at"], name="invoice_journal")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="credit_note_names_its_invoice",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def filename(self) -> str:
        prefix = "credit-note" if self.is_credit_note else "invoice"
        return f"{prefix}-{self.number}.pdf"


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
    # Invoice / bank transfer: the payer's details as given, then the invoice issued for them
    # (one invoice may cover the registrations of several attendees).
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("invoice"),
    )
    credit_note = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credited_payments",
        verbose_name=_("credit note"),
    )
    purchase_order_number = models.CharField(
        _("purchase order or commitment number"),
        max_length=100,
        blank=True,
        validators=[validate_single_line],
    )
    billing_name = models.CharField(
        _("paying body"), max_length=200, blank=True, validators=[validate_single_line]
    )
    billing_address = models.TextField(
        _("billing address"), blank=True, validators=[validate_multi_line]
    )
    billing_siret = models.CharField(_("payer's SIRET"), max_length=14, blank=True)
    billing_service_code = models.CharField(
        _("Chorus Pro service code"),
        max_length=100,
        blank=True,
        validators=[validate_single_line],
    )
    billing_email = models.EmailField(_("payer's email"), blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        # The table created when the model lived in `registrations`, kept so that no row moves.
        db_table = "registrations_payment"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["flag"], name="payment_flag")]

    def __str__(self):
        return f"{self.get_method_display()} #{self.pk} — {self.registration}"

    @property
    def invoice_number(self) -> str | None:
        return self.invoice.number if self.invoice_id else None


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
