"""The door: scanner devices, checkpoints and the rule that says who gets in.

`check_in` is the one place that decides a scan's answer, for the API, the scanner page's
manual check-in and offline uploads alike. It takes no lock: two database constraints decide,
and the insert that loses to either learns why. One first entry per registration and
checkpoint: a scan is judged as if the badge had no first entry here yet, the usual case at a
door, and tried as one; when it has one (a repeat, or two devices scanning one badge at the same
instant), the constraint refuses the insert, and the scan reads that entry and records a repeat
(`already_checked_in`). One scan per event and client nonce: a device that
sends a scan again (a retry after a lost answer, an offline queue uploaded twice) gets the first
answer back and no second record. The inserts say `ON CONFLICT DO NOTHING` (PostgreSQL, SQLite
3.35+), so a refusal is an answer, not an error.

"First" is per event day (`attendance_day`: the local date, until 04:00 the next morning): on
the second day of an event, each person's first scan admits them again, whatever the
checkpoint's re-entry setting, and it is that day's first entry a repeat is told about.

A scan's device comes from the shared cache (`device_for_token`), so a usual scan costs two
statements, each its own transaction: the badge with its ticket type (the ORM), and the insert.
A repeat costs two more: the first entry that refused the insert is read, and the repeat
inserted.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import services as audit
from checkin.models import DAY_ENDS_AT, CheckIn, Checkpoint, ScannerDevice, attendance_day
from common.text import check_text
from events.models import Event, Session
from payments.models import Payment
from registrations.models import Registration

Result = CheckIn.Result
Status = Registration.Status

# A scan's time as told by an offline device may be a little ahead of the server's clock;
# beyond this it is refused rather than recorded in the future.
CLOCK_TOLERANCE = timedelta(minutes=5)
OFFLINE_SCANS_KEPT_FOR = timedelta(days=30)
ENTRANCE_OPENS_BEFORE = timedelta(hours=2)
SESSION_OPENS_BEFORE = timedelta(hours=1)

# Why a badge is `not_valid_now` (stored in CheckIn.reason, shown to the door staff).
REASONS = {
    "no_seat": gettext_lazy("No seat: on the waiting list."),
    "not_signed_up": gettext_lazy("Not signed up for this session."),
    "not_open_yet": gettext_lazy("This checkpoint is not open yet."),
    "closed": gettext_lazy("This checkpoint is closed."),
}

MESSAGES = {
    Result.OK: gettext_lazy("Welcome"),
    Result.ALREADY_CHECKED_IN: gettext_lazy("Already checked in"),
    Result.UNKNOWN: gettext_lazy("Unknown badge"),
    Result.CANCELLED: gettext_lazy("Registration cancelled"),
    Result.NOT_PAID: gettext_lazy("Not paid"),
    Result.WRONG_EVENT: gettext_lazy("Badge for another event"),
    Result.NOT_VALID_NOW: gettext_lazy("Not valid here or now"),
}


class CheckInError(Exception):
    """The scan itself is malformed (not the badge): `field` names the input at fault."""

    def __init__(self, message, *, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


# --- Devices --------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def badge_hash(badge_token: str) -> str:
    """What an offline scanner holds instead of the badge token: the first 128 bits of its
    SHA-256. Enough to recognise a scanned badge, useless to print one."""
    return hashlib.sha256(badge_token.encode()).hexdigest()[:32]


def create_scanner_device(
    *, event: Event, name: str, checkpoint: Checkpoint | None = None, created_by=None
) -> tuple[ScannerDevice, str]:
    """Create a device for `event` and return it with its token, which is shown only now:
    the database keeps its digest."""
    name = (name or "").strip()
    if not name:
        raise CheckInError(_("Give the device a name, for example the gate."), field="name")
    try:
        check_text(name)
    except ValidationError as error:
        raise CheckInError(error.messages[0], field="name") from error
    if checkpoint is not None and checkpoint.event_id != event.pk:
        raise CheckInError(_("Choose one of this event's checkpoints."), field="checkpoint")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = ScannerDevice.objects.create(
            event=event,
            name=name[:100],
            checkpoint=checkpoint,
            token_digest=token_digest(token),
            created_by=created_by,
        )
        audit.record("device.create", device, changes={"name": [None, device.name]}, event=event)
    return device, token


def change_scanner_device(
    *, device: ScannerDevice, name: str, checkpoint: Checkpoint | None
) -> ScannerDevice:
    """Rename a device or change its default checkpoint (its event and token stay)."""
    name = (name or "").strip()
    if not name:
        raise CheckInError(_("Give the device a name, for example the gate."), field="name")
    try:
        check_text(name)
    except ValidationError as error:
        raise CheckInError(error.messages[0], field="name") from error
    if checkpoint is not None and checkpoint.event_id != device.event_id:
        raise CheckInError(_("Choose one of this event's checkpoints."), field="checkpoint")
    with transaction.atomic():
        before = ScannerDevice.objects.select_for_update().get(pk=device.pk)
        device.name, device.checkpoint = name[:100], checkpoint
        device.save(update_fields=["name", "checkpoint"])
        changes = audit.field_changes(before, device, ["name", "checkpoint"])
        if changes:
            audit.record("device.change", device, changes=changes)
    return device


def revoke_scanner_device(*, device: ScannerDevice, now=None) -> ScannerDevice:
    """From now on the device's token is refused. Its scans stay in the log."""
    if device.revoked_at is None:
        with transaction.atomic():
            device.revoked_at = now or timezone.now()
            device.save(update_fields=["revoked_at"])
            audit.record("device.revoke", device)
    return device


