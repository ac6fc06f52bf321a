"""The rules of registration: seats, the waiting list, invitations.

Every function that takes, frees or moves a seat first takes the event's seat lock
(`lock_event`): the event's row FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction
already holds the database's write lock. With the lock held, counts are re-read and then
written, so two buyers can never both take the last seat. The one-active-seat-per-email and
one-registration-per-invitation constraints back this up in the database.

Emails are written to the outbox (`registrations.emails.queue_email`) in the same
transaction as the change that causes them.
"""

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from common.text import check_text
from events.models import Event, Session
from notices.selectors import current_privacy_notice
from registrations.consents import consent_wording
from registrations.emails import queue_email
from registrations.models import (
    Invitation,
    OutgoingEmail,
    Registration,
    SeatCount,
    SessionSignup,
    TicketType,
    new_badge_token,
)

# Tests switch this off to show that, without the lock, concurrent buyers oversell.
SEAT_LOCK_ENABLED = True

Status = Registration.Status


class RegistrationError(Exception):
    """A rule said no. `field` names the input at fault, when there is one."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class RegistrationClosed(RegistrationError):
    pass


class SoldOut(RegistrationError):
    pass


class AlreadyRegistered(RegistrationError):
    def __init__(self, message, *, registration: Registration):
        super().__init__(message, field="email")
        self.registration = registration


class InvitationClosed(RegistrationError):
    pass


class OfferNotAvailable(RegistrationError):
    pass


# --- Input ----------------------------------------------------------------------------------

# Markup: a tag opening (`<b`, `</`, `<!`, `<?`) rather than a lone "<" as in "< 5 steps".
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")

ONE_LINE_FIELDS = {
    "first_name": 100,
    "last_name": 100,
    "organisation": 200,
    "job_title": 200,
    "institution": 200,
    "mandate": 200,
}
MULTI_LINE_FIELDS = {"accessibility_needs": 1000}
LANGUAGES = ("fr", "en")
# Fields a ticket category asks for on top of the common ones.
TICKET_CATEGORY_FIELDS = {
    TicketType.Category.STUDENT: ("institution",),
    TicketType.Category.ELECTED: ("mandate",),
}


@dataclass
class AttendeeDetails:
    first_name: str
    last_name: str
    email: str
    organisation: str = ""
    job_title: str = ""
    institution: str = ""
    mandate: str = ""
    accessibility_needs: str = ""
    language: str = "fr"
    consent_processing: bool = False
    consent_photos: bool = False
    consent_news: bool = False


def clean_text(value, *, field_name: str, max_length: int, multi_line: bool = False) -> str:
    """One rule for every text that reaches a registration, whatever the channel (form, API,
    CSV): trimmed, bounded, no control or direction-override characters (`common.text`), no
    markup. Raises ValidationError."""
    value = "" if value is None else str(value).strip()
    if len(value) > max_length:
        raise ValidationError(
            _("At most %(max)d characters (%(length)d given).")
            % {"max": max_length, "length": len(value)},
            code="max_length",
        )
    check_text(value, multi_line=multi_line)
    if _MARKUP.search(value):
        raise ValidationError(_("HTML or other markup is not allowed here."), code="markup")
    return value


def clean_email(value) -> str:
    value = clean_text(value, field_name="email", max_length=254).lower()
    validate_email(value)
    return value


def clean_attendee(data: dict, *, require_email: bool = True) -> AttendeeDetails:
    """Validate attendee details from any channel. Raises ValidationError keyed by field."""
    errors: dict[str, list] = {}
    cleaned: dict = {}
    for name, limit in {**ONE_LINE_FIELDS, **MULTI_LINE_FIELDS}.items():
        try:
            cleaned[name] = clean_text(
                data.get(name),
                field_name=name,
                max_length=limit,
                multi_line=name in MULTI_LINE_FIELDS,
            )
        except ValidationError as error:
            errors[name] = error.messages
    for name in ("first_name", "last_name"):
        if name not in errors and not cleaned[name]:
            errors[name] = [_("This field is required.")]
    raw_email = data.get("email")
    if not (str(raw_email).strip() if raw_email is not None else "") and require_email:
        errors["email"] = [_("This field is required.")]
    elif raw_email:
        try:
            cleaned["email"] = clean_email(raw_email)
        except ValidationError as error:
            errors["email"] = error.messages
    cleaned.setdefault("email", "")
    language = data.get("language") or "fr"
    if language not in LANGUAGES:
        errors["language"] = [_("Unknown language: use “fr” or “en”.")]
    if errors:
        raise ValidationError(errors)
    return AttendeeDetails(
        **cleaned,
        language=language,
        consent_processing=bool(data.get("consent_processing")),
        consent_photos=bool(data.get("consent_photos")),
        consent_news=bool(data.get("consent_news")),
    )


# --- Seats ----------------------------------------------------------------------------------


def lock_event(event_id: int) -> Event:
    """Take the event's seat lock and return the event as stored. Call inside atomic()."""
    queryset = Event.objects.all()
    if SEAT_LOCK_ENABLED:
        queryset = queryset.select_for_update()
    return queryset.get(pk=event_id)


