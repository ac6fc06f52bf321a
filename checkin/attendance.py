"""Who came: live counts, arrivals over time, who is still expected, offline conflicts, the
attendance sheet (feuille d'émargement) and the hours each person attended (their certificate).

Reads only: the door's rules live in `checkin/services.py`. Each function costs a fixed
number of queries whatever the number of registrations and scans: counting is done by the
database, never one query per row.

Words used throughout:
- a scan *admits* a person when it is an entry and the server said `ok`, or an offline device
  said `ok`: it let them in from its downloaded list, whatever the server answered on upload;
  unless the door staff annulled it since (a badge scanned by mistake: `checkin/corrections.py`);
- a person has *arrived* at a checkpoint once a scan there admitted them; on an event of several
  days, they arrive again each day (an event day ends at 04:00 local time: see
  `registrations.models.attendance_day`);
- a person is *expected* while their registration holds a seat that lets them in (confirmed,
  or awaiting payment: public bodies pay after the event);
- a *conflict* is an offline scan that admitted someone the server would have refused (the same
  badge let in by two offline devices, a registration cancelled since the list was downloaded),
  until the door staff settle it: annulled, or admitted anyway (an override).
"""

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast, ExtractMinute, Lower, TruncHour
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checkin.models import CheckIn, Checkpoint, attendance_day
from events.models import Event, Session
from registrations.exports import BOM, neutralise
from registrations.models import Registration, SessionSignup, TicketType

Result = CheckIn.Result
Direction = CheckIn.Direction
BUCKET = timedelta(minutes=15)


# Scans that let the person in (see the module's docstring).
NOT_ANNULLED = Q(annulled_at__isnull=True)
ADMITTING = (
    Q(direction=Direction.ENTRY)
    & (Q(result=Result.OK) | Q(is_offline=True, client_result=Result.OK))
    & NOT_ANNULLED
)
EXITING = Q(direction=Direction.EXIT, result=Result.OK)
CONFLICTING = (
    Q(direction=Direction.ENTRY, is_offline=True, client_result=Result.OK)
    & ~Q(result=Result.OK)
    & NOT_ANNULLED
    & Q(override__isnull=True)
)
AT_ENTRANCE = Q(checkpoint__session__isnull=True)


def is_admission(scan: CheckIn) -> bool:
    """`ADMITTING` for a scan already in memory."""
    return (
        scan.direction == Direction.ENTRY
        and (scan.result == Result.OK or (scan.is_offline and scan.client_result == Result.OK))
        and scan.annulled_at is None
    )


def is_exit(scan: CheckIn) -> bool:
    return scan.direction == Direction.EXIT and scan.result == Result.OK


