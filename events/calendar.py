"""Every .ics Colloque produces is built here, from model objects, without requests.

Rules (DESIGN.md): a VTIMEZONE for the event's zone, stable UIDs, DTSTAMP, a SEQUENCE that
grows with each change, cancellations sent with METHOD:CANCEL and STATUS:CANCELLED.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, TimezoneDaylight, TimezoneStandard, vCalAddress, vText
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


def new_calendar(*, method: str | None = None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
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
# speaker, an attendee's agenda, a partner's events. Feeds are written as text here rather than
# through icalendar's object model: 300 sessions take over 100 ms with it, a few as text. Only
# the VTIMEZONE comes from icalendar, built once per zone and years.

FEED_REFRESH = "PT1H"
# The longest content line, in octets, without its CRLF (RFC 5545 3.1).
LINE_OCTETS = 75
CRLF = "\r\n"
_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f]")


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
    # Commas and semicolons left as they are: clients read the calendar's name as raw text
    # (X-WR-CALNAME has no registered type), and in a name they can mean nothing else.
    calendar_name = escape_text(name).replace("\\,", ",").replace("\\;", ";")
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        _fold(f"X-WR-CALNAME:{calendar_name}"),
        _fold(f"NAME:{calendar_name}"),
        f"X-WR-TIMEZONE:{events[0].time_zone if events else settings.TIME_ZONE}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{FEED_REFRESH}",
        f"X-PUBLISHED-TTL:{FEED_REFRESH}",
    ]
    vevent_lines = _vevent_writer(_utc_text(stamp), alarm_minutes)
    body = []
    for entry in entries:
        body += vevent_lines(entry)
    body.append("END:VCALENDAR")
    timezones = "".join(vtimezone_text(zone, *span) for zone, span in years.items())
    return f"{CRLF.join(header)}{CRLF}{timezones}{CRLF.join(body)}{CRLF}".encode()


def _vevent_writer(dtstamp: str, alarm_minutes: int | None) -> Callable[[FeedEntry], list[str]]:
    """The content lines of an entry's VEVENT, for one feed. What entries share (instants,
    places, categories) is written once per feed: sessions start when others end, in the same
    rooms and tracks."""
    stamp_line = f"DTSTAMP:{dtstamp}"
    trigger_line = f"TRIGGER:-PT{alarm_minutes}M"
    instants: dict[tuple[datetime, ZoneInfo], str] = {}
    places: dict[str, str] = {}
    labels: dict[tuple[str, ...], str] = {}

    def instant(moment: datetime, zone: ZoneInfo) -> str:
        key = (moment, zone)
        value = instants.get(key)
        if value is None:
            value = instants[key] = _date_time_value(moment, zone)
        return value

    def vevent_lines(entry: FeedEntry) -> list[str]:
        uid, sequence, zone, start, end, summary, status, url, location, description, categories = (
            entry
        )
        # Only the lines carrying free text or an address can pass 75 octets and need folding:
        # the others (UID, dates, status, alarm) stay well below.
        is_timed = isinstance(start, datetime)
        if is_timed:
            start_line = f"DTSTART{instant(start, zone)}"
            end_line = f"DTEND{instant(end, zone)}"
        else:
            start_line = f"DTSTART;VALUE=DATE:{start:%Y%m%d}"
            end_line = f"DTEND;VALUE=DATE:{end:%Y%m%d}"
        summary = escape_text(summary)
        is_on = status != "CANCELLED"
        lines = [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            stamp_line,
            f"SEQUENCE:{sequence}",
            start_line,
            end_line,
            _fold(f"SUMMARY:{summary}"),
            f"STATUS:{status}",
            "TRANSP:OPAQUE" if is_on else "TRANSP:TRANSPARENT",
        ]
        if location:
            line = places.get(location)
            if line is None:
                line = places[location] = _fold(f"LOCATION:{escape_text(location)}")
            lines.append(line)
        if description:
            lines.append(_fold(f"DESCRIPTION:{escape_text(description)}"))
        if categories:
            line = labels.get(categories)
            if line is None:
                items = ",".join(escape_text(item) for item in categories)
                line = labels[categories] = _fold(f"CATEGORIES:{items}")
            lines.append(line)
        if url:
            lines.append(_fold(f"URL:{url}"))
        if alarm_minutes is not None and is_on and is_timed:
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                _fold(f"DESCRIPTION:{summary}"),
                trigger_line,
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
        return lines

    return vevent_lines


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped;
    the other control characters, which the format forbids, made spaces."""
    # Each replacement only when needed: the feeds of a large programme escape thousands.
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if ";" in value:
        value = value.replace(";", "\\;")
    if "," in value:
        value = value.replace(",", "\\,")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    return value if value.isprintable() else _CONTROL_CHARACTERS.sub(" ", value)


def _fold(line: str) -> str:
    """Fold a content line every 75 octets, never inside a character (RFC 5545 3.1)."""
    if len(line) <= LINE_OCTETS and line.isascii():
        return line
    data = line.encode()
    if len(data) <= LINE_OCTETS:
        return line
    pieces = []
    start, limit = 0, LINE_OCTETS
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # inside a UTF-8 character: cut before it
            cut -= 1
        pieces.append(data[start:cut])
        start, limit = cut, LINE_OCTETS - 1  # a continuation line starts with a space
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode()


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def in_zone_unless_repeated(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` as the zone's local time, or in UTC within the hour repeated when clocks go
    back: a local time there is read as its first occurrence (RFC 5545 3.3.5), an hour off
    for the second."""
    local = moment.astimezone(zone)
    return moment.astimezone(UTC) if local.fold else local


def _date_time_value(moment: datetime, zone: ZoneInfo) -> str:
    """What follows DTSTART or DTEND: ";TZID=Europe/Paris:20270520T083000", or
    ":20261025T003000Z" within the hour repeated in autumn."""
    local = in_zone_unless_repeated(moment, zone)
    if local.tzinfo is UTC:
        return f":{_utc_text(moment)}"
    # "2027-05-20T08:30:00+02:00" → "20270520T083000", a third faster than strftime.
    return f";TZID={zone.key}:{local.isoformat().replace('-', '').replace(':', '')[:15]}"


@lru_cache(maxsize=64)
def vtimezone_text(zone_name: str, first_year: int, last_year: int) -> str:
    """`vtimezone` as content lines (CRLF), built once per zone and years."""
    return vtimezone(zone_name, first_year, last_year).to_ical().decode()
