"""The door's data: checkpoints, scanner devices and the log of scans (check-ins).

The rules (who gets in, the device cache, the offline bundle) live in `checkin/services.py`;
attendance figures and certificates read these models (`checkin/attendance.py`). The tables
keep their names from when these models lived in `registrations` (`Meta.db_table`).
"""

from datetime import date, datetime, time, timedelta, tzinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.text import validate_single_line
from events.models import Event, Session
from registrations.models import Registration


class Checkpoint(models.Model):
    """A place where badges are scanned: the event's entrance, or a session with its own list."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="checkpoints", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checkpoints",
        verbose_name=_("session"),
        help_text=_("Leave empty for the event's entrance."),
    )
    allows_reentry = models.BooleanField(
        _("re-entry allowed"),
        default=False,
        help_text=_("A badge already scanned here is let in again (shown as a return)."),
    )
    records_exits = models.BooleanField(_("exit scans"), default=False)
    admits_unpaid_invoices = models.BooleanField(
        _("admit unpaid invoices"),
        default=True,
        help_text=_(
            "Public bodies pay after the event (service fait): a registration whose invoice is "
            "issued but unpaid is let in."
        ),
    )
    opens_at = models.DateTimeField(
        _("opens at"),
        null=True,
        blank=True,
        help_text=_("Empty: two hours before the event or one hour before the session."),
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("Empty: the end of the event or session."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        db_table = "registrations_checkpoint"
        ordering = ["event_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(session__isnull=True),
                name="checkpoint_one_entrance_per_event",
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(session__isnull=False),
                name="checkpoint_one_per_session",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="checkpoint_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_entrance(self) -> bool:
        return self.session_id is None


class ScannerDevice(models.Model):
    """A phone, laptop or hand-held scanner allowed to check badges in at one event.

    Only a SHA-256 digest of its token is stored: the token is shown once, when the device is
    created, and a copy of the database lets nobody scan."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="scanner_devices", verbose_name=_("event")
    )
    name = models.CharField(
        _("gate"),
        max_length=100,
        help_text=_("For example “Entrée nord”."),
        validators=[validate_single_line],
    )
    checkpoint = models.ForeignKey(
        Checkpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("default checkpoint"),
        help_text=_("Empty: the event's entrance."),
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("scanner device")
        verbose_name_plural = _("scanner devices")
        db_table = "registrations_scannerdevice"
        ordering = ["event_id", "name", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


# An event's day ends at this local time, not at midnight: a reception that runs past midnight
# belongs to the evening before.
DAY_ENDS_AT = time(4)


def attendance_day(moment: datetime, zone: tzinfo) -> date:
    """The event day `moment` belongs to, in the event's time zone `zone`: its local date, or
    the day before until 04:00."""
    local = moment.astimezone(zone)
    day = local.date()
    return day - timedelta(days=1) if local.time() < DAY_ENDS_AT else day


class CheckIn(models.Model):
    """One scan at a checkpoint, whatever its answer: the door's log, never edited.

    `is_first_entry` marks the scan that admitted the person at this checkpoint the first time
    on its `attendance_day` (see `attendance_day`); the database allows one per registration,
    checkpoint and day, so two devices scanning the same badge at the same instant cannot both
    admit it, and on the second day of an event everyone's first scan admits them again."""

    class Result(models.TextChoices):
        OK = "ok", _("admitted")
        ALREADY_CHECKED_IN = "already_checked_in", _("already checked in")
        UNKNOWN = "unknown", _("unknown badge")
        CANCELLED = "cancelled", _("registration cancelled")
        NOT_PAID = "not_paid", _("not paid")
        WRONG_EVENT = "wrong_event", _("another event's badge")
        NOT_VALID_NOW = "not_valid_now", _("not valid here or now")

    class Direction(models.TextChoices):
        ENTRY = "entry", _("entry")
        EXIT = "exit", _("exit")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("event")
    )
    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="checkins", verbose_name=_("checkpoint")
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("registration"),
    )
    device = models.ForeignKey(
        ScannerDevice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("device"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scanned by"),
    )
    # The device's name or the staff member's, as it was at the scan.
    gate = models.CharField(_("gate"), max_length=150)
    direction = models.CharField(
        _("direction"), max_length=5, choices=Direction.choices, default=Direction.ENTRY
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    reason = models.CharField(_("reason"), max_length=30, blank=True)
    is_first_entry = models.BooleanField(default=False, editable=False)
    scanned_at = models.DateTimeField(_("scanned at"))
    # The event day of `scanned_at`, in the event's time zone: see `attendance_day`.
    attendance_day = models.DateField(_("day"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    nonce = models.CharField(_("client nonce"), max_length=64)
    is_offline = models.BooleanField(_("scanned offline"), default=False)
    # What an offline device showed at the door (it decided from its downloaded list).
    client_result = models.CharField(
        _("answer shown offline"), max_length=20, choices=Result.choices, blank=True
    )
    # Corrections (checkin/corrections.py). An admission made by mistake is annulled: the row
    # stays in the log, counts for nothing and is no longer the day's first entry.
    annulled_at = models.DateTimeField(_("annulled at"), null=True, blank=True, editable=False)
    annulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("annulled by"),
    )
    # The device's name or the staff member's, as it was when annulling.
    annulled_by_label = models.CharField(
        _("annulled from"), max_length=150, blank=True, editable=False
    )
    annul_reason = models.CharField(
        _("reason for annulling"), max_length=300, blank=True, editable=False
    )
    # A refusal the door staff overrode: this scan admitted the person despite it.
    overrides = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="override",
        editable=False,
        verbose_name=_("overrides the refusal"),
    )
    override_reason = models.CharField(
        _("reason for admitting"), max_length=300, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        db_table = "registrations_checkin"
        ordering = ["-scanned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "nonce"], name="checkin_nonce_once_per_event"),
            models.UniqueConstraint(
                fields=["registration", "checkpoint", "attendance_day"],
                condition=Q(is_first_entry=True),
                name="checkin_one_first_entry_a_day",
            ),
            models.CheckConstraint(
                condition=Q(annulled_at__isnull=True) | Q(is_first_entry=False),
                name="checkin_annulled_is_no_first_entry",
            ),
        ]
        indexes = [
            models.Index(fields=["registration", "checkpoint"], name="checkin_registration"),
            models.Index(fields=["checkpoint", "result", "scanned_at"], name="checkin_arrivals"),
        ]

    def __str__(self):
        return f"{self.get_result_display()} — {self.gate} — {self.scanned_at:%Y-%m-%d %H:%M}"

    @property
    def is_annulled(self) -> bool:
        return self.annulled_at is not None

    @property
    def is_conflict(self) -> bool:
        """Admitted by an offline device although the server, told later, would not have."""
        return (
            self.is_offline
            and self.client_result == self.Result.OK
            and self.result != self.Result.OK
            and self.annulled_at is None
        )