# A device is read from the cache shared by every worker (CACHES, from CACHE_URL: Redis in
# production), by its token's digest. Any change to the device, its event or the checkpoints it
# knows replaces its entry by a marker, for a while, saying "read the database": a worker that
# read the device just before the change and fills the cache just after (`cache.add`) cannot
# put the old device back, so a revoked device is refused from the next scan on every worker.
DEVICE_CACHED_FOR = 300
STALE_FOR = 10
_STALE = "stale"


def device_cache_key(digest: str) -> str:
    return f"checkin:device:{digest}"


def device_for_token(token: str) -> ScannerDevice | None:
    """The device a token belongs to (revoked ones included: the caller says why it refuses),
    with its event, its default checkpoint (and that checkpoint's session) and its event's
    entrance as `entrance` (None until created): a scan at either needs no further query to
    know where it happens. From the shared cache; on a miss, two queries."""
    if not token or len(token) > 200:
        return None
    key = device_cache_key(token_digest(token))
    cached = cache.get(key)
    if isinstance(cached, ScannerDevice):
        return cached
    device = _one_or_none(
        ScannerDevice.objects.select_related("event", "checkpoint__session").filter(
            token_digest=token_digest(token)
        )
    )
    if device is None:
        return None
    device.entrance = _one_or_none(
        Checkpoint.objects.filter(event_id=device.event_id, session__isnull=True)
    )
    if cached is None:
        cache.add(key, device, DEVICE_CACHED_FOR)
    return device


def forget_devices(digests) -> None:
    """Make every worker read these devices afresh from the database (see above): now, and
    again when the transaction that changed them commits."""
    stale = {device_cache_key(digest): _STALE for digest in digests}
    if stale:
        cache.set_many(stale, STALE_FOR)
        transaction.on_commit(lambda: cache.set_many(stale, STALE_FOR))


def _forget_devices_where(**lookups) -> None:
    forget_devices(ScannerDevice.objects.filter(**lookups).values_list("token_digest", flat=True))


@receiver(post_save, sender=ScannerDevice)
@receiver(post_delete, sender=ScannerDevice)
def _device_changed(sender, instance, created=False, **kwargs):
    if not created:  # a new device's token has never been read
        forget_devices([instance.token_digest])


@receiver(post_save, sender=Checkpoint)
@receiver(post_delete, sender=Checkpoint)
def _checkpoint_changed(sender, instance, **kwargs):
    # The entrance is cached with every device of its event.
    _forget_devices_where(event_id=instance.event_id)


@receiver(post_save, sender=Event)
def _event_changed(sender, instance, **kwargs):
    _forget_devices_where(event_id=instance.pk)