def seats_taken(event: Event) -> dict:
    """Seats held per ticket type and in all: {"total": n, ticket_type_id: n}.

    Read from the counters that `_hold_seats` keeps, not counted: constant time however many
    registrations the event has. Exact under the event's seat lock."""
    taken = dict(
        SeatCount.objects.filter(ticket_type__event=event).values_list("ticket_type_id", "held")
    )
    taken["total"] = sum(taken.values())
    return taken


def _hold_seats(*, ticket_type_id: int, delta: int) -> None:
    """Move a ticket type's held-seat counter by `delta`. Every change of a registration into
    or out of a seat-holding status calls this, under the seat lock."""
    if not SeatCount.objects.filter(ticket_type_id=ticket_type_id).update(held=F("held") + delta):
        # First seat of this ticket type; ignore_conflicts keeps a lock-less caller (the
        # tests' control) from failing where two create it at once.
        SeatCount.objects.bulk_create(
            [SeatCount(ticket_type_id=ticket_type_id, held=0)], ignore_conflicts=True
        )
        SeatCount.objects.filter(ticket_type_id=ticket_type_id).update(held=F("held") + delta)


def recount_seats(*, event: Event) -> dict:
    """Recompute the held-seat counters from the registrations (a repair tool, and what the
    tests compare the counters with). Takes the event's seat lock."""
    with transaction.atomic():
        event = lock_event(event.pk)
        rows = (
            Registration.objects.filter(event=event, status__in=Registration.SEAT_HOLDING)
            .values("ticket_type_id")
            .annotate(count=Count("pk"))
        )
        counted = {row["ticket_type_id"]: row["count"] for row in rows}
        for ticket_type_id in TicketType.objects.filter(event=event).values_list("pk", flat=True):
            SeatCount.objects.update_or_create(
                ticket_type_id=ticket_type_id,
                defaults={"held": counted.get(ticket_type_id, 0)},
            )
        counted["total"] = sum(counted.values())
    return counted


def seats_left(event: Event, ticket_type: TicketType, taken: dict | None = None) -> int | None:
    """Seats still free for `ticket_type` (None: no limit). Exact only under the seat lock."""
    taken = seats_taken(event) if taken is None else taken
    limits = []
    if event.capacity is not None:
        limits.append(event.capacity - taken["total"])
    if ticket_type.capacity is not None:
        limits.append(ticket_type.capacity - taken.get(ticket_type.pk, 0))
    return max(0, min(limits)) if limits else None


def _has_room_for(event, ticket_type, taken, seats=1) -> bool:
    left = seats_left(event, ticket_type, taken)
    return left is None or left >= seats


def session_seats_taken(sessions) -> dict[int, int]:
    if not sessions:
        return {}
    rows = (
        SessionSignup.objects.filter(
            session__in=sessions, registration__status__in=Registration.SEAT_HOLDING
        )
        .values("session_id")
        .annotate(count=Count("pk"))
    )
    return {row["session_id"]: row["count"] for row in rows}


def _check_sessions(event: Event, sessions) -> list[Session]:
    sessions = list(sessions)
    for session in sessions:
        if session.event_id != event.pk or not session.requires_signup or session.is_cancelled:
            raise RegistrationError(
                _("“%(session)s” is not open for sign-up.") % {"session": session.title},
                field="sessions",
            )
    _check_overlaps(sessions)
    taken = session_seats_taken(sessions)
    for session in sessions:
        if session.capacity is not None and taken.get(session.pk, 0) >= session.capacity:
            raise SoldOut(
                _("“%(session)s” is full: choose another session or none.")
                % {"session": session.title},
                field="sessions",
            )
    return sessions


