"""Corrections to the door's log, as pretix's door team has them: annul an admission made by
mistake, or admit a person despite a refusal.

The log itself is never rewritten (a scan is its own record, issue 13): an annulled admission
keeps its row, marked annulled, and counts for nothing from then on; an override is a new scan
that admits, pointing at the refusal it overrides. Each correction writes one entry of the audit
trail (`checkin.annul`, `checkin.override`) in its transaction, by whoever `audit.context` says
is acting: a scanner device or a person through the API, a person in the back office.

Who may correct which scan is the caller's check, as for `services.check_in`: devices of the
scan's event, members of its organisation.
"""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit import services as audit
from checkin.attendance import is_admission
from checkin.models import CheckIn, ScannerDevice
from checkin.services import CheckInError, Scan, record_scan
from common.text import check_text
from registrations.models import Registration

Result = CheckIn.Result
REASON_LENGTH = CheckIn._meta.get_field("annul_reason").max_length

# Refusals the door staff may override: the person is who the badge says, with a seat, and
# the staff judge the rule may bend (a public body pays after the event, a session has room,
# a checkpoint opens a little late, a return at a checkpoint without re-entry).
OVERRIDABLE = (Result.NOT_PAID, Result.NOT_VALID_NOW, Result.ALREADY_CHECKED_IN)
ENDED = (Registration.Status.CANCELLED, Registration.Status.DECLINED, Registration.Status.EXPIRED)