@receiver(post_save, sender=Session)
def _session_changed(sender, instance, **kwargs):
    _forget_devices_where(checkpoint__session_id=instance.pk)


def _one_or_none(queryset):
    """The one row a lookup by a unique key finds, or None. Unlike first(), no ORDER BY: the
    models' default orderings join the event, a cost paid on every scan for nothing."""
    try:
        return queryset.get()
    except queryset.model.DoesNotExist:
        return None


def note_device_seen(device: ScannerDevice, *, now=None) -> None:
    """Record when a device was last heard from, at most once a minute whatever the worker (a
    write per scan would double the cost of the busiest endpoint for a figure nobody reads to
    the second). The update sends no signal: the cached device stays."""
    now = now or timezone.now()
    if cache.add(f"checkin:device-seen:{device.pk}", True, 60):
        ScannerDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now


# --- Checkpoints ----------------------------------------------------------------------------


def entrance_checkpoint(event: Event) -> Checkpoint:
    """The event's entrance (its `event` is `event`), created the first time it is needed."""
    checkpoint = _one_or_none(Checkpoint.objects.filter(event=event, session__isnull=True))
    if checkpoint is not None:
        checkpoint.event = event
        return checkpoint
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(
                event=event, name_fr="Entrée", name_en="Entrance", session=None
            )
    except IntegrityError:  # created meanwhile by another request
        return Checkpoint.objects.get(event=event, session__isnull=True)


def device_checkpoint(device: ScannerDevice, *, checkpoint_id: int | None = None):
    """Where `device` scans: the checkpoint named, else its default one, else its event's
    entrance; None when that checkpoint is not at the device's event. With its event loaded;
    at most one query (none with a device from device_for_token at its default checkpoint or
    its event's entrance)."""
    if checkpoint_id is None and device.checkpoint_id is None:
        entrance = getattr(device, "entrance", None)
        if entrance is None:
            return entrance_checkpoint(device.event)
        entrance.event = device.event
        return entrance
    if checkpoint_id is None or checkpoint_id == device.checkpoint_id:
        checkpoint = device.checkpoint
    else:
        checkpoint = _one_or_none(
            Checkpoint.objects.select_related("session").filter(pk=checkpoint_id)
        )
    if checkpoint is None or checkpoint.event_id != device.event_id:
        return None
    checkpoint.event = device.event
    return checkpoint


def checkpoint_window(checkpoint: Checkpoint) -> tuple[datetime, datetime]:
    """When badges are accepted at `checkpoint`: its own hours, else from a little before the
    event (or session) starts to its end."""
    if checkpoint.session_id is not None:
        session = checkpoint.session
        opens, closes = session.start - SESSION_OPENS_BEFORE, session.end
    else:
        event = checkpoint.event
        opens, closes = event.start - ENTRANCE_OPENS_BEFORE, event.end
    return checkpoint.opens_at or opens, checkpoint.closes_at or closes


# --- Scanning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    """A scan's answer: the record, the registration it named (None for unknown and
    other events' badges) and, for a repeat, the scan that first admitted the person."""

    checkin: CheckIn
    registration: Registration | None
    first_entry: CheckIn | None
    is_replay: bool = False

    @property
    def result(self) -> str:
        return self.checkin.result

    @property
    def message(self) -> str:
        if self.checkin.reason in REASONS:
            return str(REASONS[self.checkin.reason])
        return str(MESSAGES[self.checkin.result])