def _check_overlaps(sessions: list[Session]) -> None:
    ordered = sorted(sessions, key=lambda session: session.start)
    for first, second in itertools.pairwise(ordered):
        if second.start < first.end:
            raise RegistrationError(
                _("“%(first)s” and “%(second)s” take place at the same time.")
                % {"first": first.title, "second": second.title},
                field="sessions",
            )


def is_registration_open(event: Event, *, now=None) -> bool:
    """The registration window, stated once for the form, the API and the admin: a published
    event that has not ended yet."""
    now = now or timezone.now()
    return event.status == Event.Status.PUBLISHED and event.end > now


def check_ticket_on_sale(*, event: Event, ticket_type: TicketType, public: bool) -> None:
    """Whether `ticket_type` may be taken now (through the public form when `public`)."""
    if ticket_type.event_id != event.pk:
        raise RegistrationError(
            _("This ticket type is not one of this event's."), field="ticket_type"
        )
    if not is_registration_open(event):
        raise RegistrationClosed(_("Registration for this event is closed."))
    if public and (event.is_invitation_only or not ticket_type.is_public):
        raise RegistrationError(_("This ticket is given by invitation only."), field="ticket_type")
    if not ticket_type.is_on_sale():
        raise RegistrationClosed(
            _("This ticket is not on sale at the moment."), field="ticket_type"
        )


def register_attendee(
    *,
    event: Event,
    ticket_type: TicketType,
    attendee: AttendeeDetails,
    sessions=(),
    public: bool = True,
) -> Registration:
    """Register one person: a confirmed seat (free ticket), a held seat awaiting payment (paid
    ticket), or a place on the waiting list when full and the event keeps one.

    Takes the event's seat lock. Raises AlreadyRegistered (after queueing the email of the
    existing registration's manage link: a caller that wraps this call in its own transaction
    lets that transaction commit), SoldOut, RegistrationClosed or RegistrationError; on any of
    them nothing else is saved. `public` applies the public form's rules (public ticket types of a
    public event); organisers register with public=False."""
    if not attendee.consent_processing:
        raise RegistrationError(
            _("Please accept the processing of your data to register."),
            field="consent_processing",
        )
    for name in TICKET_CATEGORY_FIELDS.get(ticket_type.category, ()):
        if not getattr(attendee, name):
            raise RegistrationError(_("This field is required for this ticket."), field=name)
    existing = None
    with transaction.atomic():
        event = lock_event(event.pk)
        check_ticket_on_sale(event=event, ticket_type=ticket_type, public=public)
        existing = (
            Registration.objects.filter(
                event=event, email=attendee.email, status__in=Registration.ACTIVE
            )
            .order_by("pk")
            .first()
        )
        if existing is not None:
            queue_email(OutgoingEmail.Kind.ALREADY_REGISTERED, registration=existing)
        else:
            sessions = _check_sessions(event, sessions)
            registration = _take_seat(
                event=event, ticket_type=ticket_type, attendee=attendee, sessions=sessions
            )
            audit.record(
                "registration.create",
                registration,
                changes={"status": [None, registration.status]},
                event=event,
            )
    if existing is not None:
        raise AlreadyRegistered(
            _(
                "This email address is already registered for this event. We have sent it "
                "a link to manage that registration."
            ),
            registration=existing,
        )
    return registration


