"""Every .ics Colloque produces is built here, from model objects, without requests.

Rules (DESIGN.md): a VTIMEZONE for the event's zone, stable UIDs, DTSTAMP, a SEQUENCE that
grows with each change, cancellations sent with METHOD:CANCEL and STATUS:CANCELLED.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import (
    Alarm,
    Calendar,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vCategory,
    vDDDTypes,
    vDuration,
    vInt,
    vText,
    vUnknown,
    vUri,
)
from icalendar import Event as VEvent
from icalendar import Timezone as VTimezone

from events.models import Event, Session

PRODID = "-//Colloque//Colloque//FR"


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str


def parameter_text(value: str) -> str:
    """A parameter value (CN) may hold neither a double quote nor a control character
    (RFC 5545 3.1); input validation refuses them already, this is the builder's own guard."""
    return "".join(" " if ord(char) < 32 or char == "\x7f" else char for char in value).replace(
        '"', "'"
    )


def uid_domain() -> str:
    return _host_of(settings.SITE_URL)


@lru_cache(maxsize=8)
def _host_of(site_url: str) -> str:
    # Cached: a feed names hundreds of UIDs, and parsing the address each time shows.
    return urlsplit(site_url).hostname or "colloque.invalid"


def new_calendar(
    *,
    method: str | None = None,
    name: str | None = None,
    zones: dict[str, tuple[int, int]] | None = None,
) -> Calendar:
    """A calendar, with `method` for an iTIP message, `name` for a feed, and the VTIMEZONE of
    each of `zones` (its name: the first and last years it must cover)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        # Commas and semicolons left as they are: clients read the calendar's name as raw text
        # (X-WR-CALNAME has no registered type), and in a name they can mean nothing else.
        raw = vText(name).to_ical().decode().replace("\\,", ",").replace("\\;", ";")
        calendar.add("x-wr-calname", vUnknown(raw))
        calendar.add("name", vUnknown(raw))
    for zone_name, (first_year, last_year) in (zones or {}).items():
        calendar.add_component(vtimezone(zone_name, first_year, last_year))
    return calendar


def organiser_address(event: Event) -> vCalAddress:
    email = event.contact_email or _address_of(settings.DEFAULT_FROM_EMAIL)
    organiser = vCalAddress(f"mailto:{email}")
    organiser.params["cn"] = vText(parameter_text(event.organisation.name))
    return organiser


def _address_of(from_header: str) -> str:
    # "Colloque <noreply@example.org>" → "noreply@example.org"
    return from_header.rsplit("<", 1)[-1].rstrip(">").strip()


def event_location(event: Event) -> str:
    return event.venue.address if event.venue_id else ""


@dataclass(frozen=True)
class Transition:
    at: datetime  # UTC instant
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_daylight: bool


@lru_cache(maxsize=128)
def zone_transitions(zone_name: str, first_year: int, last_year: int) -> tuple[Transition, ...]:
    """The instants, between 1 January of `first_year` and the end of `last_year`, where the
    zone's offset changes, found from the system's zone data."""
    zone = ZoneInfo(zone_name)
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    transitions = []
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + timedelta(days=1)
        if following.astimezone(zone).utcoffset() != offset:
            # Bisect on whole seconds: `high` ends as the first second of the new offset.
            low, high = int(moment.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            high = datetime.fromtimestamp(high, UTC)
            local = high.astimezone(zone)
            transitions.append(
                Transition(
                    at=high,
                    offset_from=offset,
                    offset_to=local.utcoffset(),
                    name=local.tzname(),
                    is_daylight=bool(local.dst()),
                )
            )
            offset = local.utcoffset()
        moment = following
    return tuple(transitions)


def vtimezone(zone_name: str, first_year: int, last_year: int) -> VTimezone:
    """A VTIMEZONE valid from 1 January of `first_year` to the end of `last_year`.

    Written by hand rather than with icalendar's generator, whose output Thunderbird's parser
    (ical.js) misreads: it reads one date per RDATE line only, and each onset must be given in
    the local time before the change (02:00 for the March change in Paris, not 03:00)."""
    zone = ZoneInfo(zone_name)
    timezone_component = VTimezone()
    timezone_component.add("tzid", zone_name)
    start = datetime(first_year, 1, 1, tzinfo=zone)
    first = _observance(start.dst(), start.tzname(), start.utcoffset(), start.utcoffset())
    first.add("dtstart", start.replace(tzinfo=None))
    timezone_component.add_component(first)
    groups: dict[tuple, list[Transition]] = {}
    for transition in zone_transitions(zone_name, first_year, last_year):
        key = (
            transition.is_daylight,
            transition.name,
            transition.offset_from,
            transition.offset_to,
        )
        groups.setdefault(key, []).append(transition)
    for (is_daylight, name, offset_from, offset_to), transitions in groups.items():
        observance = _observance(is_daylight, name, offset_from, offset_to)
        onsets = [(t.at + t.offset_from).replace(tzinfo=None) for t in transitions]
        observance.add("dtstart", onsets[0])
        for onset in onsets[1:]:
            observance.add("rdate", onset)
        timezone_component.add_component(observance)
    return timezone_component


def _observance(is_daylight, name, offset_from, offset_to):
    observance = TimezoneDaylight() if is_daylight else TimezoneStandard()
    observance.add("tzname", name)
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", offset_to)
    return observance


# --- Subscription feeds ------------------------------------------------------------------------
# A feed (RFC 5545 without METHOD, with the refresh properties of RFC 7986 and their de-facto
# X- forms) is what a calendar subscribes to and polls: the programme of an event, a track or a
# speaker, an attendee's agenda, a partner's events. Built with icalendar, like the invitations;
# the built bytes are kept in the shared cache by the feed's ETag (events/feeds.py).

FEED_REFRESH = timedelta(hours=1)


class SessionFacts(NamedTuple):
    """What a feed shows of a session, its texts already in the feed's language."""

    pk: int
    event_id: int
    type: str
    title: str
    abstract: str
    room: str
    track: str
    start: datetime
    end: datetime
    status: str
    sequence: int
    is_public: bool