def check_in(
    *,
    checkpoint: Checkpoint,
    nonce: str,
    token: str | None = None,
    registration_id: int | None = None,
    device: ScannerDevice | None = None,
    user=None,
    direction: str = CheckIn.Direction.ENTRY,
    scanned_at: datetime | None = None,
    is_offline: bool = False,
    client_result: str = "",
    now: datetime | None = None,
) -> Scan:
    """Answer a scan of a badge (`token`) or a manual check-in (`registration_id`) at
    `checkpoint`, and record it.

    Preconditions: the caller has checked that the device or user may scan at this
    checkpoint's event. Idempotent per (event, nonce). Takes no lock and needs no transaction:
    each statement is its own, and the database's constraints settle races (see above)."""
    now = now or timezone.now()
    nonce = _clean_nonce(nonce)
    if direction not in CheckIn.Direction.values:
        raise CheckInError(_("Choose entry or exit."), field="direction")
    if direction == CheckIn.Direction.EXIT and not checkpoint.records_exits:
        raise CheckInError(_("This checkpoint does not record exits."), field="direction")
    if client_result and client_result not in Result.values:
        raise CheckInError(_("Unknown result."), field="client_result")
    at = _scan_time(scanned_at, is_offline=is_offline, now=now)
    event_id = checkpoint.event_id
    day = attendance_day(at, checkpoint.event.zone)
    registration = find_badge(token=token, registration_id=registration_id)
    other_event = registration is not None and registration.event_id != event_id
    if other_event:
        registration = None
    # Not read before the insert: the first scan of a badge, the door's usual one, has none,
    # and the one-first-entry constraint tells when another gate recorded one meanwhile.
    first_entry = None
    for _attempt in range(3):
        if first_entry is not None:
            first_entry.checkpoint = checkpoint
        if other_event:
            result, reason = Result.WRONG_EVENT, ""
        elif registration is None:
            result, reason = Result.UNKNOWN, ""
        else:
            result, reason = _verdict(registration, checkpoint, direction, at, first_entry)
        record = CheckIn(
            event_id=event_id,
            checkpoint=checkpoint,
            registration=registration,
            device=device,
            user=user if user is not None and user.is_authenticated else None,
            gate=_gate(device, user),
            direction=direction,
            result=result,
            reason=reason,
            is_first_entry=(
                result == Result.OK and direction == CheckIn.Direction.ENTRY and first_entry is None
            ),
            scanned_at=at,
            attendance_day=day,
            received_at=now,
            nonce=nonce,
            is_offline=is_offline,
            client_result=client_result if is_offline else "",
        )
        if record_scan(record):
            if record.is_first_entry:
                return Scan(record, registration, None)
            if first_entry is None and registration is not None:
                # A refusal or an exit: told of the day's first entry here, if any.
                first_entry = _first_entry(registration, checkpoint, day)
            if first_entry is not None:
                first_entry.checkpoint = checkpoint
            return Scan(record, registration, first_entry)
        # Refused. Another gate admitted the person (before this scan, the usual repeat, or at
        # the same instant): this scan is a repeat, judged again knowing when and where they
        # came in. Or this nonce was recorded first (a retry, perhaps arriving at the same
        # instant): its answer stands.
        if record.is_first_entry:
            first_entry = _first_entry(registration, checkpoint, day)
            if first_entry is not None and first_entry.nonce != nonce:
                continue
        earlier = _scan_with_nonce(event_id, nonce)
        if earlier is not None:
            return _replay(earlier)
        if not record.is_first_entry:
            break
    raise IntegrityError(f"The scan with nonce {nonce!r} was refused by the database.")


def _clean_nonce(nonce) -> str:
    if not isinstance(nonce, str) or not nonce.strip():
        raise CheckInError(_("Send a nonce: a random identifier of this scan."), field="nonce")
    nonce = nonce.strip()
    if len(nonce) > 64:
        raise CheckInError(_("The nonce is longer than 64 characters."), field="nonce")
    return nonce


def _scan_time(scanned_at, *, is_offline: bool, now: datetime) -> datetime:
    # Online, the server's clock decides; offline, the device's, within reason.
    if not is_offline or scanned_at is None:
        return now
    if scanned_at > now + CLOCK_TOLERANCE:
        raise CheckInError(_("The scan time is in the future."), field="scanned_at")
    if scanned_at < now - OFFLINE_SCANS_KEPT_FOR:
        raise CheckInError(_("The scan time is too far in the past."), field="scanned_at")
    return min(scanned_at, now)


def _scan_with_nonce(event_id: int, nonce: str) -> CheckIn | None:
    return _one_or_none(
        CheckIn.objects.select_related("registration__ticket_type").filter(
            event_id=event_id, nonce=nonce
        )
    )


def _first_entry(registration: Registration, checkpoint: Checkpoint, day: date) -> CheckIn | None:
    return _one_or_none(
        CheckIn.objects.filter(
            registration=registration,
            checkpoint=checkpoint,
            attendance_day=day,
            is_first_entry=True,
        )
    )


