"""The door: scanner devices, checkpoints and the rule that says who gets in.

`check_in` is the one place that decides a scan's answer, for the API, the scanner page's
manual check-in and offline uploads alike. It takes no lock: two database constraints decide,
and the insert that loses to either learns why. One first entry per registration and
checkpoint: when two devices scan one badge at the same instant, both judge it not yet admitted,
one insert records the first entry and the other, refused by the constraint, reads that entry
and records a repeat (`already_checked_in`). One scan per event and client nonce: a device that
sends a scan again (a retry after a lost answer, an offline queue uploaded twice) gets the first
answer back and no second record. The inserts say `ON CONFLICT DO NOTHING` (PostgreSQL, SQLite
3.35+), so a refusal is an answer, not an error, and a usual scan costs three statements, each
its own transaction: the device, the badge with its first entry here, the insert.

"First" is per event day (`attendance_day`: the local date, until 04:00 the next morning): on
the second day of an event, each person's first scan admits them again, whatever the
checkpoint's re-entry setting, and it is that day's first entry a repeat is told about.

Those three are written in SQL rather than built by the ORM (`_Columns`): on the busiest endpoint,
composing them took more CPU than everything else a scan does (1 ms for the device's four-table
query alone, against 0.05 ms to send it as text).
"""

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.text import check_text
from events.models import Event
from registrations.models import (
    DAY_ENDS_AT,
    CheckIn,
    Checkpoint,
    Payment,
    Registration,
    ScannerDevice,
    TicketType,
    attendance_day,
)

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
    device = ScannerDevice.objects.create(
        event=event,
        name=name[:100],
        checkpoint=checkpoint,
        token_digest=token_digest(token),
        created_by=created_by,
    )
    return device, token


def revoke_scanner_device(*, device: ScannerDevice, now=None) -> ScannerDevice:
    """From now on the device's token is refused. Its scans stay in the log."""
    if device.revoked_at is None:
        device.revoked_at = now or timezone.now()
        device.save(update_fields=["revoked_at"])
    return device


def device_for_token(token: str) -> ScannerDevice | None:
    """The device a token belongs to (revoked ones included: the caller says why it refuses),
    with its event, its default checkpoint and its event's entrance as `entrance` (None until
    first needed): a scan at either needs no further query to know where it happens (but
    for a session's own list, the session). One query, read afresh each time: a revocation, or
    a checkpoint's new hours, apply from the next scan."""
    if not token or len(token) > 200:
        return None
    row = _fetch_one(
        _DEVICE_QUERY,
        [token_digest(token)],
        _DEVICE,
        _EVENT,
        _DEFAULT_CHECKPOINT,
        _ENTRANCE,
        prepared=True,
    )
    if row is None:
        return None
    device, event, checkpoint, entrance = row
    _set_related(device, "event", event)
    _set_related(device, "checkpoint", checkpoint)
    for place in (checkpoint, entrance):
        if place is not None:
            _set_related(place, "event", event)
    device.entrance = entrance
    return device


def _one_or_none(queryset):
    """The one row a lookup by a unique key finds, or None. Unlike first(), no ORDER BY: the
    models' default orderings join the event, a cost paid on every scan for nothing."""
    try:
        return queryset.get()
    except queryset.model.DoesNotExist:
        return None


def note_device_seen(device: ScannerDevice, *, now=None) -> None:
    """Record when a device was last heard from, at most once a minute (a write per scan would
    double the cost of the busiest endpoint for a figure nobody reads to the second)."""
    now = now or timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at > timedelta(minutes=1):
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
    registration, first_entry = find_badge(
        checkpoint_id=checkpoint.pk, day=day, token=token, registration_id=registration_id
    )
    other_event = registration is not None and registration.event_id != event_id
    if other_event:
        registration = first_entry = None
    for _attempt in range(3):
        if first_entry is not None:
            _set_related(first_entry, "checkpoint", checkpoint)
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
            return Scan(record, registration, None if record.is_first_entry else first_entry)
        # Refused. This nonce was recorded first (a retry, perhaps arriving at the same
        # instant): its answer stands. Or another gate admitted the person since the badge was
        # read: this scan is a repeat, judged again knowing when and where they came in.
        earlier = _scan_with_nonce(event_id, nonce)
        if earlier is not None:
            return _replay(earlier)
        if not record.is_first_entry:
            break
        first_entry = _first_entry(registration, checkpoint, day)
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