class SpeakerCredit(NamedTuple):
    """A speaker's part in a session, as the session's description lists it."""

    session_id: int
    name: str
    role: str
    title: str
    affiliation: str


class FeedEntry(NamedTuple):
    """One VEVENT of a feed. `start` and `end` are aware datetimes, written in `zone`, or dates
    for an all-day entry (`end` is then the day after the last day)."""

    uid: str
    sequence: int
    zone: ZoneInfo
    start: datetime | date
    end: datetime | date
    summary: str
    status: str = "CONFIRMED"
    url: str = ""
    location: str = ""
    description: str = ""
    categories: tuple[str, ...] = ()


def session_uid(session_id: int) -> str:
    """A session's UID in every feed and invitation: calendars match its updates on it."""
    return f"session-{session_id}@{uid_domain()}"


def event_uid(event_id: int) -> str:
    """An event's UID as a whole (a feed's entry for the event itself)."""
    return f"event-{event_id}@{uid_domain()}"


def event_entry(event: Event, *, status_if_on: str = "CONFIRMED", sequence: int = 0) -> FeedEntry:
    """The event as a whole: all day when it spans several local days, timed otherwise.
    A cancelled event is CANCELLED; otherwise the entry has `status_if_on`. `sequence` is
    added to the event's own."""
    zone = event.zone
    first_day = event.start.astimezone(zone).date()
    # An event ending at midnight ends on the day before.
    last_day = (event.end.astimezone(zone) - timedelta(microseconds=1)).date()
    spans_days = last_day > first_day
    return FeedEntry(
        uid=event_uid(event.pk),
        sequence=event.calendar_sequence + sequence,
        zone=zone,
        start=first_day if spans_days else event.start,
        end=last_day + timedelta(days=1) if spans_days else event.end,
        summary=_cancelled(event.title) if event.is_cancelled else event.title,
        status="CANCELLED" if event.is_cancelled else status_if_on,
        url=settings.SITE_URL + event.get_absolute_url(),
        location=event_location(event),
        description=event.subtitle,
        categories=(str(event.get_kind_display()).capitalize(),),
    )


