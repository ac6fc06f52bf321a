"""iTIP messages (RFC 5546) that put one calendar entry in one person's calendar
(METHOD:REQUEST) or take it out (METHOD:CANCEL, STATUS:CANCELLED): an attendee's invitation to
the event, and the invitation to a session a person holds (signed up to it, or speaking in it).

One entry per message: RFC 5546 allows one UID per iTIP object. The UID stays the same for the
life of the entry (a session's is the one the iCal feeds give it, `calendar.session_uid`) and
the SEQUENCE grows with each change (a session's is `Session.sequence`, as in the feeds), so
that calendars replace their copy. Its VEVENT and VTIMEZONE come from `events/ics/build.py`'s
builder, the feeds' own; like it, it builds from model objects and knows nothing of requests.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText

from events.changes import NetChange, in_language
from events.ics.build import (
    Attendee,
    FeedEntry,
    entry_vevent,
    event_location,
    new_calendar,
    organiser_address,
    parameter_text,
    session_uid,
)
from events.models import Event, Session


@dataclass(frozen=True)
class Entry:
    """What a calendar entry shows."""

    uid: str
    sequence: int
    title: str
    start: datetime
    end: datetime
    location: str
    url: str
    description: str = ""
    is_cancelled: bool = False


def session_entry(session: Session) -> Entry:
    """A session's entry as stored now, its title in the active language. A session of a
    cancelled event is cancelled too."""
    event = session.event
    room = session.room.name if session.room_id else ""
    return Entry(
        uid=session_uid(session.pk),
        sequence=session.sequence,
        title=session.title,
        start=session.start,
        end=session.end,
        location=_place(room, event),
        url=settings.SITE_URL + session.get_absolute_url(),
        description=event.title,
        is_cancelled=session.is_cancelled or event.is_cancelled,
    )


def deleted_session_entry(change: NetChange, event: Event) -> Entry:
    """The entry of a deleted session, from the last state its change kept."""
    state = change.after
    return Entry(
        uid=session_uid(change.session_pk),
        sequence=state["sequence"],
        title=in_language(change.title),
        start=datetime.fromisoformat(state["start"]),
        end=datetime.fromisoformat(state["end"]),
        location=_place(in_language(state.get("room")), event),
        url=settings.SITE_URL + event.get_absolute_url(),
        description=event.title,
        is_cancelled=True,
    )


def event_entry(event: Event, *, uid: str, sequence: int) -> Entry:
    return Entry(
        uid=uid,
        sequence=sequence,
        title=event.title,
        start=event.start,
        end=event.end,
        location=event_location(event),
        url=settings.SITE_URL + event.get_absolute_url(),
        is_cancelled=event.is_cancelled,
    )


def invitation(
    *,
    event: Event,
    entry: Entry,
    attendee: Attendee,
    cancelled: bool = False,
    stamp: datetime | None = None,
) -> Calendar:
    """The iTIP message putting `entry` in `attendee`'s calendar, or taking it out when
    `cancelled` (METHOD:CANCEL); the event's organisation is the ORGANIZER and its time zone
    the TZID of DTSTART and DTEND, with its VTIMEZONE."""
    zone = event.zone
    years = (entry.start.astimezone(zone).year, entry.end.astimezone(zone).year)
    calendar = new_calendar(
        method="CANCEL" if cancelled else "REQUEST", zones={event.time_zone: years}
    )
    vevent = entry_vevent(
        FeedEntry(
            uid=entry.uid,
            sequence=entry.sequence,
            zone=zone,
            start=entry.start,
            end=entry.end,
            summary=entry.title,
            status="CANCELLED" if cancelled or entry.is_cancelled else "CONFIRMED",
            url=entry.url,
            location=entry.location,
            description=entry.description,
        ),
        stamp=stamp or timezone.now(),
        transp="OPAQUE",
    )
    vevent.add("organizer", organiser_address(event))
    address = vCalAddress(f"mailto:{attendee.email}")
    address.params["cn"] = vText(parameter_text(attendee.name))
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
    vevent.add("attendee", address)
    calendar.add_component(vevent)
    return calendar


def as_attachment(filename: str, calendar: Calendar) -> tuple[str, bytes, str]:
    """(filename, content, MIME type) of an iTIP message attached to an email or served."""
    method = calendar.get("method", "PUBLISH")
    return (filename, calendar.to_ical(), f"text/calendar; charset=utf-8; method={method}")


def _place(room: str, event: Event) -> str:
    return ", ".join(part for part in (room, event_location(event)) if part)