def find_badge(
    *,
    checkpoint_id: int,
    day: date,
    token: str | None = None,
    registration_id: int | None = None,
) -> tuple[Registration | None, CheckIn | None]:
    """The registration a badge's `token` (or, for a manual check-in, `registration_id`) names,
    with its ticket type, and its first entry at `checkpoint_id` on the event day `day` if it
    has one: one query by a unique key. (None, None) for no such registration."""
    if token is not None:
        if not isinstance(token, str) or not 0 < len(token) <= 64:
            return None, None
        query, key = _BADGE_BY_TOKEN_QUERY, token
    else:
        query, key = _BADGE_BY_ID_QUERY, registration_id
    # Not prepared: PostgreSQL would keep the plan it made for the first scans. Made while the
    # check-ins table was small (a new database, or the first minutes at the door), it reads
    # that table whole, and goes on doing so as the table grows: a scan then cost 3 ms of its
    # CPU after 10,000 check-ins. Planned afresh each time, the lookup stays on the indexes.
    row = _fetch_one(
        query,
        [checkpoint_id, _ATTENDANCE_DAY.get_db_prep_value(day, connections[DEFAULT_DB_ALIAS]), key],
        _REGISTRATION,
        _TICKET_TYPE,
        _FIRST_ENTRY,
        prepared=False,
    )
    if row is None:
        return None, None
    registration, ticket_type, first_entry = row
    _set_related(registration, "ticket_type", ticket_type)
    if first_entry is not None:
        _set_related(first_entry, "registration", registration)
    return registration, first_entry


def record_scan(scan: CheckIn) -> bool:
    """Insert `scan` unless a constraint refuses it: the event has a scan with its nonce, or
    it is a first entry and the registration has one at its checkpoint that day. True when recorded
    (its `pk` is then set); False, and no error, when refused."""
    database = connections[DEFAULT_DB_ALIAS]
    values = [
        field.get_db_prep_save(field.pre_save(scan, True), database) for field in _CHECKIN_INSERTED
    ]
    with _cursor(database, prepared=True) as cursor:
        cursor.execute(_INSERT_QUERY, values)
        row = cursor.fetchone()
    if row is None:
        return False
    scan.pk = row[0]
    scan._state.adding = False
    scan._state.db = database.alias
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


# --- The busy path's SQL --------------------------------------------------------------------


class _Columns:
    """A model's columns in a hand-written query, under a table alias (`sql`), and the instance
    built back from their values as the ORM builds it, through the database's converters
    (SQLite hands datetimes back as text and booleans as integers; PostgreSQL needs none)."""

    def __init__(self, model, alias: str, *, only: tuple[str, ...] = ()):
        self.model = model
        self.alias = alias
        self.fields = [
            field
            for field in model._meta.concrete_fields
            if not only or field.primary_key or field.name in only
        ]
        # The others are deferred: loaded by a query of their own if ever read.
        self.attnames = None if not only else {field.attname for field in self.fields}
        self.width = len(self.fields)
        self.sql = ", ".join(f'{alias}."{field.column}"' for field in self.fields)
        self.pk_index = self.fields.index(model._meta.pk)
        self._converters = {}  # by database vendor: they depend on nothing else

    def build(self, database, values):
        """The instance `values` (a slice of a row) describe; None for an outer join's nulls."""
        if values[self.pk_index] is None:
            return None
        converters = self._converters.get(database.vendor)
        if converters is None:
            converters = self._converters[database.vendor] = self._converters_of(database)
        if converters:
            values = list(values)
            for index, functions, column in converters:
                for function in functions:
                    values[index] = function(values[index], column, database)
        return self.model.from_db(database.alias, self.attnames, values)

    def _converters_of(self, database) -> list:
        found = []
        for index, field in enumerate(self.fields):
            column = field.get_col(self.alias)
            functions = database.ops.get_db_converters(column) + column.get_db_converters(database)
            if functions:
                found.append((index, functions, column))
        return found