def _take_seat(*, event, ticket_type, attendee: AttendeeDetails, sessions, invitation=None):
    """Create the registration under the seat lock held by the caller."""
    taken = seats_taken(event)
    now = timezone.now()
    notice = current_privacy_notice(event.organisation_id)
    if _has_room_for(event, ticket_type, taken):
        status = Status.CONFIRMED if ticket_type.is_free else Status.PENDING_PAYMENT
    elif event.has_waiting_list:
        status = Status.WAITLISTED
    else:
        raise SoldOut(_("This ticket is sold out."), field="ticket_type")
    try:
        # No savepoint (two round trips saved on the hot path): an IntegrityError here leaves
        # the caller's transaction to roll back whole, which the raise below makes it do.
        with transaction.atomic(savepoint=False):
            registration = Registration.objects.create(
                event=event,
                ticket_type=ticket_type,
                status=status,
                first_name=attendee.first_name,
                last_name=attendee.last_name,
                email=attendee.email,
                organisation=attendee.organisation,
                job_title=attendee.job_title,
                institution=attendee.institution,
                mandate=attendee.mandate,
                accessibility_needs=attendee.accessibility_needs,
                language=attendee.language,
                consent_processing_at=now,
                consent_photos=attendee.consent_photos,
                consent_news=attendee.consent_news,
                privacy_notice=notice,
                consent_wording=consent_wording(
                    photos=attendee.consent_photos,
                    news=attendee.consent_news,
                    language=attendee.language,
                    invitation=invitation is not None,
                ),
                invitation=invitation,
                confirmed_at=now if status == Status.CONFIRMED else None,
            )
    except IntegrityError as error:
        # Only reachable without the seat lock, or through another path's race: the database's
        # one-seat-per-email rule held.
        raise RegistrationError(
            _("This email address is already registered for this event."), field="email"
        ) from error
    if registration.holds_seat:
        _hold_seats(ticket_type_id=ticket_type.pk, delta=1)
    SessionSignup.objects.bulk_create(
        SessionSignup(registration=registration, session=session) for session in sessions
    )
    queue_email(status_email_kind(registration), registration=registration)
    return registration


def status_email_kind(registration: Registration) -> str:
    """The email that tells a registration's new status: confirmed, seat held awaiting
    payment, or on the waiting list."""
    return {
        Status.PENDING_PAYMENT: OutgoingEmail.Kind.AWAITING_PAYMENT,
        Status.WAITLISTED: OutgoingEmail.Kind.WAITLISTED,
    }.get(registration.status, OutgoingEmail.Kind.CONFIRMATION)


# What other apps do once a registration is cancelled, each called with the registration after
# the cancellation commits. The payment side registers its refund here (payments/apps.py), so that
# this module never imports payments.
_cancellation_hooks: list[Callable[[Registration], None]] = []


def on_cancellation(hook: Callable[[Registration], None]) -> Callable[[Registration], None]:
    """Register `hook` to run after each cancellation (see cancel_registration); for ready()."""
    if hook not in _cancellation_hooks:
        _cancellation_hooks.append(hook)
    return hook


def cancel_registration(*, registration: Registration, notify: bool = True) -> Registration:
    """Cancel a registration (and its plus-ones). A freed seat goes to the waiting list. The
    one way to cancel: the attendee's page, the admin and the API call it.

    Takes the event's seat lock. Idempotent: cancelling twice changes nothing more. Then runs
    the cancellation hooks (a card payment's refund) whenever the registration ends up
    cancelled, a repeated call included: each hook is idempotent itself."""
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.is_active:
            audit.record(
                "registration.cancel",
                registration,
                changes={"status": [registration.status, Status.CANCELLED]},
                event=event,
            )
            freed = _end(registration, Status.CANCELLED, notify=notify)
            for companion in registration.companions.filter(status__in=Registration.ACTIVE):
                freed |= _end(companion, Status.CANCELLED, notify=False)
            if freed:
                offer_freed_seats(event)
    if registration.status == Status.CANCELLED:
        for hook in _cancellation_hooks:
            hook(registration)
    return registration


def _end(registration: Registration, status: str, *, notify: bool) -> bool:
    """Move an active registration to an ending status; True if it held a seat. An expiry
    (an unclaimed offer, an unpaid seat) is recorded here; a cancellation by its caller."""
    held = registration.holds_seat
    if status == Status.EXPIRED:
        audit.record(
            "registration.expire",
            registration,
            changes={"status": [registration.status, status]},
            event=registration.event,
        )
    registration.status = status
    registration.cancelled_at = timezone.now()
    registration.calendar_sequence += 1
    registration.offer_expires_at = None
    registration.save(
        update_fields=["status", "cancelled_at", "calendar_sequence", "offer_expires_at"]
    )
    if held:
        _hold_seats(ticket_type_id=registration.ticket_type_id, delta=-1)
    if notify and registration.email:
        kind = (
            OutgoingEmail.Kind.OFFER_EXPIRED
            if status == Status.EXPIRED
            else OutgoingEmail.Kind.CANCELLATION
        )
        queue_email(kind, registration=registration)
    return held