def session_entries(
    sessions: list[SessionFacts],
    credits: dict[int, list[SpeakerCredit]],
    *,
    events: dict[int, Event],
    status_if_on: str = "CONFIRMED",
    sequence: int = 0,
) -> list[FeedEntry]:
    """Entries for `sessions` of `events` (by id), with their speakers' `credits` (by session
    id). A cancelled session, or one of a cancelled event, is CANCELLED; the others have
    `status_if_on`. `sequence` is added to each session's own."""
    from speakers.models import SessionSpeaker

    # What does not change from session to session is worked out once per feed: labels, each
    # event's place, zone and addresses. A large programme makes this loop the feed's hot spot.
    type_labels = {value: str(label).capitalize() for value, label in Session.Type.choices}
    role_labels = {value: str(label) for value, label in SessionSpeaker.Role.choices}
    contexts = {pk: _SessionContext.of(event) for pk, event in events.items()}
    uid_domain_part = f"@{uid_domain()}"
    cancelled = str(Session.Status.CANCELLED)
    no_credits = ()
    new_entry = FeedEntry._make
    entries = []
    for session in sessions:
        pk = session.pk
        context = contexts[session.event_id]
        is_cancelled = context.is_cancelled or session.status == cancelled
        lines = [_credit_line(credit, role_labels) for credit in credits.get(pk, no_credits)]
        abstract = session.abstract
        if abstract:
            if lines:
                lines += ["", abstract]
            else:
                lines = [abstract]
        room, place, track = session.room, context.place, session.track
        type_label = type_labels.get(session.type)
        if track:
            categories = (track, type_label) if type_label else (track,)
        else:
            categories = (type_label,) if type_label else ()
        entries.append(
            new_entry(
                (
                    f"session-{pk}{uid_domain_part}",  # session_uid(pk)
                    session.sequence + sequence,
                    context.zone,
                    session.start,
                    session.end,
                    _cancelled(session.title) if is_cancelled else session.title,
                    "CANCELLED" if is_cancelled else status_if_on,
                    # A session not shown publicly has no page: its entry leads to the event's.
                    f"{context.page_prefix}{pk}{context.page_suffix}"
                    if session.is_public
                    else context.event_url,
                    f"{room}, {place}" if room and place else room or place,
                    "\n".join(lines),
                    categories,
                )
            )
        )
    return entries


class _SessionContext(NamedTuple):
    """What an event gives each of its sessions' entries."""

    is_cancelled: bool
    zone: ZoneInfo
    place: str
    event_url: str
    page_prefix: str
    page_suffix: str

    @classmethod
    def of(cls, event: Event) -> "_SessionContext":
        return cls(
            event.is_cancelled,
            event.zone,
            event_location(event),
            settings.SITE_URL + event.get_absolute_url(),
            *_session_url_parts(event),
        )


def _cancelled(title: str) -> str:
    # Calendars that show cancelled entries rather than drop them say so in the title.
    return _("Cancelled: %(title)s") % {"title": title}


def _credit_line(credit: SpeakerCredit, role_labels: dict[str, str]) -> str:
    _, name, role, title, affiliation = credit
    line = f"{name} ({role_labels.get(role, role)})"
    details = f"{title}, {affiliation}" if title and affiliation else title or affiliation
    return f"{line} — {details}" if details else line


# Any number: a session page's address is reversed once per feed, then filled in.
_PAGE_NUMBER = 987654321


def _session_url_parts(event: Event) -> tuple[str, str]:
    """The absolute address of `event`'s session pages in the active language, cut around the
    session's number: reversing it for each session would cost a millisecond per hundred."""
    path = reverse("events:session", kwargs={"slug": event.slug, "pk": _PAGE_NUMBER})
    prefix, suffix = path.split(str(_PAGE_NUMBER), 1)
    return settings.SITE_URL + prefix, suffix


