"""Every .ics Colloque produces is built here, from model objects, without requests.

Rules (DESIGN.md): a VTIMEZONE for the event's zone, stable UIDs, DTSTAMP, a SEQUENCE that
grows with each change, cancellations sent with METHOD:CANCEL and STATUS:CANCELLED.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

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
    calendar.add_missing_timezones()
    return calendar