def offer_freed_seats(event: Event) -> list[Registration]:
    """Offer free seats to the waiting list, first come first served, each offer valid for
    the event's offer validity but never beyond the event's end (none is made once it has
    ended). The caller holds the event's seat lock."""
    offered = []
    now = timezone.now()
    if event.end <= now:
        return offered
    taken = seats_taken(event)
    expires = min(now + timedelta(hours=event.offer_validity_hours), event.end)
    queue = (
        Registration.objects.filter(event=event, status=Status.WAITLISTED)
        .select_related("ticket_type")
        .order_by("created_at", "pk")
    )
    for candidate in queue:
        if event.capacity is not None and taken["total"] >= event.capacity:
            break
        if not _has_room_for(event, candidate.ticket_type, taken):
            continue
        candidate.status = Status.OFFERED
        candidate.offer_expires_at = expires
        candidate.save(update_fields=["status", "offer_expires_at"])
        _hold_seats(ticket_type_id=candidate.ticket_type_id, delta=1)
        queue_email(OutgoingEmail.Kind.SEAT_OFFER, registration=candidate)
        taken["total"] += 1
        taken[candidate.ticket_type_id] = taken.get(candidate.ticket_type_id, 0) + 1
        offered.append(candidate)
    return offered


def release_unpaid_seat(*, registration: Registration) -> bool:
    """Let go of the seat a registration held while its payment was awaited (the checkout
    expired or the payment failed): the registration ends as expired and the seat goes to the
    waiting list. The caller holds the event's seat lock. True if a seat was released; a
    registration no longer awaiting payment is left as it is."""
    if registration.status != Status.PENDING_PAYMENT:
        return False
    # No email yet: the offer-expired email speaks of a waiting-list offer, not a payment.
    _end(registration, Status.EXPIRED, notify=False)
    offer_freed_seats(registration.event)
    return True


def confirm_paid_registration(*, registration: Registration) -> bool:
    """Confirm a registration its payment provider says is paid, with the confirmation email
    (and its calendar invitation). The caller holds the event's seat lock.

    A registration whose unpaid hold was already released gets its seat back only if the seat
    is still free (nobody from the waiting list took it, and the attendee holds no other
    registration). Returns False when the registration cannot be confirmed: the payment must
    then be refunded. A registration already confirmed returns True and sends nothing."""
    if registration.status == Status.CONFIRMED:
        return True
    now = timezone.now()
    if registration.status == Status.EXPIRED:
        event = registration.event
        if not _has_room_for(event, registration.ticket_type, seats_taken(event)):
            return False
        if (
            registration.email
            and Registration.objects.filter(
                event=event, email=registration.email, status__in=Registration.ACTIVE
            ).exists()
        ):
            return False
        registration.cancelled_at = None
        registration.calendar_sequence += 1
        _hold_seats(ticket_type_id=registration.ticket_type_id, delta=1)
    elif registration.status != Status.PENDING_PAYMENT:
        return False
    registration.status = Status.CONFIRMED
    registration.confirmed_at = now
    registration.offer_expires_at = None
    registration.save(
        update_fields=[
            "status",
            "confirmed_at",
            "cancelled_at",
            "calendar_sequence",
            "offer_expires_at",
        ]
    )
    queue_email(OutgoingEmail.Kind.CONFIRMATION, registration=registration)
    return True


def claim_offer(*, registration: Registration) -> Registration:
    """Take the seat offered to a waitlisted person, if the offer still stands.

    Takes the event's seat lock. Raises OfferNotAvailable when there is no standing offer (an
    expired one is closed and passed on at once)."""
    expired = False
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_related("ticket_type").get(pk=registration.pk)
        if registration.status == Status.CONFIRMED:
            return registration
        if registration.status != Status.OFFERED:
            raise OfferNotAvailable(_("There is no seat offer to claim for this registration."))
        if registration.offer_expires_at <= timezone.now():
            _end(registration, Status.EXPIRED, notify=True)
            offer_freed_seats(event)
            expired = True
        else:
            _drop_full_sessions(registration)
            registration.status = (
                Status.CONFIRMED if registration.ticket_type.is_free else Status.PENDING_PAYMENT
            )
            registration.offer_expires_at = None
            registration.confirmed_at = timezone.now()
            registration.save(update_fields=["status", "offer_expires_at", "confirmed_at"])
            audit.record(
                "registration.claim",
                registration,
                changes={"status": [Status.OFFERED, registration.status]},
                event=event,
            )
            queue_email(status_email_kind(registration), registration=registration)
    if expired:
        raise OfferNotAvailable(_("This seat offer has expired and was passed on."))
    return registration


