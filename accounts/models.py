from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.text import validate_single_line


class ApiToken(models.Model):
    """A key that a person's programs send to the API (`Authorization: Token <key>`), acting as
    that person.

    Only a SHA-256 digest of the key is stored: the key is shown once, when the token is made,
    and a copy of the database lets nobody call the API. Several per person, each named for
    what it serves, revoked rather than deleted so that the trail keeps naming them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the token is for, for example “Site du laboratoire”."),
        validators=[validate_single_line],
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("prefix"),
        max_length=8,
        editable=False,
        help_text=_("The first characters of the key, to tell tokens apart."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("Empty: the token works until it is revoked."),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def has_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
