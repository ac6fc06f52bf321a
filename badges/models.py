"""Sheets of badges to print, built in the background (badges/tasks.py).

The table keeps its first name (see migrations/0001_initial.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event


class BadgeSheet(models.Model):
    """A PDF of an event's badges, several to an A4 page, built by a background task
    (`badges.tasks.build_badge_sheet`) that records its progress as it goes.

    The PDF is kept in the database, never under MEDIA_ROOT: it holds every attendee's badge
    token, which opens the door, so it is served only through the back office, to the
    organisers of the event's organisation."""

    # The sizes of badge stock sold in France; see badges.render.SHEET_LAYOUTS.
    class Layout(models.TextChoices):
        A6 = "a6", _("A6 (105 × 148 mm), 4 per A4 page")  # noqa: RUF001
        A7 = "a7", _("A7 (74 × 105 mm), 8 per A4 page")  # noqa: RUF001
        CARD_90X55 = "card_90x55", _("Card 90 × 55 mm, 10 per A4 page")  # noqa: RUF001
        CARD_85X54 = (
            "card_85x54",
            _("Card 85 × 54 mm (credit card size), 10 per A4 page"),  # noqa: RUF001
        )

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="badge_sheets", verbose_name=_("event")
    )
    layout = models.CharField(_("layout"), max_length=20, choices=Layout.choices, default=Layout.A6)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("badges"), default=0)
    done = models.PositiveIntegerField(_("badges drawn"), default=0)
    pdf = models.BinaryField(null=True, editable=False)
    pdf_size = models.PositiveIntegerField(_("size (bytes)"), default=0, editable=False)
    # The language of the labels on the badges (ticket category), the organiser's.
    language = models.CharField(_("language"), max_length=5, default="fr", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)

    class Meta:
        # The table created when the model lived in `registrations`, kept so that no row moves.
        db_table = "registrations_badgesheet"
        verbose_name = _("badge sheet")
        verbose_name_plural = _("badge sheets")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="badge_sheet_done_within_total"
            ),
        ]

    def __str__(self):
        return f"{self.event} — {self.get_layout_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
