"""Every .ics Colloque produces is built here, from model objects, without requests.

Rules (DESIGN.md): a VTIMEZONE for the event's zone, stable UIDs, DTSTAMP, a SEQUENCE that
grows with each change, cancellations sent with METHOD:CANCEL and STATUS:CANCELLED.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, TimezoneDaylight, TimezoneStandard, vCalAddress, vText
from icalendar import Event as VEvent
from icalendar import Timezone as VTimezone

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
    return urlsplit(settings.SITE_URL).hostname or "colloque.invalid"


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


def attendance_invitation(
    *,
    event: Event,
    attendee: Attendee,
    uid: str,
    sequence: int,
    url: str,
    description: str = "",
    cancelled: bool = False,
    stamp: datetime | None = None,
) -> Calendar:
    """An iTIP message (RFC 5546) putting `event` in the attendee's calendar (METHOD:REQUEST)
    or taking it out (METHOD:CANCEL). `uid` must be the same in both, `sequence` must grow."""
    calendar = new_calendar(method="CANCEL" if cancelled else "REQUEST")
    vevent = VEvent()
    vevent.add("uid", uid)
    vevent.add("dtstamp", stamp or timezone.now())
    vevent.add("sequence", sequence)
    vevent.add("dtstart", event.start.astimezone(event.zone))
    vevent.add("dtend", event.end.astimezone(event.zone))
    vevent.add("summary", event.title)
    if description:
        vevent.add("description", description)
    location = event_location(event)
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    vevent.add("organizer", organiser_address(event))
    address = vCalAddress(f"mailto:{attendee.email}")
    address.params["cn"] = vText(parameter_text(attendee.name))
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
    vevent.add("attendee", address)
    vevent.add("status", "CANCELLED" if cancelled or event.is_cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    calendar.add_component(vevent)
    calendar.add_component(vtimezone(event.time_zone, event.start.year, event.end.year))
    return calendar


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