def expected_registrations(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(event=event, status__in=Registration.EXPECTED)


def admitted_at_entrance() -> QuerySet[CheckIn]:
    """Admissions at the entrance of the registration in the outer query (for Exists and
    Subquery)."""
    return CheckIn.objects.filter(ADMITTING, AT_ENTRANCE, registration_id=OuterRef("pk"))


def event_checkpoints(event: Event) -> list[Checkpoint]:
    """The event's checkpoints, the entrance first, then in their order."""
    checkpoints = Checkpoint.objects.filter(event=event).select_related("session")
    return sorted(checkpoints, key=lambda c: (not c.is_entrance, c.position, c.pk))


# --- Counts ---------------------------------------------------------------------------------


@dataclass
class Tally:
    arrived: int = 0
    expected: int = 0

    @property
    def percent(self) -> int | None:
        """Share of the expected who arrived, rounded down; None when nobody is expected."""
        return self.arrived * 100 // self.expected if self.expected else None

    @property
    def bar_percent(self) -> int:
        """For a progress bar: 0 to 100 (arrivals may outnumber the expected, see
        `attendance_counts`)."""
        return min(self.percent or 0, 100)


@dataclass
class CheckpointCounts:
    checkpoint: Checkpoint
    total: Tally
    by_category: dict[str, Tally]
    # Inside now (admitted since their last exit); None where exits are not scanned.
    present: int | None = None
    arrived_today: int = 0  # people admitted here on the current event day
    scans: int = 0
    refused: int = 0
    conflicts: int = 0
    last_scan_at: datetime | None = None


@dataclass
class AttendanceCounts:
    checkpoints: list[CheckpointCounts]
    # (value, label) of the ticket categories someone is expected or arrived in, in the
    # categories' own order.
    categories: list[tuple[str, str]]
    expected: int = 0  # people with a seat, whether or not the event has checkpoints yet
    today: date | None = None  # the current event day, on an event of several days

    @property
    def entrance(self) -> CheckpointCounts | None:
        return next((row for row in self.checkpoints if row.checkpoint.is_entrance), None)

    def category_rows(self) -> list[tuple[str, list[Tally]]]:
        """For a table of categories (rows) by checkpoint (columns)."""
        return [
            (label, [row.by_category.get(value, Tally()) for row in self.checkpoints])
            for value, label in self.categories
        ]


def attendance_counts(
    *, event: Event, checkpoints: list[Checkpoint] | None = None, now: datetime | None = None
) -> AttendanceCounts:
    """Arrived and expected people per checkpoint and ticket category, with each checkpoint's
    scan figures. Six queries at most, whatever the number of people and scans.

    Everyone with a seat is expected at the entrance and at sessions open to all; at a session
    with its own sign-up, those signed up for it. Arrivals count everyone admitted, including
    people whose registration was cancelled after an offline device let them in.
    `checkpoints`: the event's, as `event_checkpoints` gives them, if already read. On an event
    of several days, while it runs, each checkpoint also counts the people it admitted today
    (the event day of `now`) and `today` says which day that is."""
    checkpoints = event_checkpoints(event) if checkpoints is None else checkpoints
    today = attendance_day(now or timezone.now(), event.zone)
    expected = Counter(
        {
            row["ticket_type__category"]: row["count"]
            for row in expected_registrations(event)
            .order_by()
            .values("ticket_type__category")
            .annotate(count=Count("pk"))
        }
    )
    signup_sessions = {
        c.session_id for c in checkpoints if c.session_id and c.session.requires_signup
    }
    expected_at_session: dict[int, Counter] = defaultdict(Counter)
    if signup_sessions:
        for row in (
            SessionSignup.objects.filter(
                session_id__in=signup_sessions, registration__status__in=Registration.EXPECTED
            )
            .order_by()
            .values("session_id", "registration__ticket_type__category")
            .annotate(count=Count("pk"))
        ):
            expected_at_session[row["session_id"]][row["registration__ticket_type__category"]] = (
                row["count"]
            )
    arrived: dict[int, Counter] = defaultdict(Counter)
    arrived_today: Counter = Counter()
    for row in (
        CheckIn.objects.filter(ADMITTING, event=event, registration__isnull=False)
        .order_by()
        .values("checkpoint_id", "registration__ticket_type__category")
        .annotate(
            count=Count("registration_id", distinct=True),
            today=Count("registration_id", distinct=True, filter=Q(attendance_day=today)),
        )
    ):
        arrived[row["checkpoint_id"]][row["registration__ticket_type__category"]] = row["count"]
        arrived_today[row["checkpoint_id"]] += row["today"]
    scan_figures = {
        row["checkpoint_id"]: row
        for row in CheckIn.objects.filter(event=event)
        .order_by()
        .values("checkpoint_id")
        .annotate(
            scans=Count("pk"),
            refused=Count("pk", filter=Q(direction=Direction.ENTRY) & ~ADMITTING & NOT_ANNULLED),
            conflicts=Count("pk", filter=CONFLICTING),
            last_scan_at=Max("scanned_at"),
        )
    }
    present = _present_by_checkpoint(event, checkpoints)

    used_categories = set(expected)
    rows = []
    for checkpoint in checkpoints:
        if checkpoint.session_id in signup_sessions:
            expected_here = expected_at_session[checkpoint.session_id]
        else:
            expected_here = expected
        arrived_here = arrived[checkpoint.pk]
        used_categories |= {category for category, count in arrived_here.items() if count}
        by_category = {
            category: Tally(arrived=arrived_here[category], expected=expected_here[category])
            for category in set(expected_here) | set(arrived_here)
        }
        figures = scan_figures.get(checkpoint.pk, {})
        rows.append(
            CheckpointCounts(
                checkpoint=checkpoint,
                total=Tally(
                    arrived=sum(arrived_here.values()), expected=sum(expected_here.values())
                ),
                by_category=by_category,
                present=present.get(checkpoint.pk),
                arrived_today=arrived_today[checkpoint.pk],
                scans=figures.get("scans", 0),
                refused=figures.get("refused", 0),
                conflicts=figures.get("conflicts", 0),
                last_scan_at=figures.get("last_scan_at"),
            )
        )
    categories = [
        (value, label) for value, label in TicketType.Category.choices if value in used_categories
    ]
    days = event_days(event)
    return AttendanceCounts(
        checkpoints=rows,
        categories=categories,
        expected=sum(expected.values()),
        today=today if len(days) > 1 and today in days else None,
    )


def _present_by_checkpoint(event: Event, checkpoints: list[Checkpoint]) -> dict[int, int]:
    """People inside each checkpoint that scans exits: admitted after their last exit. One
    query, returning one row per person inside."""
    with_exits = [c.pk for c in checkpoints if c.records_exits]
    if not with_exits:
        return {}
    inside = (
        CheckIn.objects.filter(checkpoint_id__in=with_exits, registration__isnull=False)
        .order_by()
        .values("checkpoint_id", "registration_id")
        .annotate(
            last_in=Max("scanned_at", filter=ADMITTING),
            last_out=Max("scanned_at", filter=EXITING),
        )
        .filter(last_in__isnull=False)
        .filter(Q(last_out__isnull=True) | Q(last_in__gt=F("last_out")))
        .values_list("checkpoint_id", flat=True)
    )
    present = dict.fromkeys(with_exits, 0)
    present.update(Counter(inside))
    return present


# --- Arrivals over time ---------------------------------------------------------------------


@dataclass
class Bucket:
    start: datetime  # in the event's time zone
    count: int

    @property
    def end(self) -> datetime:
        return self.start + BUCKET


@dataclass
class ArrivalSeries:
    """Arrivals at one checkpoint on one day, in 15-minute buckets from the first to the
    last bucket with an arrival (empty ones in between included)."""

    checkpoint: Checkpoint
    day: date
    buckets: list[Bucket]

    @property
    def total(self) -> int:
        return sum(bucket.count for bucket in self.buckets)

    @property
    def peak(self) -> int:
        return max((bucket.count for bucket in self.buckets), default=0)


def arrivals_over_time(
    *, event: Event, checkpoints: list[Checkpoint] | None = None
) -> list[ArrivalSeries]:
    """Each person's first admission at each checkpoint each day, counted per 15 minutes of the
    event's local time, per checkpoint and day. Two queries: the database groups the scans,
    so the rows read are at most checkpoints times quarter-hours. `checkpoints` as in
    `attendance_counts`."""
    zone = event.zone
    earlier_admission = CheckIn.objects.filter(
        ADMITTING,
        registration_id=OuterRef("registration_id"),
        checkpoint_id=OuterRef("checkpoint_id"),
        attendance_day=OuterRef("attendance_day"),
    ).filter(
        Q(scanned_at__lt=OuterRef("scanned_at"))
        | Q(scanned_at=OuterRef("scanned_at"), pk__lt=OuterRef("pk"))
    )
    rows = (
        CheckIn.objects.filter(ADMITTING, event=event, registration__isnull=False)
        .exclude(Exists(earlier_admission))
        .annotate(
            hour=TruncHour("scanned_at", tzinfo=zone),
            # Cast first: PostgreSQL's EXTRACT gives a numeric, which would divide exactly.
            quarter=Cast(ExtractMinute("scanned_at", tzinfo=zone), IntegerField()) / 15,
        )
        .order_by()
        .values("checkpoint_id", "hour", "quarter")
        .annotate(count=Count("pk"))
    )
    counts: dict[int, dict[datetime, int]] = defaultdict(dict)
    for row in rows:
        start = row["hour"].astimezone(zone) + row["quarter"] * BUCKET
        by_start = counts[row["checkpoint_id"]]
        by_start[start] = by_start.get(start, 0) + row["count"]
    if not counts:
        return []
    series = []
    if checkpoints is None:
        checkpoints = event_checkpoints(event)
    for checkpoint in checkpoints:
        by_day: dict[date, list[datetime]] = defaultdict(list)
        for start in counts.get(checkpoint.pk, {}):
            by_day[start.date()].append(start)
        for day in sorted(by_day):
            first, last = min(by_day[day]), max(by_day[day])
            buckets = []
            moment = first
            while moment <= last:
                local = moment.astimezone(zone)
                buckets.append(Bucket(start=local, count=counts[checkpoint.pk].get(local, 0)))
                moment += BUCKET
            series.append(ArrivalSeries(checkpoint=checkpoint, day=day, buckets=buckets))
    return series


# --- Who has not arrived --------------------------------------------------------------------


@dataclass
class NotArrived:
    people: list[Registration]
    total: int  # all matching people, `people` may be cut short


def _not_arrived(event: Event) -> QuerySet[Registration]:
    return expected_registrations(event).exclude(Exists(admitted_at_entrance()))


def count_not_arrived(*, event: Event) -> int:
    return _not_arrived(event).count()


def not_arrived(*, event: Event, search: str = "", limit: int | None = None) -> NotArrived:
    """Expected people not yet admitted at the entrance, by last name; `search` keeps those
    whose first or last name contains every word of it. Two queries."""
    queryset = _not_arrived(event)
    for word in search.split()[:5]:
        queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    total = queryset.count()
    people = queryset.select_related("ticket_type").order_by(
        Lower("last_name"), Lower("first_name"), "pk"
    )
    if limit is not None:
        people = people[:limit]
    return NotArrived(people=list(people), total=total)


# --- Offline conflicts ----------------------------------------------------------------------


@dataclass
class Conflict:
    """An offline scan that admitted someone the server refused, with the other scans that
    admitted the same badge at the same checkpoint (the one the server kept first, usually)."""

    scan: CheckIn
    others: list[CheckIn] = field(default_factory=list)

    @property
    def registration(self) -> Registration | None:
        return self.scan.registration


def conflict_report(*, event: Event) -> list[Conflict]:
    """The event's offline conflicts, oldest first. Two queries."""
    conflicts = [
        Conflict(scan=scan)
        for scan in CheckIn.objects.filter(CONFLICTING, event=event)
        .select_related("registration__ticket_type", "checkpoint", "device")
        .order_by("scanned_at", "pk")
    ]
    registration_ids = {c.scan.registration_id for c in conflicts if c.scan.registration_id}
    if not registration_ids:
        return conflicts
    admissions: dict[tuple[int, int], list[CheckIn]] = defaultdict(list)
    for scan in (
        CheckIn.objects.filter(ADMITTING, event=event, registration_id__in=registration_ids)
        .select_related("device")
        .order_by("scanned_at", "pk")
    ):
        admissions[scan.registration_id, scan.checkpoint_id].append(scan)
    for conflict in conflicts:
        scan = conflict.scan
        conflict.others = [
            other
            for other in admissions.get((scan.registration_id, scan.checkpoint_id), [])
            if other.pk != scan.pk
        ]
    return conflicts


# --- Attendance sheet (feuille d'émargement) ------------------------------------------------


@dataclass
class SheetRow:
    """One line of the attendance sheet: a person expected on a day of the event, with the
    scan that first admitted them at the entrance that day (None if they did not come)."""

    day: date
    registration: Registration
    arrival: CheckIn | None


def attendance_sheet(*, event: Event) -> list[SheetRow]:
    """Every expected person on each day of the event, by day then last name, with their first
    admission at the entrance that day. Two queries."""
    people = list(
        expected_registrations(event)
        .select_related("ticket_type")
        .order_by(Lower("last_name"), Lower("first_name"), "pk")
    )
    arrivals: dict[tuple[int, date], CheckIn] = {}
    for scan in (
        CheckIn.objects.filter(ADMITTING, AT_ENTRANCE, event=event, registration__isnull=False)
        .only("registration_id", "attendance_day", "scanned_at", "gate", "is_offline")
        .order_by("scanned_at", "pk")
    ):
        arrivals.setdefault((scan.registration_id, scan.attendance_day), scan)
    return [
        SheetRow(day=day, registration=person, arrival=arrivals.get((person.pk, day)))
        for day in event_days(event)
        for person in people
    ]


SHEET_COLUMNS = [
    gettext_lazy("Day"),
    gettext_lazy("Last name"),
    gettext_lazy("First name"),
    gettext_lazy("Organisation"),
    gettext_lazy("Category"),
    gettext_lazy("Ticket type"),
    gettext_lazy("Arrived at"),
    gettext_lazy("Gate"),
    gettext_lazy("Scanned offline"),
    gettext_lazy("Signature"),
]


def attendance_sheet_csv(rows: list[SheetRow], *, event: Event) -> str:
    """The attendance sheet as CSV text for a spreadsheet, in the same dialect as the
    registrations' export (BOM, `;`, formulas neutralised); `rows` as `attendance_sheet`
    gives them: one line per person and day. Times in the event's time zone; the signature
    column is left empty."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(header) for header in SHEET_COLUMNS])
    zone = event.zone
    for row in rows:
        person, arrival = row.registration, row.arrival
        values = [
            date_format(row.day, "d/m/Y"),
            person.last_name,
            person.first_name,
            person.organisation,
            person.ticket_type.get_category_display(),
            person.ticket_type.name,
            date_format(arrival.scanned_at.astimezone(zone), "d/m/Y H:i") if arrival else "",
            arrival.gate if arrival else "",
            (_("yes") if arrival.is_offline else _("no")) if arrival else "",
            "",
        ]
        writer.writerow([neutralise(value) for value in values])
    return buffer.getvalue()


# --- Hours attended -------------------------------------------------------------------------


@dataclass(frozen=True)
class DaySpan:
    day: date
    start: datetime  # in the event's time zone
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class AttendedHours:
    days: tuple[DaySpan, ...] = ()

    @property
    def total(self) -> timedelta:
        return sum((span.duration for span in self.days), timedelta())

    @property
    def attended(self) -> bool:
        return bool(self.days)


def format_duration(duration: timedelta) -> str:
    """Hours and minutes, whole minutes: "6 h 30", "7 h" in French."""
    minutes = int(duration.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    if not minutes:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


def event_days(event: Event) -> list[date]:
    """The event's days in its time zone; an evening that runs past midnight (until 04:00)
    adds no day."""
    zone = event.zone
    first = event.start.astimezone(zone).date()
    last = max(first, attendance_day(event.end, zone))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def programme_hours(event: Event, sessions) -> dict[date, tuple[datetime, datetime]]:
    """Each day's programme, from its first session's start to its last session's end
    (cancelled sessions left out); a day without sessions runs at the event's own hours
    (its start's and end's times of day, within the event's dates)."""
    zone = event.zone
    days: dict[date, tuple[datetime, datetime]] = {}
    for session in sessions:
        if session.status == Session.Status.CANCELLED:
            continue
        start, end = session.start.astimezone(zone), session.end.astimezone(zone)
        day = start.date()
        if day in days:
            start, end = min(start, days[day][0]), max(end, days[day][1])
        days[day] = (start, end)
    event_start, event_end = event.start.astimezone(zone), event.end.astimezone(zone)
    for day in event_days(event):
        if day in days:
            continue
        start = datetime.combine(day, event_start.timetz())
        end = datetime.combine(day, event_end.timetz())
        if end <= start:  # an evening running past midnight: until its end the next morning
            end = datetime.combine(day + timedelta(days=1), event_end.timetz())
        days[day] = (max(start, event_start), min(end, event_end))
    return days


def compute_attended_hours(*, event: Event, scans, sessions) -> AttendedHours:
    """The hours one person attended, from their scans at the event's entrance (any results:
    only admissions and exits count) and the event's sessions. Pure: no queries.

    For each day of the event, in its time zone, on which the person was admitted: from the
    later of their first admission and the programme's start, to the programme's end, or to
    their last exit that day when they left and did not come back."""
    zone = event.zone
    programme = programme_hours(event, sessions)
    entries: dict[date, list[datetime]] = defaultdict(list)
    exits: dict[date, list[datetime]] = defaultdict(list)
    for scan in scans:
        # A scan after midnight at the evening's reception belongs to the day before.
        moment, day = scan.scanned_at.astimezone(zone), attendance_day(scan.scanned_at, zone)
        if is_admission(scan):
            entries[day].append(moment)
        elif is_exit(scan):
            exits[day].append(moment)
    spans = []
    for day in event_days(event):
        if not entries.get(day) or day not in programme:
            continue
        day_start, day_end = programme[day]
        start, end = max(min(entries[day]), day_start), day_end
        last_exit = max(exits[day], default=None)
        if last_exit is not None and last_exit > max(entries[day]):
            end = min(end, last_exit)
        if end > start:
            spans.append(DaySpan(day=day, start=start, end=end))
    return AttendedHours(days=tuple(spans))


def _entrance_movements() -> Q:
    return AT_ENTRANCE & (ADMITTING | EXITING)


def attended_hours(*, registration: Registration) -> AttendedHours:
    """The hours `registration` attended its event (see `compute_attended_hours`). Two
    queries, one if the person never came."""
    event = registration.event
    scans = list(
        CheckIn.objects.filter(_entrance_movements(), registration=registration).only(
            "scanned_at", "direction", "result", "is_offline", "client_result", "annulled_at"
        )
    )
    if not any(is_admission(scan) for scan in scans):
        return AttendedHours()
    return compute_attended_hours(event=event, scans=scans, sessions=_sessions(event))


def attended_hours_by_registration(*, event: Event) -> dict[int, AttendedHours]:
    """The hours attended by everyone admitted at the event's entrance, by registration id
    (those who never came are left out). Two queries."""
    scans: dict[int, list[CheckIn]] = defaultdict(list)
    for scan in CheckIn.objects.filter(
        _entrance_movements(), event=event, registration__isnull=False
    ).only(
        "registration_id",
        "scanned_at",
        "direction",
        "result",
        "is_offline",
        "client_result",
        "annulled_at",
    ):
        scans[scan.registration_id].append(scan)
    if not scans:
        return {}
    sessions = _sessions(event)
    hours = {
        registration_id: compute_attended_hours(event=event, scans=items, sessions=sessions)
        for registration_id, items in scans.items()
    }
    return {pk: attended for pk, attended in hours.items() if attended.attended}


def _sessions(event: Event) -> list[Session]:
    return list(
        Session.objects.filter(event=event)
        .exclude(status=Session.Status.CANCELLED)
        .only("start", "end", "status")
    )


def certificate_hours(
    *, registration: Registration, now: datetime | None = None
) -> AttendedHours | None:
    """The hours an attendee's certificate states, or None while they may not have one: it
    comes once the event is over, if the door admitted them for some time. No query before
    the event's end."""
    now = now or timezone.now()
    if registration.event.end >= now:
        return None
    hours = attended_hours(registration=registration)
    return hours if hours.attended else None


def certificate_available(*, registration: Registration, now: datetime | None = None) -> bool:
    return certificate_hours(registration=registration, now=now) is not None
