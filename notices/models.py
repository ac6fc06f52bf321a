"""What the site tells people about their data and itself: each organisation's privacy notice
(versioned: a registration records the version it accepted), the site's legal notice
(mentions légales) and its accessibility statement (RGAA)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation


class PrivacyNotice(models.Model):
    """One published version of an organisation's privacy notice. Versions are never changed:
    owners publish a new one (`notices.services.publish_privacy_notice`)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="privacy_notices",
        verbose_name=_("organisation"),
    )
    version = models.PositiveIntegerField(_("version"))
    text_fr = models.TextField(_("text in French"))
    text_en = models.TextField(_("text in English"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["organisation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="privacy_notice_one_version_number"
            ),
        ]

    def __str__(self):
        return _("%(organisation)s, version %(version)d") % {
            "organisation": self.organisation,
            "version": self.version,
        }

    @property
    def text(self) -> str:
        """The text in the current language (French when English is missing)."""
        if translation.get_language() == "en" and self.text_en.strip():
            return self.text_en
        return self.text_fr


class SiteText(models.Model):
    """A page of the site as a whole, edited by its superusers: one row per kind."""

    text_fr = models.TextField(_("text in French"))
    text_en = models.TextField(_("text in English"))
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        abstract = True

    @property
    def text(self) -> str:
        if translation.get_language() == "en" and self.text_en.strip():
            return self.text_en
        return self.text_fr


class LegalNotice(SiteText):
    """Mentions légales: publisher, director of publication, host (LCEN art. 6)."""

    publisher = models.TextField(
        _("publisher"), help_text=_("Name, legal form, address and registration number.")
    )
    publisher_contact = models.CharField(
        _("publisher's contact"), max_length=200, help_text=_("An email address or a telephone.")
    )
    publication_director = models.CharField(_("director of publication"), max_length=200)
    host = models.TextField(_("host"), help_text=_("Name, address and telephone of the host."))

    class Meta:
        verbose_name = _("legal notice")
        verbose_name_plural = _("legal notice")

    def __str__(self):
        return str(_("Legal notice"))


class AccessibilityStatement(SiteText):
    """The accessibility statement in the form the RGAA requires. Its status claims no more
    than an audit has measured: "fully compliant" needs an audit at 100 %, "partially" an
    audit or the automated checks described as such in the text."""

    class Status(models.TextChoices):
        NON_COMPLIANT = "non", _("not compliant")
        PARTIAL = "partial", _("partially compliant")
        FULL = "full", _("fully compliant")

    status = models.CharField(
        _("compliance status"), max_length=10, choices=Status.choices, default=Status.NON_COMPLIANT
    )
    audit_date = models.DateField(
        _("date of the RGAA audit"), null=True, blank=True, help_text=_("Empty: no audit yet.")
    )
    audit_rate = models.DecimalField(
        _("share of RGAA criteria met (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    audited_by = models.CharField(_("audited by"), max_length=200, blank=True)
    contact = models.CharField(
        _("accessibility contact"),
        max_length=200,
        help_text=_("Where people report a barrier or ask for content in another form."),
    )

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statement")

    def __str__(self):
        return str(_("Accessibility statement"))

    def clean(self):
        super().clean()
        has_audit = self.audit_date is not None and self.audit_rate is not None
        if (self.audit_date is None) != (self.audit_rate is None):
            raise ValidationError(
                _("Give both the date of the audit and the share of criteria met, or neither.")
            )
        if self.status == self.Status.FULL and not (has_audit and self.audit_rate == 100):
            raise ValidationError(
                {
                    "status": _(
                        "A site is fully compliant only after an RGAA audit that finds 100 % "
                        "of the criteria met."
                    )
                }
            )