def _drop_full_sessions(registration: Registration) -> None:
    """A waitlisted person's session choices may have filled up while they waited."""
    signups = list(registration.signups.select_related("session"))
    taken = session_seats_taken([signup.session for signup in signups])
    for signup in signups:
        capacity = signup.session.capacity
        if capacity is not None and taken.get(signup.session_id, 0) >= capacity:
            signup.delete()


def expire_offers(*, now=None) -> int:
    """Close the seat offers whose time is up and pass the seats on. Safe to run often (a
    schedulable management command calls it). Takes each concerned event's seat lock."""
    now = now or timezone.now()
    event_ids = (
        Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
        .values_list("event_id", flat=True)
        .distinct()
    )
    expired = 0
    for event_id in list(event_ids):
        with transaction.atomic():
            event = lock_event(event_id)
            stale = Registration.objects.filter(
                event=event, status=Status.OFFERED, offer_expires_at__lte=now
            )
            for registration in stale:
                _end(registration, Status.EXPIRED, notify=True)
                expired += 1
            offer_freed_seats(event)
    return expired


def rename_attendee(*, registration: Registration, first_name: str, last_name: str):
    """Fix the spelling of an attendee's name (what badges and certificates will print)."""
    details = clean_attendee(
        {"first_name": first_name, "last_name": last_name}, require_email=False
    )
    with transaction.atomic():
        # What is stored, not the instance (a ModelForm has already set the new names on it).
        stored = (
            Registration.objects.select_for_update()
            .filter(pk=registration.pk)
            .values("first_name", "last_name")
            .get()
        )
        changes = audit.diff(
            stored, {"first_name": details.first_name, "last_name": details.last_name}
        )
        registration.first_name = details.first_name
        registration.last_name = details.last_name
        registration.save(update_fields=["first_name", "last_name"])
        if changes:
            audit.record("registration.edit", registration, changes=changes)
    return registration


# --- Invitations ----------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[Invitation] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


INVITATION_COLUMNS = ("first_name", "last_name", "email", "organisation", "job_title")


def clean_plus_ones(data: dict) -> int:
    """The number of plus-ones a guest may bring. Raises ValidationError keyed by field."""
    try:
        plus_ones = int(data.get("plus_ones_allowed") or 0)
        if not 0 <= plus_ones <= 10:
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError(
            {"plus_ones_allowed": [_("Give a whole number of plus-ones between 0 and 10.")]}
        ) from None
    return plus_ones


def check_invitation_row(data: dict) -> AttendeeDetails:
    """What `create_invitation` checks of a guest by themselves, in the same order and
    words, without the database: the guest list's preview uses it. Raises ValidationError
    keyed by field."""
    details = clean_attendee(data)
    clean_plus_ones(data)
    return details


def describe_error(error: ValidationError) -> str:
    """A ValidationError as one line of a report: "field: message"."""
    return "; ".join(_describe(error))


