"""Reads shared by the public site, the back office and the API, with their joins."""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from events.models import Event, ProgrammeChange, Session, SessionSpeaker
from organisations.selectors import organisations_edited_by
from speakers.models import Speaker


def published_events() -> QuerySet[Event]:
    """Events the public may see: published or cancelled (a cancelled event stays readable)."""
    return Event.objects.filter(
        status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED]
    ).select_related("venue", "organisation")


def upcoming_events() -> QuerySet[Event]:
    return published_events().filter(end__gte=timezone.now()).order_by("start")


def visible_events(user) -> QuerySet[Event]:
    """Published events for everyone, plus every event of the user's own organisations."""
    editable = organisations_edited_by(user)
    if user is not None and user.is_authenticated and user.is_superuser:
        return Event.objects.select_related("venue", "organisation")
    query = Q(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
    if editable:
        query |= Q(organisation_id__in=editable)
    return Event.objects.filter(query).select_related("venue", "organisation")


def session_speakers_prefetch() -> Prefetch:

    return Prefetch(
        "session_speakers",
        queryset=SessionSpeaker.objects.select_related("speaker").order_by("position", "pk"),
    )


def sessions_with_details(queryset: QuerySet[Session] | None = None) -> QuerySet[Session]:
    """Sessions with everything a programme line shows, in a fixed number of queries."""
    queryset = Session.objects.all() if queryset is None else queryset
    return queryset.select_related("event", "room", "track").prefetch_related(
        session_speakers_prefetch()
    )


def public_sessions(event: Event) -> QuerySet[Session]:
    return sessions_with_details(event.sessions.filter(is_public=True)).order_by(
        "start", "room__position", "pk"
    )


def visible_sessions(user) -> QuerySet[Session]:
    """Public sessions of published events, plus every session of the user's organisations."""
    editable = organisations_edited_by(user)
    if user is not None and user.is_authenticated and user.is_superuser:
        return sessions_with_details()
    query = Q(event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED], is_public=True)
    if editable:
        query |= Q(event__organisation_id__in=editable)
    return sessions_with_details(Session.objects.filter(query))


@dataclass
class ProgrammeDay:
    day: date
    sessions: list[Session]


def programme_by_day(event: Event, sessions) -> list[ProgrammeDay]:
    """Group sessions (already ordered by start) by their day in the event's time zone."""
    days: OrderedDict[date, list[Session]] = OrderedDict()
    zone = event.zone
    for session in sessions:
        days.setdefault(session.start.astimezone(zone).date(), []).append(session)
    return [ProgrammeDay(day=day, sessions=items) for day, items in days.items()]


def speakers_of(sessions) -> list:
    """Distinct speakers of already-prefetched sessions, in order of first appearance."""
    seen = {}
    for session in sessions:
        for link in session.session_speakers.all():
            seen.setdefault(link.speaker_id, link.speaker)
    return sorted(seen.values(), key=lambda speaker: speaker.name)


def visible_session_roles(user):
    """Speaker roles in the sessions `user` may see (see `visible_sessions`), with no joins."""

    editable = organisations_edited_by(user)
    if user is not None and user.is_authenticated and user.is_superuser:
        return SessionSpeaker.objects.all()
    query = Q(
        session__event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
        session__is_public=True,
    )
    if editable:
        query |= Q(session__event__organisation_id__in=editable)
    return SessionSpeaker.objects.filter(query)


def visible_speakers(user):
    """Speakers with a public session of a published event, plus every speaker of the user's
    organisations. Each carries `visible_roles`: their roles in sessions the user may see."""

    roles = visible_session_roles(user)
    speakers = Speaker.objects.all()
    if not (user is not None and user.is_authenticated and user.is_superuser):
        query = Q(pk__in=roles.values("speaker_id"))
        editable = organisations_edited_by(user)
        if editable:
            query |= Q(organisation_id__in=editable)
        speakers = speakers.filter(query)
    return speakers.prefetch_related(
        Prefetch("session_roles", queryset=roles.order_by("session_id"), to_attr="visible_roles")
    )


def public_programme_changes(event: Event) -> QuerySet[ProgrammeChange]:
    """The event's public log of programme changes, newest first, in one query."""
    return event.changes.filter(is_public=True).order_by("-changed_at", "-pk")


def events_with_pending_changes(*, event_id: int | None = None, before=None) -> list[int]:
    """Ids of the events with programme changes nobody was told of yet (one of them made
    before `before`, when given)."""
    pending = ProgrammeChange.objects.filter(notified_at=None)
    if event_id is not None:
        pending = pending.filter(event_id=event_id)
    if before is not None:
        pending = pending.filter(changed_at__lte=before)
    return sorted(set(pending.values_list("event_id", flat=True)))
