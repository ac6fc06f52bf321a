"""Ticket types, registrations, session sign-ups, invitations and the email outbox.

The rules (capacity, waiting list, invitations) live in `registrations/services.py`; these
models hold the data and the invariants the database can back: one active seat per email and
event, one registration per invitation, random unique tokens.
"""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.text import validate_multi_line, validate_single_line
from events.models import Event, Session
from notices.models import PrivacyNotice
from organisations.models import VatRegime


def new_token() -> str:
    """256 random bits, URL-safe: unguessable, never sequential."""
    return secrets.token_urlsafe(32)


def new_badge_token() -> str:
    """144 random bits, URL-safe, 24 characters: short enough for a small QR code (version 2)
    that a phone camera reads from a printed badge, far beyond guessing."""
    return secrets.token_urlsafe(18)


# The French VAT rates a ticket may carry (art. 278 to 281 nonies of the CGI).
VAT_RATES = [
    (Decimal("0.00"), _("0%")),
    (Decimal("2.10"), _("2.1%")),
    (Decimal("5.50"), _("5.5%")),
    (Decimal("10.00"), _("10%")),
    (Decimal("20.00"), _("20%")),
]


class TicketType(models.Model):
    class Category(models.TextChoices):
        STUDENT = "student", _("student")
        PROFESSIONAL = "professional", _("professional")
        ELECTED = "elected", _("elected official")
        ACADEMIC = "academic", _("academic")
        PARTNER = "partner", _("partner")
        PRESS = "press", _("press")
        GUEST = "guest", _("guest")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="ticket_types", verbose_name=_("event")
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.PROFESSIONAL
    )
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    description = models.TextField(_("description"), blank=True, validators=[validate_multi_line])
    price = models.DecimalField(
        _("price"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("0 for a free ticket."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=4,
        decimal_places=2,
        choices=VAT_RATES,
        default=Decimal("0.00"),
        help_text=_(
            "For an organisation subject to VAT: the price above includes it. 0 when the "
            "organisation is exempt."
        ),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit of its own.")
    )
    sale_start = models.DateTimeField(_("sale starts"), null=True, blank=True)
    sale_end = models.DateTimeField(_("sale ends"), null=True, blank=True)
    is_public = models.BooleanField(
        _("offered on the public form"),
        default=True,
        help_text=_("Untick for tickets given only through invitations or by organisers."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    refundable_until_days = models.PositiveSmallIntegerField(
        _("refundable until (days before the event)"),
        null=True,
        blank=True,
        help_text=_(
            "A paid registration cancelled at least this many days before the event starts is "
            "refunded by card. Leave empty for no refund."
        ),
    )
    allows_card = models.BooleanField(_("payable by card"), default=True)
    allows_invoice = models.BooleanField(
        _("payable on invoice"),
        default=False,
        help_text=_("Public bodies may then pay by bank transfer against an invoice."),
    )

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["event_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="ticket_type_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(sale_start__isnull=True)
                | Q(sale_end__isnull=True)
                | Q(sale_end__gt=models.F("sale_start")),
                name="ticket_type_sale_end_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            organisation = self.event.organisation
        except ObjectDoesNotExist:  # a form still missing its event: it says so itself
            return
        if self.vat_rate and organisation.vat_regime != VatRegime.SUBJECT:
            raise ValidationError(
                {
                    "vat_rate": _(
                        "%(organisation)s is not subject to VAT (%(regime)s): its tickets "
                        "carry a VAT rate of 0%%. Change its VAT status first if it has become "
                        "subject to VAT."
                    )
                    % {
                        "organisation": organisation.name,
                        "regime": organisation.get_vat_regime_display(),
                    }
                }
            )

    @property
    def includes_vat(self) -> bool:
        """Whether the price includes VAT that the public pages should state: the
        organisation is subject to VAT (the rate may then be 0)."""
        return self.event.organisation.vat_regime == VatRegime.SUBJECT

    @property
    def is_free(self) -> bool:
        return self.price == 0

    def is_on_sale(self, at=None) -> bool:
        at = at or timezone.now()
        return (self.sale_start is None or self.sale_start <= at) and (
            self.sale_end is None or at < self.sale_end
        )


class SeatCount(models.Model):
    """How many seats of a ticket type are held (confirmed, awaiting payment, offered).

    Written only by registrations.services, under the event's seat lock, so that checking
    capacity reads a few rows instead of counting every registration. A table of its own:
    saving a TicketType or an Event (admin, demo data) can never write back a stale count."""

    ticket_type = models.OneToOneField(
        TicketType, on_delete=models.CASCADE, primary_key=True, related_name="seat_count"
    )
    held = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("seat count")
        verbose_name_plural = _("seat counts")

    def __str__(self):
        return f"{self.ticket_type}: {self.held}"


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("pending payment")
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waiting list")
        OFFERED = "offered", _("seat offered")
        CANCELLED = "cancelled", _("cancelled")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("offer expired")

    # Statuses that hold a seat, and those that still count as "registered" for the
    # one-seat-per-email rule (a waitlisted person may not queue twice).
    SEAT_HOLDING = (Status.PENDING_PAYMENT, Status.CONFIRMED, Status.OFFERED)
    ACTIVE = (Status.PENDING_PAYMENT, Status.CONFIRMED, Status.OFFERED, Status.WAITLISTED)
    # Statuses of the people expected at the door: confirmed, or holding their seat while the
    # payment is awaited (most often an invoice a public body pays after the event). They get
    # a badge, and their attendance is counted.
    EXPECTED = (Status.CONFIRMED, Status.PENDING_PAYMENT)

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event")
    )
    ticket_type = models.ForeignKey(
        TicketType,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("ticket type"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    first_name = models.CharField(
        _("first name"), max_length=100, validators=[validate_single_line]
    )
    last_name = models.CharField(_("last name"), max_length=100, validators=[validate_single_line])
    # Stored lower-cased; empty only for a guest's plus-one.
    email = models.EmailField(_("email"), blank=True)
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[validate_single_line]
    )
    job_title = models.CharField(
        _("role or title"), max_length=200, blank=True, validators=[validate_single_line]
    )
    institution = models.CharField(
        _("school or university"),
        max_length=200,
        blank=True,
        help_text=_("For students."),
        validators=[validate_single_line],
    )
    mandate = models.CharField(
        _("mandate"),
        max_length=200,
        blank=True,
        help_text=_("For elected officials."),
        validators=[validate_single_line],
    )
    accessibility_needs = models.TextField(
        _("accessibility needs"), blank=True, validators=[validate_multi_line]
    )
    language = models.CharField(_("language"), max_length=5, default="fr")
    consent_processing_at = models.DateTimeField(_("data processing accepted at"), null=True)
    consent_photos = models.BooleanField(_("agrees to be photographed"), default=False)
    consent_news = models.BooleanField(_("wants news of future events"), default=False)
    # When the attendee withdrew a consent from their page (registrations/privacy.py).
    consent_photos_withdrawn_at = models.DateTimeField(
        _("photo consent withdrawn at"), null=True, blank=True, editable=False
    )
    consent_news_withdrawn_at = models.DateTimeField(
        _("news consent withdrawn at"), null=True, blank=True, editable=False
    )
    # Set once the personal data is anonymised (registrations.privacy.erase_registration).
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    # What was accepted, with consent_processing_at (when): the privacy notice's version in
    # force and the boxes' wording as the person read it.
    privacy_notice = models.ForeignKey(
        PrivacyNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("privacy notice accepted"),
    )
    consent_wording = models.TextField(_("consent wording accepted"), blank=True)
    manage_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # What the badge's QR code holds; reissuing a badge replaces it (the old one then scans as
    # unknown). Separate from the manage token: a badge shown at the door opens nothing.
    badge_token = models.CharField(
        max_length=64, unique=True, default=new_badge_token, editable=False
    )
    invitation = models.OneToOneField(
        "Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registration",
        verbose_name=_("invitation"),
    )
    companion_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="companions",
        verbose_name=_("plus-one of"),
    )
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    # Grows with every change the attendee's calendar must replace (RFC 5545 SEQUENCE).
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    sessions = models.ManyToManyField(
        Session, through="SessionSignup", related_name="registrations", blank=True
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(status__in=["pending_payment", "confirmed", "offered", "waitlisted"])
                & ~Q(email=""),
                name="registration_one_active_seat_per_email",
            ),
            models.CheckConstraint(
                condition=~Q(email="") | Q(companion_of__isnull=False),
                name="registration_email_unless_plus_one",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"], name="registration_event_status"),
            models.Index(fields=["ticket_type", "status"], name="registration_ticket_status"),
            models.Index(fields=["event", "status", "created_at"], name="registration_queue"),
        ]

    def __str__(self):
        return self.full_name

    def get_personal_url(self):
        """The attendee's own page. A secret, theirs alone: never the absolute URL, which
        Django's admin and generic code hand to anyone (events/admin_site.py)."""
        return reverse("registrations:manage", kwargs={"token": self.manage_token})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_HOLDING

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class SessionSignup(models.Model):
    """A registration's place in a session that has its own capacity (a workshop)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="signups")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="signups")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("session sign-up")
        verbose_name_plural = _("session sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="signup_once_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.registration} — {self.session}"


class Invitation(models.Model):
    class Answer(models.TextChoices):
        PENDING = "pending", _("not answered")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        REVOKED = "revoked", _("withdrawn")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("event")
    )
    ticket_type = models.ForeignKey(
        TicketType,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("ticket type"),
    )
    first_name = models.CharField(
        _("first name"), max_length=100, validators=[validate_single_line]
    )
    last_name = models.CharField(_("last name"), max_length=100, validators=[validate_single_line])
    email = models.EmailField(_("email"))
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[validate_single_line]
    )
    job_title = models.CharField(
        _("role or title"), max_length=200, blank=True, validators=[validate_single_line]
    )
    plus_ones_allowed = models.PositiveSmallIntegerField(_("plus-ones allowed"), default=0)
    language = models.CharField(_("language"), max_length=5, default="fr")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    deadline = models.DateTimeField(_("answer before"))
    answer = models.CharField(
        _("answer"), max_length=20, choices=Answer.choices, default=Answer.PENDING
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set once the personal data is anonymised (registrations.privacy).
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="invitation_once_per_email"),
        ]
        indexes = [models.Index(fields=["event", "answer"], name="invitation_event_answer")]

    def __str__(self):
        return self.full_name

    def get_personal_url(self):
        """The guest's RSVP page: a secret, like a registration's (see get_personal_url)."""
        return reverse("registrations:invitation", kwargs={"token": self.token})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def is_open(self, at=None) -> bool:
        return (at or timezone.now()) < self.deadline and self.answer != self.Answer.REVOKED


class OutgoingEmail(models.Model):
    """The outbox: written in the transaction of the change that causes the email, delivered
    by a background task, retried until the mail server takes it.

    A worker claims a row for sending until `leased_until` (see emails.deliver): a row whose
    claim has expired (its worker was killed) is taken over by another."""

    class Kind(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("seat held awaiting payment")
        CONFIRMATION = "confirmation", _("confirmation")
        WAITLISTED = "waitlisted", _("waiting list")
        SEAT_OFFER = "seat_offer", _("seat offer")
        OFFER_EXPIRED = "offer_expired", _("offer expired")
        INVITATION = "invitation", _("invitation")
        REMINDER = "reminder", _("reminder")
        CANCELLATION = "cancellation", _("cancellation")
        ALREADY_REGISTERED = "already_registered", _("already registered")
        PAYMENT_RECEIPT = "payment_receipt", _("payment receipt")
        PAYMENT_EXPIRED = "payment_expired", _("payment not received")
        INVOICE = "invoice", _("invoice")
        INVOICE_REMINDER = "invoice_reminder", _("invoice reminder")
        CREDIT_NOTE = "credit_note", _("credit note")
        PAYMENT_FLAGGED = "payment_flagged", _("payment to check (organisers)")
        PROGRAMME_UPDATE = "programme_update", _("programme change")
        PASSWORD_RESET = "password_reset", _("password reset (staff)")
        BANK_DETAILS_CHANGED = "bank_details_changed", _("bank details changed (owners)")
        EMAIL_CHANGE = "email_change", _("email change to confirm")
        LOST_LINKS = "lost_links", _("personal links sent again")
        RETENTION_REPORT = "retention_report", _("retention report (owners)")

    # Kinds sent to the event's organisers rather than to the person concerned.
    ORGANISER_KINDS = (Kind.PAYMENT_FLAGGED,)

    # The state of the registration an email of these kinds tells of: once the registration
    # has left it, the email still queued is superseded (a later one tells the new state) and
    # is dropped rather than sent.
    QUEUED_FOR = {
        Kind.AWAITING_PAYMENT: Registration.Status.PENDING_PAYMENT,
        Kind.CONFIRMATION: Registration.Status.CONFIRMED,
    }

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SUPERSEDED = "superseded", _("not sent (superseded)")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    # A speaker who is not registered hears of the programme changes of their sessions.
    speaker = models.ForeignKey(
        "speakers.Speaker", on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    # A member of staff, for the emails about their account (password reset).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outgoing_emails",
    )
    # What a programme update tells of (see registrations.programme_updates).
    programme_changes = models.ManyToManyField(
        "events.ProgrammeChange", related_name="emails", blank=True
    )
    # What an email tells that no row keeps, frozen when it is queued (a bank details change:
    # who, when, the old and new values, already masked).
    facts = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Claimed for sending by a worker until then (None: not being sent).
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration__isnull=False)
                | Q(invitation__isnull=False)
                | Q(speaker__isnull=False)
                | Q(user__isnull=False),
                name="email_has_a_recipient",
            ),
            # One confirmation per registration: confirmed once, told once.
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(kind="confirmation"),
                name="one_confirmation_per_registration",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def recipient(self):
        """The registration, invitation, speaker or user the email is written to (a
        registration first: a speaker who registered is written to as an attendee)."""
        return self.registration or self.invitation or self.speaker or self.user

    @property
    def event(self) -> Event | None:
        """The event the email is about; a speaker's through the changes it tells of (None
        once that event is deleted)."""
        if self.registration is not None or self.invitation is not None:
            return self.recipient.event
        changes = list(self.programme_changes.all())
        return changes[0].event if changes else None


class GuestListImport(models.Model):
    """A guest list uploaded in the back office, imported by a background task
    (`registrations.guest_list_imports.import_guest_list`).

    The file is kept as uploaded. On upload it is only read: the preview's counts and the
    lines refused on reading are stored, and nothing is invited until the organiser confirms.
    The task then invites the guests batch by batch; each batch commits with `processed` and
    the report, so a task run again after a crash goes on where the last batch ended."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("awaiting confirmation")
        SCHEDULED = "scheduled", _("queued")
        RUNNING = "running", _("in progress")
        DONE = "done", _("done")
        FAILED = "failed", _("stopped by an error")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="guest_list_imports", verbose_name=_("event")
    )
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket type")
    )
    deadline = models.DateTimeField(_("answer before"))
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW
    )
    lines_read = models.PositiveIntegerField(_("lines read"), default=0)
    to_invite = models.PositiveIntegerField(_("guests to invite"), default=0)
    duplicates_in_file = models.PositiveIntegerField(_("duplicates in the file"), default=0)
    already_invited = models.PositiveIntegerField(_("already invited"), default=0)
    # (line, reason) pairs: those found on upload, then those met while importing.
    preview_errors = models.JSONField(default=list, editable=False)
    import_errors = models.JSONField(default=list, editable=False)
    ignored_columns = models.JSONField(default=list, editable=False)
    processed = models.PositiveIntegerField(_("guests processed"), default=0)
    created = models.PositiveIntegerField(_("invitations sent"), default=0)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    # The language of the report's reasons: the organiser's.
    language = models.CharField(_("language"), max_length=5, default="fr", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    # When the last batch committed: a running import that has not moved for a while lost
    # its worker (see `seems_stopped`).
    progressed_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    failure = models.TextField(_("error"), blank=True, editable=False)

    # A running import whose last batch is older than this lost its worker.
    STALLED_AFTER = timedelta(minutes=10)

    class Meta:
        verbose_name = _("guest list import")
        verbose_name_plural = _("guest list imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed__lte=models.F("to_invite")),
                name="guest_list_import_processed_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} — {self.event}"

    @property
    def errors(self) -> list[tuple[int, str]]:
        """Every line not imported, in line order, with its reason."""
        return sorted(
            (tuple(error) for error in [*self.preview_errors, *self.import_errors]),
            key=lambda error: error[0],
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def seems_stopped(self) -> bool:
        """Running, but no batch for STALLED_AFTER: its worker was killed or restarted."""
        if self.status != self.Status.RUNNING:
            return False
        last = self.progressed_at or self.started_at
        return last is None or last < timezone.now() - self.STALLED_AFTER

    @property
    def may_resume(self) -> bool:
        return self.status == self.Status.FAILED or self.seems_stopped