def _replay(checkin: CheckIn) -> Scan:
    first = None
    if checkin.registration_id is not None and not checkin.is_first_entry:
        first = (
            CheckIn.objects.filter(
                registration_id=checkin.registration_id,
                checkpoint_id=checkin.checkpoint_id,
                attendance_day=checkin.attendance_day,
                is_first_entry=True,
            )
            .select_related("checkpoint")
            .first()
        )
    return Scan(checkin, checkin.registration, first, is_replay=True)


# What the door does not read of a badge: the attendee's other details, the ticket's terms.
BADGE_UNREAD = (
    "email",
    "job_title",
    "institution",
    "mandate",
    "accessibility_needs",
    "language",
    "consent_processing_at",
    "consent_photos",
    "consent_news",
    "manage_token",
    "invitation",
    "companion_of",
    "offer_expires_at",
    "calendar_sequence",
    "created_at",
    "confirmed_at",
    "cancelled_at",
    *(
        f"ticket_type__{name}"
        for name in (
            "description",
            "description_fr",
            "description_en",
            "price",
            "currency",
            "capacity",
            "sale_start",
            "sale_end",
            "is_public",
            "position",
            "refundable_until_days",
            "allows_card",
            "allows_invoice",
        )
    ),
)


def find_badge(
    *, token: str | None = None, registration_id: int | None = None
) -> Registration | None:
    """The registration a badge's `token` (or, for a manual check-in, `registration_id`) names,
    with its ticket type: one query by a unique key. None for no such registration."""
    if token is not None:
        if not isinstance(token, str) or not 0 < len(token) <= 64:
            return None
        key = Q(badge_token=token)
    else:
        key = Q(pk=registration_id)
    return _one_or_none(
        Registration.objects.filter(key).select_related("ticket_type").defer(*BADGE_UNREAD)
    )