class CorrectionError(CheckInError):
    """A correction refused: `field` names the input at fault (None: the scan itself)."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message, field=field)


def annul_admission(
    *, checkin: CheckIn, device: ScannerDevice | None = None, user=None, reason: str = "", now=None
) -> CheckIn:
    """Annul the admission `checkin` (a badge scanned by mistake): it stays in the log, marked
    annulled by `device` or `user` with the optional `reason`, and no longer counts anywhere.
    When it was the day's first entry at its checkpoint, it stops being one, so that the
    person's next scan admits them; an admission that followed it that day (a return where
    re-entry is allowed) becomes the first entry instead.

    Locks the scan's row (select_for_update) for the transaction: two staff annulling the same
    scan at once get one annulment and one error. Raises CorrectionError for a scan that let
    nobody in or that is already annulled, or for a reason that is not one line of text."""
    reason = _clean_reason(reason, required=False)
    now = now or timezone.now()
    with transaction.atomic():
        scan = (
            CheckIn.objects.select_for_update(of=("self",))
            .select_related("registration__ticket_type", "event__organisation")
            .get(pk=checkin.pk)
        )
        if scan.annulled_at is not None:
            raise CorrectionError(
                _("This admission was already annulled (%(when)s).")
                % {
                    "when": formats.date_format(
                        timezone.localtime(scan.annulled_at), "DATETIME_FORMAT"
                    )
                }
            )
        if not is_admission(scan):
            raise CorrectionError(_("Only an admission can be annulled: this scan let nobody in."))
        was_first_entry = scan.is_first_entry
        before = scan.result
        scan.annulled_at = now
        scan.annulled_by = _user(user)
        scan.annulled_by_label = _actor_label(device, user)
        scan.annul_reason = reason
        scan.is_first_entry = False
        scan.save(
            update_fields=[
                "annulled_at",
                "annulled_by",
                "annulled_by_label",
                "annul_reason",
                "is_first_entry",
            ]
        )
        if was_first_entry:
            _promote_next_entry(scan)
        changes = {"result": [before, "annulled"]}
        if reason:
            changes["reason"] = ["", reason]
        audit.record("checkin.annul", scan, changes=changes)
    return scan


def _promote_next_entry(annulled: CheckIn) -> None:
    following = (
        CheckIn.objects.filter(
            registration_id=annulled.registration_id,
            checkpoint_id=annulled.checkpoint_id,
            attendance_day=annulled.attendance_day,
            direction=CheckIn.Direction.ENTRY,
            result=Result.OK,
            annulled_at__isnull=True,
        )
        .exclude(pk=annulled.pk)
        .order_by("scanned_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if following is None:
        return
    try:
        with transaction.atomic():
            CheckIn.objects.filter(pk=following).update(is_first_entry=True)
    except IntegrityError:
        pass  # a scan at another gate became the first entry meanwhile: it is one


def override_refusal(
    *,
    checkin: CheckIn,
    reason: str,
    device: ScannerDevice | None = None,
    user=None,
    now: datetime | None = None,
) -> Scan:
    """Admit the person a refused scan `checkin` turned away, because the door staff decide so
    (`reason`, required, one line): a new scan that admits them, made by `device` or `user`,
    pointing at the refusal. It is dated as the refusal (the person was at the door then, and an
    offline refusal uploaded later is overridden just the same) and is the day's first entry
    at its checkpoint unless the person already has one.

    Allowed for `not_paid`, `not_valid_now` and `already_checked_in`; not for an unknown badge,
    another event's badge or a cancelled registration (an organiser reinstates it instead).
    Idempotent: the same refusal overridden again returns its first override (`is_replay`),
    recorded once (one override per refusal, a database constraint). Locks the refused scan's
    row for the transaction. Raises CorrectionError."""
    reason = _clean_reason(reason, required=True)
    now = now or timezone.now()
    with transaction.atomic():
        refused = (
            CheckIn.objects.select_for_update(of=("self",))
            .select_related("registration__ticket_type", "checkpoint", "event__organisation")
            .get(pk=checkin.pk)
        )
        earlier = _override_of(refused)
        if earlier is not None:
            return _replayed(earlier)
        _check_overridable(refused)
        registration = refused.registration
        first_entry = _first_entry(refused)
        record = CheckIn(
            event=refused.event,
            checkpoint=refused.checkpoint,
            registration=registration,
            device=device,
            user=_user(user),
            gate=_actor_label(device, user),
            direction=CheckIn.Direction.ENTRY,
            result=Result.OK,
            is_first_entry=first_entry is None,
            scanned_at=refused.scanned_at,
            attendance_day=refused.attendance_day,
            received_at=now,
            # Random, as a device's: a nonce of this refusal's id could be one a client sent.
            nonce=f"override-{secrets.token_hex(16)}",
            overrides=refused,
            override_reason=reason,
        )
        if not record_scan(record) and record.is_first_entry:
            # Another gate admitted the person meanwhile: this admission is a return.
            first_entry = _first_entry(refused)
            record.is_first_entry = False
            record_scan(record)
        if record.pk is None:  # overridden meanwhile by another request
            earlier = _override_of(refused)
            if earlier is None:
                raise CorrectionError(_("The scan could not be recorded: try again."))
            return _replayed(earlier)
        audit.record(
            "checkin.override",
            record,
            changes={
                "result": [refused.result, Result.OK],
                "overrides": [None, refused.pk],
                "reason": ["", reason],
            },
        )
    return Scan(record, registration, first_entry)


def _check_overridable(refused: CheckIn) -> None:
    if refused.annulled_at is not None or refused.result == Result.OK:
        raise CorrectionError(_("This scan admitted the person: there is no refusal to override."))
    if refused.direction != CheckIn.Direction.ENTRY:
        raise CorrectionError(_("Only a refused entry can be admitted anyway, not an exit."))
    cancelled = refused.result == Result.CANCELLED or (
        refused.registration is not None and refused.registration.status in ENDED
    )
    if refused.result in (Result.UNKNOWN, Result.WRONG_EVENT):
        raise CorrectionError(
            _(
                "This badge is not one of this event's: it cannot be admitted anyway. Search "
                "the person by name, or ask an organiser to register them."
            )
        )
    if cancelled:
        raise CorrectionError(
            _(
                "This registration is cancelled: it cannot be admitted anyway at the door. Only "
                "an organiser can reinstate the person, by registering them again in the back "
                "office."
            )
        )
    if refused.result not in OVERRIDABLE:
        raise CorrectionError(_("This refusal cannot be overridden."))


def _replayed(override: CheckIn) -> Scan:
    """The answer to a refusal overridden again: its first override, unless the door staff
    annulled that admission since (the person is not in: they scan the badge again)."""
    if override.annulled_at is not None:
        raise CorrectionError(
            _(
                "This refusal was overridden, then that admission was annulled: scan the badge "
                "again."
            )
        )
    return Scan(override, override.registration, _first_entry(override), is_replay=True)


def _override_of(refused: CheckIn) -> CheckIn | None:
    return (
        CheckIn.objects.select_related("registration__ticket_type", "checkpoint")
        .filter(overrides=refused)
        .first()
    )


def _first_entry(scan: CheckIn) -> CheckIn | None:
    """The day's first entry at `scan`'s checkpoint for its registration, with its checkpoint."""
    if scan.registration_id is None:
        return None
    return (
        CheckIn.objects.select_related("checkpoint")
        .filter(
            registration_id=scan.registration_id,
            checkpoint_id=scan.checkpoint_id,
            attendance_day=scan.attendance_day,
            is_first_entry=True,
        )
        .exclude(pk=scan.pk)
        .first()
    )


def _clean_reason(reason, *, required: bool) -> str:
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise CorrectionError(_("Write the reason as text."), field="reason")
    reason = reason.strip()
    if required and not reason:
        raise CorrectionError(
            _("Say why the person is admitted despite the refusal."), field="reason"
        )
    if len(reason) > REASON_LENGTH:
        raise CorrectionError(
            _("Keep the reason under %(length)d characters.") % {"length": REASON_LENGTH},
            field="reason",
        )
    try:
        check_text(reason)
    except ValidationError as error:
        raise CorrectionError(error.messages[0], field="reason") from error
    return reason


def _user(user):
    return user if user is not None and user.is_authenticated else None


def _actor_label(device, user) -> str:
    if device is not None:
        return device.name
    user = _user(user)
    if user is not None:
        return (user.get_full_name() or user.get_username())[:150]
    return ""