def create_invitation(*, event: Event, ticket_type: TicketType, data: dict, deadline) -> Invitation:
    """Add a guest to the list and email them their personal link. Raises ValidationError
    keyed by field."""
    if ticket_type.event_id != event.pk:
        raise ValidationError({"ticket_type": [_("This ticket type is not one of this event's.")]})
    details = clean_attendee(data)
    errors = {}
    try:
        plus_ones = clean_plus_ones(data)
    except ValidationError as error:
        errors.update(error.message_dict)
        plus_ones = 0
    if deadline is None or deadline > event.start:
        errors["deadline"] = [_("The answer deadline must come before the event starts.")]
    elif deadline <= timezone.now():
        errors["deadline"] = [_("The answer deadline must be in the future.")]
    if Invitation.objects.filter(event=event, email=details.email).exists():
        errors["email"] = [_("This guest is already invited to this event.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            event=event,
            ticket_type=ticket_type,
            first_name=details.first_name,
            last_name=details.last_name,
            email=details.email,
            organisation=details.organisation,
            job_title=details.job_title,
            plus_ones_allowed=plus_ones,
            language=details.language,
            deadline=deadline,
            sent_at=timezone.now(),
        )
        audit.record("invitation.create", invitation, event=event)
        queue_email(OutgoingEmail.Kind.INVITATION, invitation=invitation)
    return invitation


def import_invitations(*, event: Event, ticket_type: TicketType, rows, deadline) -> ImportReport:
    """Create one invitation per row (dicts with INVITATION_COLUMNS, `plus_ones_allowed`,
    optional `language`); `rows` yields (line number, row). Bad rows are reported by line,
    good rows are kept, each in its own savepoint."""
    report = ImportReport()
    for line, row in rows:
        try:
            with transaction.atomic():
                report.created.append(
                    create_invitation(
                        event=event, ticket_type=ticket_type, data=row, deadline=deadline
                    )
                )
        except ValidationError as error:
            report.errors.append((line, "; ".join(_describe(error))))
    return report


def _describe(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return error.messages
    return [f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]


def accept_invitation(
    *, invitation: Invitation, attendee: AttendeeDetails, plus_ones: list[tuple[str, str]]
) -> Registration:
    """The guest says yes, with the names of up to `plus_ones_allowed` companions: one
    confirmed registration for them and one per companion.

    Locks the event's seats and the invitation's row, so the same link accepted from two tabs
    at once gives one registration. Accepting again returns the existing registration."""
    if not attendee.consent_processing:
        raise RegistrationError(
            _("Please accept the processing of your data to register."),
            field="consent_processing",
        )
    with transaction.atomic():
        event = lock_event(invitation.event_id)
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("ticket_type")
            .get(pk=invitation.pk)
        )
        _check_answerable(event, invitation)
        current = Registration.objects.filter(invitation=invitation).first()
        if current is not None and current.is_active:
            return current
        if len(plus_ones) > invitation.plus_ones_allowed:
            raise RegistrationError(
                _("This invitation allows %(count)d plus-one(s).")
                % {"count": invitation.plus_ones_allowed},
                field="plus_ones",
            )
        if current is not None:
            # A guest who declined and changes their mind before the deadline: a new seat.
            current.invitation = None
            current.save(update_fields=["invitation"])
        taken = seats_taken(event)
        if not _has_room_for(event, invitation.ticket_type, taken, seats=1 + len(plus_ones)):
            raise SoldOut(
                _(
                    "There are no seats left for you and your plus-ones. "
                    "Please contact the organisers."
                )
            )
        registration = _take_seat(
            event=event,
            ticket_type=invitation.ticket_type,
            attendee=attendee,
            sessions=[],
            invitation=invitation,
        )
        for first_name, last_name in plus_ones:
            companion = clean_attendee(
                {"first_name": first_name, "last_name": last_name}, require_email=False
            )
            Registration.objects.create(
                event=event,
                ticket_type=invitation.ticket_type,
                status=Status.CONFIRMED,
                first_name=companion.first_name,
                last_name=companion.last_name,
                language=attendee.language,
                consent_processing_at=registration.consent_processing_at,
                # Accepted for them by the guest who named them.
                privacy_notice=registration.privacy_notice,
                consent_wording=consent_wording(
                    photos=False, news=False, language=attendee.language, invitation=True
                ),
                companion_of=registration,
                confirmed_at=registration.confirmed_at,
            )
        if plus_ones:
            _hold_seats(ticket_type_id=invitation.ticket_type_id, delta=len(plus_ones))
        audit.record(
            "invitation.accept",
            invitation,
            changes={"answer": [invitation.answer, Invitation.Answer.ACCEPTED]},
            event=event,
        )
        invitation.answer = Invitation.Answer.ACCEPTED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["answer", "answered_at"])
    return registration


def _check_answerable(event: Event, invitation: Invitation) -> None:
    if event.status != Event.Status.PUBLISHED:
        raise InvitationClosed(_("This event is cancelled."))
    if invitation.answer == Invitation.Answer.REVOKED:
        raise InvitationClosed(_("This invitation has been withdrawn."))
    if not invitation.is_open():
        raise InvitationClosed(_("The deadline to answer this invitation has passed."))