def record_scan(scan: CheckIn) -> bool:
    """Insert `scan` unless a constraint refuses it: the event has a scan with its nonce, or
    it is a first entry and the registration has one at its checkpoint that day. True when recorded
    (its `pk` is then set); False, and no error, when refused.

    With no conflict target, DO NOTHING covers both constraints (PostgreSQL, SQLite 3.35+), and
    RETURNING gives no row when one refused: what the ORM's bulk_create(ignore_conflicts=True)
    cannot tell."""
    fields = [field for field in CheckIn._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    query = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING RETURNING {}".format(  # noqa: S608 - the model's own names
        quote(CheckIn._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
        quote(CheckIn._meta.pk.column),
    )
    values = [field.get_db_prep_save(field.pre_save(scan, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(query, values)
        row = cursor.fetchone()
    if row is None:
        return False
    scan.pk = row[0]
    return True


def _verdict(registration, checkpoint, direction, at, first_entry) -> tuple[str, str]:
    standing = badge_standing(
        registration,
        checkpoint,
        has_unpaid_invoice=registration.status == Status.PENDING_PAYMENT
        and _has_unpaid_invoice(registration),
        is_signed_up=direction == CheckIn.Direction.EXIT
        or not _needs_signup(checkpoint)
        or registration.signups.filter(session_id=checkpoint.session_id).exists(),
    )
    if standing[0] != Result.OK or direction == CheckIn.Direction.EXIT:
        return standing
    opens, closes = checkpoint_window(checkpoint)
    if at < opens:
        return Result.NOT_VALID_NOW, "not_open_yet"
    if at > closes:
        return Result.NOT_VALID_NOW, "closed"
    if first_entry is not None and not checkpoint.allows_reentry:
        return Result.ALREADY_CHECKED_IN, ""
    return Result.OK, ""


def badge_standing(
    registration: Registration,
    checkpoint: Checkpoint,
    *,
    has_unpaid_invoice: bool,
    is_signed_up: bool,
) -> tuple[str, str]:
    """What a badge is worth at `checkpoint` whatever the time and earlier scans: `ok`, or the
    refusal and its reason. Offline scanners download this answer for every badge."""
    status = registration.status
    if status in (Status.CANCELLED, Status.DECLINED, Status.EXPIRED):
        return Result.CANCELLED, ""
    if status in (Status.WAITLISTED, Status.OFFERED):
        return Result.NOT_VALID_NOW, "no_seat"
    # A public body pays its invoice after the event (service fait): an issued, unpaid invoice
    # is let in where the checkpoint says so. A card checkout still open is not.
    if status == Status.PENDING_PAYMENT and not (
        has_unpaid_invoice and checkpoint.admits_unpaid_invoices
    ):
        return Result.NOT_PAID, ""
    if not is_signed_up:
        return Result.NOT_VALID_NOW, "not_signed_up"
    return Result.OK, ""


def _needs_signup(checkpoint: Checkpoint) -> bool:
    return checkpoint.session_id is not None and checkpoint.session.requires_signup


def _has_unpaid_invoice(registration: Registration) -> bool:
    return registration.payments.filter(
        method=Payment.Method.INVOICE, status=Payment.Status.CREATED
    ).exists()


def _gate(device, user) -> str:
    if device is not None:
        return device.name
    if user is not None:
        return (user.get_full_name() or user.get_username())[:150]
    return ""


# --- What a scanner downloads to work offline -----------------------------------------------


def offline_bundle(checkpoint: Checkpoint, *, now=None) -> dict:
    """Everything a scanner needs to answer at `checkpoint` without the network: for each
    badge of the event its hash (never the token), the name shown at the door, its standing
    and, when already admitted here today (the event day of `now`), when and where. The
    event's time zone and the hour its days end let the scanner tell when that day is over.
    Five queries whatever the size."""
    now = now or timezone.now()
    event = checkpoint.event
    day = attendance_day(now, event.zone)
    registrations = (
        Registration.objects.filter(event=event)
        .exclude(status=Status.DECLINED)
        .select_related("ticket_type")
        .only(
            "pk",
            "status",
            "first_name",
            "last_name",
            "organisation",
            "badge_token",
            "ticket_type__category",
            "ticket_type__name_fr",
            "ticket_type__name_en",
        )
        .order_by("last_name", "first_name", "pk")
    )
    unpaid = set(
        Payment.objects.filter(
            registration__event=event,
            method=Payment.Method.INVOICE,
            status=Payment.Status.CREATED,
        ).values_list("registration_id", flat=True)
    )
    signed_up = None
    if _needs_signup(checkpoint):
        signed_up = set(checkpoint.session.signups.values_list("registration_id", flat=True))
    first_entries = {
        scan.registration_id: scan
        for scan in CheckIn.objects.filter(
            checkpoint=checkpoint, attendance_day=day, is_first_entry=True
        ).only("registration_id", "scanned_at", "gate")
    }
    badges = []
    for registration in registrations:
        result, reason = badge_standing(
            registration,
            checkpoint,
            has_unpaid_invoice=registration.pk in unpaid,
            is_signed_up=signed_up is None or registration.pk in signed_up,
        )
        first = first_entries.get(registration.pk)
        badges.append(
            {
                "hash": badge_hash(registration.badge_token),
                "registration": registration.pk,
                "name": registration.full_name,
                "organisation": registration.organisation,
                "category": registration.ticket_type.category,
                "category_label": registration.ticket_type.get_category_display(),
                "ticket_type": registration.ticket_type.name,
                "result": result,
                "message": str(REASONS[reason]) if reason else str(MESSAGES[result]),
                "first_checked_in_at": first.scanned_at if first else None,
                "first_gate": first.gate if first else "",
            }
        )
    opens, closes = checkpoint_window(checkpoint)
    return {
        "generated_at": now,
        "event": {
            "id": event.pk,
            "slug": event.slug,
            "title": event.title,
            "time_zone": event.time_zone,
            "day_ends_at": DAY_ENDS_AT.strftime("%H:%M"),
        },
        "checkpoint": {
            "id": checkpoint.pk,
            "name": checkpoint.name,
            "allows_reentry": checkpoint.allows_reentry,
            "records_exits": checkpoint.records_exits,
            "opens_at": opens,
            "closes_at": closes,
        },
        "messages": {code: str(message) for code, message in MESSAGES.items()},
        "badges": badges,
    }
