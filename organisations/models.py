"""Organisations and their members: who runs events, who may do what, and the legal details
printed on invoices.

The tables keep their first names (`events_organisation`, `events_membership`): the models moved
here from `events` without copying a row (see migrations/0001_initial.py).
"""

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.text import validate_multi_line, validate_single_line
from organisations.validators import (
    validate_bic,
    validate_iban,
    validate_siret,
    validate_vat_number,
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(zone)s” is not a known time zone."), params={"zone": value})


def default_payment_terms() -> int:
    """New organisations' payment terms: the INVOICE_RELEASE_DAYS setting (30 days)."""
    return settings.INVOICE_RELEASE_DAYS


# The categories of personal data with a retention period (issue 13), each the name of a field
# of Organisation and of Event (the event's override): `retention_<category>_months`.
RETENTION_CATEGORIES = ("registrations", "checkins", "emails", "unpaid")


def retention_field(category: str) -> str:
    return f"retention_{category}_months"


# How long accounting documents and what tells of them are kept: 10 years (Code de commerce
# L123-22). Invoices and credit notes are never anonymised; the audit trail's entries about
# payments and invoices (actions `payment.*`, `invoice.*`) are kept as long.
ACCOUNTING_RETENTION_MONTHS = 120


class VatRegime(models.TextChoices):
    """How an organisation's sales stand with VAT: subject to it (a VAT number, a rate per
    ticket type) or exempt on one of the usual bases, whose mention the invoice prints."""

    SUBJECT = "subject", _("subject to VAT (rates per ticket type)")
    FRANCHISE = "293B", _("VAT not applicable, art. 293 B of the CGI")
    TRAINING = "261-4-4", _("VAT exempt, art. 261-4-4° of the CGI (continuing training)")
    PUBLIC = "256B", _("VAT not applicable, art. 256 B of the CGI (public body)")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    website = models.URLField(_("website"), blank=True)
    # Legal details printed on invoices (French public bodies pay on invoice). Only owners
    # change them (organisations/admin.py); an organisation issues no invoice until they are
    # complete and valid (`invoicing_problems`, organisations/invoicing.py).
    legal_name = models.CharField(
        _("legal name"), max_length=200, blank=True, validators=[validate_single_line]
    )
    address = models.TextField(_("street address"), blank=True, validators=[validate_multi_line])
    postcode = models.CharField(
        _("postcode"), max_length=16, blank=True, validators=[validate_single_line]
    )
    city = models.CharField(
        _("city"), max_length=100, blank=True, validators=[validate_single_line]
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        default="FR",
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Enter a two-letter country code (FR)."))],
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    vat_regime = models.CharField(
        _("VAT"), max_length=20, choices=VatRegime.choices, default=VatRegime.FRANCHISE
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=20, blank=True, validators=[validate_vat_number]
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    invoice_email = models.EmailField(
        _("accounts email"),
        blank=True,
        help_text=_("Printed on invoices for the payers' questions."),
    )
    # Payment terms: the due date of an invoice, what is printed about late payment, and what
    # happens to an unpaid seat.
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"),
        default=default_payment_terms,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("30 days by default; 50 days for public hospitals (at most 60)."),
    )
    late_payment_rate = models.DecimalField(
        _("late-payment penalty rate (% a year)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "Leave empty for the legal default: the European Central Bank's rate plus 10 points."
        ),
    )
    early_payment_discount = models.DecimalField(
        _("early-payment discount (%)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("50"))],
        help_text=_("Leave empty for none (the invoice says so)."),
    )
    unpaid_seat_release_days = models.PositiveSmallIntegerField(
        _("release unpaid seats (days after the due date)"),
        null=True,
        blank=True,
        default=0,
        help_text=_(
            "An unpaid seat is never released before its invoice is due. Leave empty to "
            "keep unpaid seats until you cancel them."
        ),
    )
    # How long personal data is kept after an event ends (RGPD, issue 13), by category; an
    # event may override each (events.Event). `apply_retention` anonymises what is past its
    # period (registrations/retention.py). Invoices and credit notes are no category: kept for
    # the accounting period (10 years, Code de commerce L123-22), never touched.
    retention_registrations_months = models.PositiveSmallIntegerField(
        _("registrations and invitations (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Months after the event's end before its attendees' and guests' personal data is "
            "anonymised (12 by default). The anonymous counts remain. Invoices and credit "
            "notes are kept for the accounting period (10 years, Code de commerce L123-22) "
            "whatever this says."
        ),
    )
    retention_checkins_months = models.PositiveSmallIntegerField(
        _("check-in records (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Months after the event's end before its scans are deleted (12 by default)."),
    )
    retention_emails_months = models.PositiveSmallIntegerField(
        _("sent emails (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Months after an email was written before its record in the outbox is deleted, "
            "once the event has ended (3 by default)."
        ),
    )
    retention_unpaid_months = models.PositiveSmallIntegerField(
        _("unpaid-seat history (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Months after the event's end before registrations that ended expired or "
            "cancelled without being paid are anonymised, with their unpaid payments "
            "(3 by default)."
        ),
    )
    # The audit trail is the organisation's, not an event's: one period for all its entries
    # (registrations/retention.py), those about payments and invoices excepted.
    retention_trail_months = models.PositiveSmallIntegerField(
        _("audit trail (months)"),
        default=36,
        validators=[MinValueValidator(12), MaxValueValidator(ACCOUNTING_RETENTION_MONTHS)],
        help_text=_(
            "Months after an entry of the audit trail was written before it is deleted (36 by "
            "default, 12 at least): long enough to answer a dispute or an accounting officer's "
            "question about who changed what in a season's events, short enough to be "
            "proportionate. Entries about payments and invoices are kept for the accounting "
            "period (10 years) whatever this says."
        ),
    )
    # Where the organisation keeps its books: an invoice belongs to the year of its date there.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone]
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations", blank=True
    )

    class Meta:
        # The table created when the model lived in `events`, kept so that no row moves.
        db_table = "events_organisation"
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        ORGANISER = "organiser", _("organiser")
        DOOR_STAFF = "door_staff", _("door staff")

    # Roles that may edit the organisation's programme in the back office and the API.
    EDITOR_ROLES = (Role.OWNER, Role.ORGANISER)

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ORGANISER)

    class Meta:
        # The table created when the model lived in `events`, kept so that no row moves.
        db_table = "events_membership"
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique_user"),
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"
