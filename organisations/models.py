"""Organisations and their members: who runs events, who may do what, and the legal details
printed on invoices.

The tables keep their first names (`events_organisation`, `events_membership`): the models moved
here from `events` without copying a row (see migrations/0001_initial.py).
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.text import validate_multi_line, validate_single_line


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(zone)s” is not a known time zone."), params={"zone": value})


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    website = models.URLField(_("website"), blank=True)
    # Legal details printed on invoices (French public bodies pay on invoice).
    legal_name = models.CharField(
        _("legal name"), max_length=200, blank=True, validators=[validate_single_line]
    )
    address = models.TextField(_("address"), blank=True, validators=[validate_multi_line])
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[
            RegexValidator(r"^\d{14}$", _("A SIRET number is made of 14 digits."), code="siret")
        ],
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=20, blank=True, validators=[validate_single_line]
    )
    vat_mention = models.CharField(
        _("VAT mention"),
        max_length=200,
        blank=True,
        default="TVA non applicable, art. 293 B du CGI",
        validators=[validate_single_line],
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
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
