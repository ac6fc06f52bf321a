"""The events organisations run: venues, rooms, tracks and the programme.

Text the public reads (titles, descriptions, names) is translated by modeltranslation, see
`events/translation.py`: each such field has `_fr` and `_en` columns.
"""

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.text import validate_multi_line, validate_single_line
from organisations.models import Organisation, retention_field, validate_time_zone
from speakers.models import Speaker


class Venue(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="venues",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    street = models.CharField(
        _("street address"), max_length=255, blank=True, validators=[validate_single_line]
    )
    postal_code = models.CharField(
        _("postal code"), max_length=10, blank=True, validators=[validate_single_line]
    )
    city = models.CharField(_("city"), max_length=100, validators=[validate_single_line])
    country = models.CharField(_("country"), max_length=2, default="FR")

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.city}"

    @property
    def address(self) -> str:
        locality = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.name, self.street, locality) if part)


_OVERRIDE_HELP = _(
    "Leave empty to keep the organisation's period. Invoices and credit notes are kept for the "
    "accounting period (10 years) whatever this says."
)


class Event(models.Model):
    class Kind(models.TextChoices):
        COLLOQUIUM = "colloquium", _("colloquium")
        CEREMONY = "ceremony", _("ceremony")
        CONFERENCE = "conference", _("conference")
        SEMINAR = "seminar", _("seminar")

    class Access(models.TextChoices):
        PUBLIC = "public", _("public registration")
        INVITATION = "invitation", _("by invitation only")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.COLLOQUIUM)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    subtitle = models.CharField(
        _("subtitle"), max_length=300, blank=True, validators=[validate_single_line]
    )
    description = models.TextField(_("description"), blank=True, validators=[validate_multi_line])
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
        verbose_name=_("venue"),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone]
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    access = models.CharField(
        _("access"), max_length=20, choices=Access.choices, default=Access.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Seats for the whole event; empty for no limit."),
    )
    has_waiting_list = models.BooleanField(
        _("waiting list"),
        default=True,
        help_text=_("When full, later registrations queue for a seat."),
    )
    offer_validity_hours = models.PositiveIntegerField(
        _("seat offer valid for (hours)"),
        default=48,
        help_text=_("How long a person from the waiting list has to claim a freed seat."),
    )
    # Retention periods of this event's personal data, overriding the organisation's (empty:
    # the organisation's); see Organisation and registrations/retention.py.
    retention_registrations_months = models.PositiveSmallIntegerField(
        _("registrations and invitations (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_OVERRIDE_HELP,
    )
    retention_checkins_months = models.PositiveSmallIntegerField(
        _("check-in records (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_OVERRIDE_HELP,
    )
    retention_emails_months = models.PositiveSmallIntegerField(
        _("sent emails (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_OVERRIDE_HELP,
    )
    retention_unpaid_months = models.PositiveSmallIntegerField(
        _("unpaid-seat history (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_OVERRIDE_HELP,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Grows when the event's own date, place or status changes: the attendees' invitations
    # carry it (added to each registration's own sequence) so that calendars replace them.
    calendar_sequence = models.PositiveIntegerField(_("version"), default=0, editable=False)
    # The last change of anything the event's calendars show (the event, its sessions, rooms,
    # tracks, venue, speakers): feeds answer 304 Not Modified while it stays the same.
    programme_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="event_end_after_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})

    def retention_months(self, category: str) -> int:
        """The retention period of `category` (organisations.models.RETENTION_CATEGORIES) for
        this event: its own override, else its organisation's."""
        field = retention_field(category)
        own = getattr(self, field)
        return own if own is not None else getattr(self.organisation, field)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_invitation_only(self) -> bool:
        return self.access == self.Access.INVITATION

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Room(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["event_id", "position", "name"]

    def __str__(self):
        return self.name


class Track(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    slug = models.SlugField(_("identifier"), max_length=80)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1d4f91",
        help_text=_("Hexadecimal code, for example #1d4f91."),
    )

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["event_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="track_unique_slug_per_event"),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"), name="track_colour_hex"
            ),
        ]

    def __str__(self):
        return self.name


class Session(models.Model):
    """A programme item. `sequence` grows on every change attendees must hear of (RFC 5545)."""

    class Type(models.TextChoices):
        PLENARY = "plenary", _("plenary session")
        KEYNOTE = "keynote", _("keynote")
        ROUND_TABLE = "round_table", _("round table")
        WORKSHOP = "workshop", _("workshop")
        TALK = "talk", _("talk")
        SPEECH = "speech", _("speech")
        SIGNING = "signing", _("signing")
        RECEPTION = "reception", _("reception")
        WELCOME = "welcome", _("welcome")
        BREAK = "break", _("break")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event")
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.TALK)
    title = models.CharField(_("title"), max_length=255, validators=[validate_single_line])
    abstract = models.TextField(_("abstract"), blank=True, validators=[validate_multi_line])
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("room"),
    )
    track = models.ForeignKey(
        Track,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("track"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED
    )
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Untick to show the session only to partners and organisers."),
    )
    capacity = models.PositiveIntegerField(
        _("seats"),
        null=True,
        blank=True,
        help_text=_("Leave empty if the session has no capacity of its own."),
    )
    requires_signup = models.BooleanField(_("sign-up required"), default=False)
    sequence = models.PositiveIntegerField(_("version"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
            # "Inside its event's dates" spans two tables: a trigger enforces it, see
            # events/migrations/0002_session_within_event.py.
        ]
        indexes = [models.Index(fields=["event", "start"], name="session_event_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:session", kwargs={"slug": self.event.slug, "pk": self.pk})

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The end must be after the start.")
        event = self.event if self.event_id else None
        if event and self.start and self.end and (self.start < event.start or self.end > event.end):
            errors.setdefault(
                "start",
                _("The session must take place during the event (from %(start)s to %(end)s).")
                % {"start": _local(event.start, event), "end": _local(event.end, event)},
            )
        for field in ("room", "track"):
            related = getattr(self, field)
            if related is not None and event is not None and related.event_id != event.pk:
                errors[field] = _("Choose one of this event's.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


def _local(moment, event) -> str:
    return moment.astimezone(event.zone).strftime("%d/%m/%Y %H:%M")


class ProgrammeChange(models.Model):
    """One change attendees must hear of: a session moved (time or room), cancelled, restored
    or deleted, or the event itself moved (dates, venue), cancelled or restored. The event
    page shows them as the public log of programme changes; `notified_at` is set once the
    people concerned were emailed (one email per person gathers the changes made within
    PROGRAMME_UPDATE_DELAY).

    `before` and `after` keep what the calendars showed, as text already resolved (ISO instants,
    the room's name in both languages, the status, the calendar SEQUENCE), so the log stays true
    after a room is renamed or a session deleted. `session_pk` keeps the session's id (its
    calendar UID) once the session is deleted; `held_by` then keeps who held it, since their
    sign-ups and roles go with it. Written only by `events.services`."""

    class Kind(models.TextChoices):
        SESSION_CHANGED = "session_changed", _("session changed")
        SESSION_CANCELLED = "session_cancelled", _("session cancelled")
        SESSION_RESTORED = "session_restored", _("session restored")
        EVENT_CHANGED = "event_changed", _("event changed")
        EVENT_CANCELLED = "event_cancelled", _("event cancelled")
        EVENT_RESTORED = "event_restored", _("event reinstated")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="changes", verbose_name=_("event")
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("session"),
    )
    session_pk = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    # For a deleted session: {"registrations": [ids], "speakers": [ids]} linked to it then.
    held_by = models.JSONField(default=dict, blank=True, editable=False)
    kind = models.CharField(_("change"), max_length=20, choices=Kind.choices)
    # The session's title when the change was made, in both languages: {"fr": …, "en": …}.
    title = models.JSONField(_("title"), default=dict, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Shown in the event's public log of changes.")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    notified_at = models.DateTimeField(_("people notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme change")
        verbose_name_plural = _("programme changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["notified_at", "changed_at"], name="programme_change_pending")
        ]

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_about_session(self) -> bool:
        return self.session_pk is not None


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class PartnerFeed(models.Model):
    """A partner's private calendar feed, `/feeds/<token>/calendar.ics`: the events an
    organisation shares with that partner, and, if the organiser says so, the sessions not
    shown publicly. The token is random (256 bits) and revocable; a revoked token answers 404
    like one that never existed."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="partner_feeds",
        verbose_name=_("organisation"),
    )
    name = models.CharField(
        _("partner"),
        max_length=200,
        help_text=_("For example “Caisse des dépôts”."),
        validators=[validate_single_line],
    )
    token = models.CharField(max_length=64, unique=True, editable=False, default=new_feed_token)
    events = models.ManyToManyField(
        Event, related_name="partner_feeds", blank=True, verbose_name=_("shared events")
    )
    includes_private_sessions = models.BooleanField(
        _("includes sessions not shown publicly"), default=False
    )
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
    # Set when the feed's settings or shared events change: part of its ETag.
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("partner feed")
        verbose_name_plural = _("partner feeds")
        ordering = ["organisation_id", "name", "pk"]

    def __str__(self):
        return self.name

    def get_feed_url(self):
        """The feed's address: a secret for the partner and the organisation's owners and
        organisers, so never the absolute URL (see events/admin_site.py)."""
        return reverse("events:partner-feed", kwargs={"token": self.token})

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SessionSpeaker(models.Model):
    """A speaker's part in a session (speaker, chair…), in programme order."""

    class Role(models.TextChoices):
        SPEAKER = "speaker", _("speaker")
        CHAIR = "chair", _("chair")
        MODERATOR = "moderator", _("moderator")
        DISCUSSANT = "discussant", _("discussant")
        SIGNATORY = "signatory", _("signatory")

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="session_speakers",
        verbose_name=_("session"),
    )
    speaker = models.ForeignKey(
        Speaker, on_delete=models.CASCADE, related_name="session_roles", verbose_name=_("speaker")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SPEAKER)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        # Moved from speakers/ with its table (issue 11).
        db_table = "speakers_sessionspeaker"
        verbose_name = _("session role")
        verbose_name_plural = _("session roles")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker", "role"], name="session_speaker_unique_role"
            ),
        ]

    def __str__(self):
        return f"{self.speaker} — {self.get_role_display()}"
