"""A feed (RFC 5545 without METHOD, with the refresh properties of RFC 7986 and their de-facto
X- forms) is what a calendar subscribes to and polls: the programme of an event, a track or a
speaker, an attendee's agenda, a partner's events. Built with icalendar, like the invitations;
the built bytes are kept in the shared cache by the feed's ETag (events/feeds.py).
"""

from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import (
    vDuration,
)

from events.ics.build import (
    FeedEntry,
    SharedValues,
    entry_vevent,
    event_location,
    event_uid,
    new_calendar,
    uid_domain,
)
from events.models import Event, Session, SessionSpeaker

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