def decline_invitation(*, invitation: Invitation) -> Invitation:
    """The guest says no. A seat they had taken (and their plus-ones') goes to the waiting list.
    Locks the event's seats and the invitation's row."""
    with transaction.atomic():
        event = lock_event(invitation.event_id)
        invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
        _check_answerable(event, invitation)
        registration = Registration.objects.filter(invitation=invitation).first()
        freed = False
        if registration is not None and registration.is_active:
            freed = _end(registration, Status.DECLINED, notify=True)
            for companion in registration.companions.filter(status__in=Registration.ACTIVE):
                freed |= _end(companion, Status.DECLINED, notify=False)
        audit.record(
            "invitation.decline",
            invitation,
            changes={"answer": [invitation.answer, Invitation.Answer.DECLINED]},
            event=event,
        )
        invitation.answer = Invitation.Answer.DECLINED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["answer", "answered_at"])
        if freed:
            offer_freed_seats(event)
    return invitation


def send_invitation_reminders(
    *, event: Event | None = None, min_interval=timedelta(days=2), now=None
) -> int:
    """Remind the guests who have not answered and whose deadline is still ahead, at most once
    per `min_interval`. Returns how many reminders were queued. Safe to schedule."""
    now = now or timezone.now()
    due = Invitation.objects.filter(
        answer=Invitation.Answer.PENDING,
        deadline__gt=now,
        event__status=Event.Status.PUBLISHED,
    ).filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - min_interval))
    if event is not None:
        due = due.filter(event=event)
    count = 0
    for invitation in due:
        with transaction.atomic():
            # Conditional update: two schedulers running at once remind each guest once.
            updated = (
                Invitation.objects.filter(pk=invitation.pk, answer=Invitation.Answer.PENDING)
                .filter(
                    Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - min_interval)
                )
                .update(reminders_sent=F("reminders_sent") + 1, last_reminded_at=now)
            )
            if updated:
                queue_email(OutgoingEmail.Kind.REMINDER, invitation=invitation)
                count += 1
    return count


def withdraw_invitation(*, invitation: Invitation) -> Invitation:
    """The organisers withdraw an invitation: its link stops working and a seat the guest had
    taken (with their plus-ones') is cancelled, with the cancellation email, and goes to the
    waiting list. Locks the event's seats, then the invitation's row (the order accepting
    takes them), so a guest accepting at the same moment either comes first and is cancelled,
    or finds the link closed. Idempotent."""
    with transaction.atomic():
        lock_event(invitation.event_id)
        invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
        if invitation.answer != Invitation.Answer.REVOKED:
            audit.record(
                "invitation.withdraw",
                invitation,
                changes={"answer": [invitation.answer, Invitation.Answer.REVOKED]},
            )
            invitation.answer = Invitation.Answer.REVOKED
            invitation.answered_at = timezone.now()
            invitation.save(update_fields=["answer", "answered_at"])
        registration = Registration.objects.filter(invitation=invitation).first()
        if registration is not None and registration.is_active:
            cancel_registration(registration=registration)
    return invitation


# --- Badges ---------------------------------------------------------------------------------


def badge_holders(*, event: Event):
    """The registrations of `event` that get a badge on a sheet, plus-ones included, by name
    (the order in which badges are laid out on the table at the door)."""
    return (
        Registration.objects.filter(event=event, status__in=Registration.EXPECTED)
        .select_related("event", "ticket_type")
        .order_by("last_name", "first_name", "pk")
    )


def shows_badge(*, registration: Registration, payment=None) -> bool:
    """Whether the attendee's page and confirmation email carry their badge: once the seat is
    confirmed, or while it is held against an invoice (public bodies pay after the event and
    the door admits them); not while a card payment is still to be made. `payment` is the
    registration's latest payment, if any."""
    if registration.status == Status.CONFIRMED:
        return True
    return (
        registration.status == Status.PENDING_PAYMENT
        and payment is not None
        and payment.method == payment.Method.INVOICE
        and payment.status == payment.Status.CREATED
    )


def reissue_badge(*, registration: Registration) -> Registration:
    """Give the registration a new badge token: the old badge (lost, or copied) scans as
    unknown from then on; the attendee's page, the emails and the next sheets carry the new one.

    Locks the registration's row while the token is replaced. Only a registration that holds
    a badge (Registration.EXPECTED) can have it reissued: a cancelled one keeps its token, so
    that its badge goes on scanning as cancelled. Raises RegistrationError otherwise."""

    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status not in Registration.EXPECTED:
            raise RegistrationError(
                _("Only a confirmed registration, or one awaiting payment, has a badge to reissue.")
            )
        locked.badge_token = new_badge_token()
        locked.save(update_fields=["badge_token"])
        audit.record("registration.badge_reissue", locked)
    registration.badge_token = locked.badge_token
    return registration