def feed_calendar(
    *,
    name: str,
    events: list[Event],
    entries: list[FeedEntry],
    stamp: datetime,
    alarm_minutes: int | None = None,
) -> bytes:
    """A calendar to subscribe to: no METHOD, a VTIMEZONE per time zone of `events`, refreshed
    hourly, the `entries` stamped with `stamp` (when what the feed shows last changed, so that
    the same data always gives the same bytes) and, with `alarm_minutes`, a reminder that many
    minutes before each timed entry still on."""
    years: dict[str, tuple[int, int]] = {}
    for event in events:
        first, last = years.get(event.time_zone, (event.start.year, event.end.year))
        years[event.time_zone] = (min(first, event.start.year), max(last, event.end.year))
    calendar = new_calendar(name=name, zones=years)
    calendar.add("x-wr-timezone", events[0].time_zone if events else settings.TIME_ZONE)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    values = SharedValues()
    for entry in entries:
        calendar.add_component(
            entry_vevent(entry, stamp=stamp, alarm_minutes=alarm_minutes, values=values)
        )
    return calendar.to_ical(sorted=False)


class SharedValues:
    """Property values typed once for a whole calendar: sessions start when others end, in
    the same rooms and tracks, with the same status and stamp."""

    def __init__(self):
        self.typed: dict[tuple, object] = {}

    def __call__(self, kind: type, value, key=None):
        key = (kind, key if key is not None else value)
        typed = self.typed.get(key)
        if typed is None:
            typed = self.typed[key] = kind(value)
        return typed


def entry_vevent(
    entry: FeedEntry,
    *,
    stamp: datetime,
    alarm_minutes: int | None = None,
    transp: str = "",
    values: SharedValues | None = None,
) -> VEvent:
    """The VEVENT of `entry`, for a feed or an invitation: its UID, DTSTAMP (`stamp`),
    SEQUENCE, DTSTART and DTEND (in the entry's zone, or all-day dates), SUMMARY, STATUS and
    TRANSP (`transp`, or opaque unless cancelled), and what it has of LOCATION, DESCRIPTION,
    CATEGORIES and URL; with `alarm_minutes`, a VALARM before a timed entry still on.
    `values` shares typed values between the entries of one calendar."""
    shared = values or SharedValues()
    vevent = VEvent()
    vevent.add("uid", vText(entry.uid))
    vevent.add("dtstamp", shared(vDDDTypes, stamp.astimezone(UTC)))
    vevent.add("sequence", shared(vInt, entry.sequence))
    is_timed = isinstance(entry.start, datetime)
    for name, moment in (("dtstart", entry.start), ("dtend", entry.end)):
        if is_timed:
            local = in_zone_unless_repeated(moment, entry.zone)
            # Keyed by the zone too: the same instant is another value in another zone.
            vevent.add(name, shared(vDDDTypes, local, key=(local, local.tzinfo)))
        else:
            vevent.add(name, moment)
    vevent.add("summary", vText(entry.summary))
    is_on = entry.status != "CANCELLED"
    vevent.add("status", shared(vText, entry.status))
    vevent.add("transp", shared(vText, transp or ("OPAQUE" if is_on else "TRANSPARENT")))
    if entry.location:
        vevent.add("location", shared(vText, entry.location))
    if entry.description:
        vevent.add("description", vText(entry.description))
    if entry.categories:
        vevent.add("categories", shared(vCategory, list(entry.categories), key=entry.categories))
    if entry.url:
        vevent.add("url", vUri(entry.url))
    if alarm_minutes is not None and is_on and is_timed:
        alarm = Alarm()
        alarm.add("action", shared(vText, "DISPLAY"))
        alarm.add("description", vText(entry.summary))
        alarm.add("trigger", shared(vDuration, timedelta(minutes=-alarm_minutes)))
        vevent.add_component(alarm)
    return vevent


def in_zone_unless_repeated(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` as the zone's local time, or in UTC within the hour repeated when clocks go
    back: a local time there is read as its first occurrence (RFC 5545 3.3.5), an hour off
    for the second."""
    local = moment.astimezone(zone)
    return moment.astimezone(UTC) if local.fold else local
