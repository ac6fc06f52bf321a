"""Speakers: their profiles, photos and consent. The part they take in sessions is
`events.models.SessionSpeaker`."""

import secrets
from pathlib import PurePath

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.text import validate_multi_line, validate_single_line
from organisations.models import Organisation


def _photo_path(instance, filename):
    # Random names: a photo's address must not reveal who is on file or be guessable.
    return f"speakers/{secrets.token_urlsafe(12)}{PurePath(filename).suffix.lower()}"


class Speaker(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="speakers",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=150, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=160)
    title = models.CharField(
        _("role or title"),
        max_length=255,
        blank=True,
        help_text=_("For example: Director of Sciences Po Aix."),
        validators=[validate_single_line],
    )
    affiliation = models.CharField(
        _("affiliation"), max_length=255, blank=True, validators=[validate_single_line]
    )
    bio = models.TextField(_("biography"), blank=True, validators=[validate_multi_line])
    email = models.EmailField(_("email"), blank=True, help_text=_("Never published."))
    website = models.URLField(_("website"), blank=True)
    linkedin = models.URLField(_("LinkedIn"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=_photo_path, blank=True)
    photo_thumbnail = models.ImageField(_("thumbnail"), upload_to=_photo_path, blank=True)
    photo_consent = models.BooleanField(
        _("consent to publish the photo"),
        default=False,
        help_text=_("Without this consent the photo is never shown to the public."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="speaker_unique_slug_per_organisation"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self, event=None):
        return (
            reverse("events:speaker", kwargs={"slug": event.slug, "speaker": self.slug})
            if event
            else ""
        )

    @property
    def public_photo(self):
        """The photo the public may see, or None without consent."""
        return self.photo if self.photo and self.photo_consent else None

    @property
    def public_thumbnail(self):
        return self.photo_thumbnail if self.photo_thumbnail and self.photo_consent else None

    @property
    def links(self) -> list[str]:
        return [url for url in (self.website, self.linkedin) if url]
