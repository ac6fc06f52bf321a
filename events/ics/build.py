"""What every .ics Colloque produces is built from: the calendar, its VEVENTs, UIDs and
addresses (the feeds: events/ics/feeds.py; the invitations: events/ics/invitations.py; the
time zones: events/ics/vtimezone.py), from model objects, without requests.

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
from icalendar import (
    Alarm,
    Calendar,
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

from events.ics.vtimezone import vtimezone
from events.models import Event

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