def _fetch_one(query: str, params: list, *columns: _Columns, prepared: bool) -> list | None:
    """The instances described by the one row `query` finds, one per `columns` in the order of
    the SELECT (None where an outer join found nothing); None when it finds no row."""
    database = connections[DEFAULT_DB_ALIAS]
    with _cursor(database, prepared=prepared) as cursor:
        cursor.execute(query, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for part in columns:
        instances.append(part.build(database, row[start : start + part.width]))
        start += part.width
    return instances


def _cursor(database, *, prepared: bool):
    """A cursor for the statements below; on PostgreSQL, if `prepared`, one that has them
    prepared: parsed and planned once per connection rather than at each scan. Django's psycopg
    cursors bind parameters on the client, so PostgreSQL parses and plans every statement it
    is sent (binding them on the server breaks some grouped queries: Django ticket #34255);
    for the device's four-table join that took 0.3 ms of its CPU, against 0.05 ms to run the
    prepared one. psycopg prepares only where the connection's `prepare_threshold` is set
    (config/settings.py); Django's own cursors never do.

    Only for statements whose plan cannot go stale: the plan is made once, with the tables as
    they are then, and kept as long as the connection."""
    if not prepared or database.vendor != "postgresql":
        return database.cursor()
    database.ensure_connection()
    database.validate_thread_sharing()
    with database.wrap_database_errors:
        cursor = _preparing_cursor_class()(database.connection)
    if database.queries_logged:
        return database.make_debug_cursor(cursor)
    return database.make_cursor(cursor)


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True)

    return PreparingCursor


def _set_related(instance, name: str, value) -> None:
    """What select_related does: `instance.<name>` is `value` without a query."""
    instance._meta.get_field(name).set_cached_value(instance, value)


_DEVICE = _Columns(ScannerDevice, "d")
# What the door reads of its event: not its descriptions, which can be long.
_EVENT = _Columns(
    Event,
    "e",
    only=(
        "organisation",
        "kind",
        "slug",
        "title",
        "title_fr",
        "title_en",
        "time_zone",
        "start",
        "end",
        "access",
        "status",
    ),
)
_DEFAULT_CHECKPOINT = _Columns(Checkpoint, "c")
_ENTRANCE = _Columns(Checkpoint, "x")
_DEVICE_QUERY = f"""
    SELECT {_DEVICE.sql}, {_EVENT.sql}, {_DEFAULT_CHECKPOINT.sql}, {_ENTRANCE.sql}
    FROM registrations_scannerdevice d
    JOIN events_event e ON e.id = d.event_id
    LEFT JOIN registrations_checkpoint c ON c.id = d.checkpoint_id
    LEFT JOIN registrations_checkpoint x ON x.event_id = d.event_id AND x.session_id IS NULL
    WHERE d.token_digest = %s
"""  # noqa: S608 - the models' own column names, no outside input

_REGISTRATION = _Columns(Registration, "r")
_TICKET_TYPE = _Columns(TicketType, "t")
_FIRST_ENTRY = _Columns(CheckIn, "f")
# The first entry is found by the one-first-entry constraint's (partial, unique) index.
_BADGE_QUERY = f"""
    SELECT {_REGISTRATION.sql}, {_TICKET_TYPE.sql}, {_FIRST_ENTRY.sql}
    FROM registrations_registration r
    JOIN registrations_tickettype t ON t.id = r.ticket_type_id
    LEFT JOIN registrations_checkin f
        ON f.registration_id = r.id AND f.checkpoint_id = %s AND f.attendance_day = %s
        AND f.is_first_entry
"""  # noqa: S608 - the models' own column names, no outside input
_BADGE_BY_TOKEN_QUERY = _BADGE_QUERY + "WHERE r.badge_token = %s"
_BADGE_BY_ID_QUERY = _BADGE_QUERY + "WHERE r.id = %s"

_ATTENDANCE_DAY = CheckIn._meta.get_field("attendance_day")
_CHECKIN_INSERTED = [field for field in CheckIn._meta.concrete_fields if not field.primary_key]
# With no conflict target, DO NOTHING covers both constraints a scan may run into; RETURNING
# gives no row when one refused it.
_INSERT_QUERY = (
    "INSERT INTO registrations_checkin ("  # noqa: S608 - the model's own column names
    + ", ".join(f'"{field.column}"' for field in _CHECKIN_INSERTED)
    + ") VALUES ("
    + ", ".join(["%s"] * len(_CHECKIN_INSERTED))
    + ") ON CONFLICT DO NOTHING RETURNING id"
)
