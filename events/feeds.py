"""Calendar feeds to subscribe to: an event's public programme, one of its tracks, one of its
speakers, and a partner's private feed. (The attendee's agenda is in registrations/views.py.)

Calendars poll feeds every hour, so answering "not modified" must cost next to nothing: each
feed's validator (ETag and Last-Modified) comes from the single query that finds what the
address names, from a change stamp that events/signals.py moves whenever something the feed
shows changes (`Event.programme_changed_at`, `PartnerFeed.changed_at`). The body is built only
when the client's copy is out of date, with one more query (two for a partner's feed) whatever
the size of the programme.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps

from django.db.models import Count, F, Max, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from modeltranslation.utils import build_localized_fieldname, resolution_order

from events import calendar, selectors
from events.compiled_queries import CompiledQuery
from events.models import Event, PartnerFeed, Session, Track

# Part of every ETag: change it when the feeds' content changes for the same data.
FEED_FORMAT = "1"
ALARM_MAX_MINUTES = 7 * 24 * 60
PUBLISHED = (Event.Status.PUBLISHED, Event.Status.CANCELLED)


# --- Reads ----------------------------------------------------------------------------------


def localized(field: str) -> Coalesce:
    """A translated `field` (possibly across relations: "room__name") in the active language,
    falling back as modeltranslation does: the first language with a non-empty value."""
    return Coalesce(
        *(
            NullIf(F(build_localized_fieldname(field, language)), Value(""))
            for language in resolution_order(get_language())
        ),
        Value(""),
        output_field=TextField(),
    )


def programme_rows(sessions: QuerySet[Session]) -> QuerySet:
    """What feeds show of `sessions`, in the active language, as `programme_facts` reads it: a
    row per speaker of a session (under load each round trip to the database costs more than
    the repeated columns), in programme order."""
    return (
        sessions.rewrite(False)
        .order_by(
            "start", "room__position", "pk", "session_speakers__position", "session_speakers__pk"
        )
        .values_list(
            "pk",
            "event_id",
            "type",
            localized("title"),
            localized("abstract"),
            localized("room__name"),
            localized("track__name"),
            # As text: Django reads PostgreSQL's timestamps with a loader written in Python,
            # which takes a third of this query's time; fromisoformat reads them at once.
            Cast("start", TextField()),
            Cast("end", TextField()),
            "status",
            "sequence",
            "is_public",
            "session_speakers__speaker__name",
            "session_speakers__role",
            localized("session_speakers__speaker__title"),
            "session_speakers__speaker__affiliation",
        )
    )


def programme_query(sessions: Callable[..., QuerySet[Session]], **kinds: type) -> CompiledQuery:
    """`programme_rows` of the sessions `sessions(**values)` selects, compiled once (see
    events/compiled_queries.py): a feed's build then costs the query's run only."""
    return CompiledQuery(lambda **values: programme_rows(sessions(**values)), **kinds)


def programme_facts(
    rows,
) -> tuple[list[calendar.SessionFacts], dict[int, list[calendar.SpeakerCredit]]]:
    """The sessions in programme order and their speakers (by session id, in order), from
    `rows` (of `programme_rows` or a `programme_query`)."""
    facts: list[calendar.SessionFacts] = []
    credits: dict[int, list[calendar.SpeakerCredit]] = {}
    new_facts, new_credit = calendar.SessionFacts._make, calendar.SpeakerCredit._make
    last_pk = None
    for row in rows:
        pk = row[0]
        if pk != last_pk:
            last_pk = pk
            facts.append(new_facts((*row[:7], _instant(row[7]), _instant(row[8]), *row[9:12])))
        if row[12] is not None:  # a session without speakers has a row without one
            credit = new_credit((pk, *row[12:]))
            if pk in credits:
                credits[pk].append(credit)
            else:
                credits[pk] = [credit]
    return facts, credits


def _instant(text: str) -> datetime:
    """A stored instant read as text: "2027-05-20 06:30:00+00" from PostgreSQL, naive UTC
    "2027-05-20 06:30:00" from SQLite."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- Responses ------------------------------------------------------------------------------


def calendar_feed(view):
    """For a feed view: GET or HEAD only, and `?alarm=<minutes>` (0 to a week) read into the
    view's `alarm` argument (None without it). A bad value gets a 400 saying what is expected,
    in the page's language."""

    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        value = request.GET.get("alarm")
        alarm = None
        if value is not None:
            if not (value.isascii() and value.isdigit() and int(value) <= ALARM_MAX_MINUTES):
                message = _(
                    "The alarm must be a whole number of minutes from 0 to %(max)d "
                    "(one week), for example ?alarm=15."
                ) % {"max": ALARM_MAX_MINUTES}
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
            alarm = int(value)
        return view(request, *args, alarm=alarm, **kwargs)

    return wrapper


def feed_response(
    request,
    *,
    variant: str,
    stamp: datetime,
    alarm: int | None,
    filename: str,
    build: Callable[[], bytes],
    is_private: bool = False,
) -> HttpResponse:
    """The feed, or 304 Not Modified when the client's copy (If-None-Match, or failing that
    If-Modified-Since) is current. `variant` names the feed and what it shows (its kind and
    ids); with the language, the alarm and `stamp` (the last change of anything the feed
    shows) it makes the ETag, so no two variants share one. `build` runs only on a miss."""
    key = f"{FEED_FORMAT}|{variant}|{get_language()}|{alarm}|{stamp.isoformat()}"
    validators = HttpResponse(content_type="text/calendar; charset=utf-8")
    validators["ETag"] = f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
    validators["Last-Modified"] = http_date(stamp.timestamp())
    # Clients may keep a copy but must ask (cheaply) before using it.
    validators["Cache-Control"] = "private, no-cache" if is_private else "public, no-cache"
    if is_private:
        validators["X-Robots-Tag"] = "noindex, nofollow"
        validators["Referrer-Policy"] = "same-origin"
    response = get_conditional_response(
        request,
        etag=validators["ETag"],
        last_modified=int(stamp.timestamp()),
        response=validators,
    )
    if response is validators:
        response.content = build()
        response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response


# --- Public feeds ---------------------------------------------------------------------------


# With its venue (the feed's locations) only: the 304 answer costs this query alone.
_PUBLISHED_EVENT = CompiledQuery(
    lambda slug: (
        selectors.published_events().select_related(None).select_related("venue").filter(slug=slug)
    ),
    slug=str,
)
_TRACK = CompiledQuery(
    lambda event_slug, slug: Track.objects.select_related("event__venue").filter(
        event__slug=event_slug, event__status__in=PUBLISHED, slug=slug
    ),
    event_slug=str,
    slug=str,
)
_SPEAKER = CompiledQuery(
    lambda organisation_id, slug: (
        _speakers().only("pk", "name", "slug").filter(organisation_id=organisation_id, slug=slug)
    ),
    organisation_id=int,
    slug=str,
)
_EVENT_PROGRAMME = programme_query(
    lambda event_id: Session.objects.filter(event_id=event_id, is_public=True), event_id=int
)
_TRACK_PROGRAMME = programme_query(
    lambda event_id, track_id: Session.objects.filter(
        event_id=event_id, is_public=True, track_id=track_id
    ),
    event_id=int,
    track_id=int,
)
_SPEAKER_PROGRAMME = programme_query(
    lambda event_id, speaker_id: Session.objects.filter(
        event_id=event_id,
        is_public=True,
        pk__in=_session_speakers().filter(speaker_id=speaker_id).values("session_id"),
    ),
    event_id=int,
    speaker_id=int,
)


def _speakers():
    from speakers.models import Speaker

    return Speaker.objects.all()


def _session_speakers():
    from speakers.models import SessionSpeaker

    return SessionSpeaker.objects.all()


def _one(found: list):
    """The one instance a compiled query found, or not found."""
    if not found:
        raise Http404
    return found[0]


def _published_event(slug: str) -> Event:
    return _one(_PUBLISHED_EVENT.instances(slug=slug))


def _programme_feed(
    request, *, event, sessions, variant, name, filename, alarm, needs_sessions=False
) -> HttpResponse:
    """The feed of `event` (a published event, its stamp the feed's) showing the rows of
    `sessions` (a compiled `programme_query` and its values). With `needs_sessions`, a feed
    that would be empty is not found."""
    query, values = sessions

    def build() -> bytes:
        facts, credits = programme_facts(query.rows(**values))
        if needs_sessions and not facts:
            raise Http404
        return calendar.feed_calendar(
            name=name,
            events=[event],
            entries=calendar.session_entries(facts, credits, events={event.pk: event}),
            stamp=event.programme_changed_at,
            alarm_minutes=alarm,
        )

    return feed_response(
        request,
        variant=variant,
        stamp=event.programme_changed_at,
        alarm=alarm,
        filename=filename,
        build=build,
    )


@calendar_feed
def event_calendar(request, slug, *, alarm):
    """An event's public programme, cancelled sessions included (marked cancelled)."""
    event = _published_event(slug)
    return _programme_feed(
        request,
        event=event,
        sessions=(_EVENT_PROGRAMME, {"event_id": event.pk}),
        variant=f"event:{event.pk}",
        name=event.title,
        filename=event.slug,
        alarm=alarm,
    )


@calendar_feed
def track_calendar(request, slug, track, *, alarm):
    """The public sessions of one track of an event."""
    track = _one(_TRACK.instances(event_slug=slug, slug=track))
    event = track.event
    return _programme_feed(
        request,
        event=event,
        sessions=(_TRACK_PROGRAMME, {"event_id": event.pk, "track_id": track.pk}),
        variant=f"track:{track.pk}",
        name=f"{event.title} — {track.name}",
        filename=f"{event.slug}-{track.slug}",
        alarm=alarm,
    )


@calendar_feed
def speaker_calendar(request, slug, speaker, *, alarm):
    """The public sessions of one speaker in an event. Like the speaker's page, it is not
    found while the speaker has no public session in the event."""
    event = _published_event(slug)
    speaker = _one(_SPEAKER.instances(organisation_id=event.organisation_id, slug=speaker))
    return _programme_feed(
        request,
        event=event,
        sessions=(_SPEAKER_PROGRAMME, {"event_id": event.pk, "speaker_id": speaker.pk}),
        variant=f"speaker:{event.pk}:{speaker.pk}",
        name=f"{speaker.name} — {event.title}",
        filename=f"{event.slug}-{speaker.slug}",
        alarm=alarm,
        needs_sessions=True,
    )


# --- Partner feeds --------------------------------------------------------------------------


def _partner_feed_not_found() -> HttpResponse:
    # The same answer, byte for byte, for a revoked token, a wrong one and none at all: the
    # answer tells nothing about which tokens exist or existed.
    response = HttpResponseNotFound(
        _("No calendar feed at this address."), content_type="text/plain; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


_PARTNER_FEED = CompiledQuery(
    lambda token: (
        PartnerFeed.objects.select_related("organisation")
        .annotate(
            # Any change of a shared event, or of which events are shared, moves these.
            programme_changed_at=Max("events__programme_changed_at"),
            shared_count=Count("events"),
        )
        .filter(token=token, revoked_at__isnull=True)
    ),
    token=str,
)

_PARTNER_EVENTS = CompiledQuery(
    lambda feed_id: (
        Event.objects.filter(partner_feeds=feed_id, status__in=PUBLISHED)
        .select_related("venue")
        .order_by("start", "pk")
    ),
    feed_id=int,
)


def _partner_sessions(feed_id: int) -> QuerySet[Session]:
    shared = Event.objects.filter(partner_feeds=feed_id, status__in=PUBLISHED).values("pk")
    return Session.objects.filter(event_id__in=shared)


_PARTNER_PROGRAMME = programme_query(_partner_sessions, feed_id=int)
_PARTNER_PUBLIC = programme_query(
    lambda feed_id: _partner_sessions(feed_id).filter(is_public=True), feed_id=int
)


@calendar_feed
def partner_calendar(request, token, *, alarm):
    """A partner's private feed: each shared event that is published (or cancelled) as a
    whole, and its sessions, those not shown publicly included if the feed says so."""
    found = _PARTNER_FEED.instances(token=token)
    if not found:
        return _partner_feed_not_found()
    feed = found[0]
    stamp = max(filter(None, (feed.changed_at, feed.programme_changed_at)))

    def build() -> bytes:
        events = _PARTNER_EVENTS.instances(feed_id=feed.pk)
        by_id = {event.pk: event for event in events}
        facts, credits = [], {}
        if events:
            sessions = _PARTNER_PROGRAMME if feed.includes_private_sessions else _PARTNER_PUBLIC
            facts, credits = programme_facts(sessions.rows(feed_id=feed.pk))
            # An event shared or published between the two reads waits for the next poll.
            facts = [session for session in facts if session.event_id in by_id]
        entries = [calendar.event_entry(event) for event in events]
        entries += calendar.session_entries(facts, credits, events=by_id)
        return calendar.feed_calendar(
            name=feed.organisation.name,
            events=events,
            entries=entries,
            stamp=stamp,
            alarm_minutes=alarm,
        )

    return feed_response(
        request,
        variant=f"partner:{feed.pk}:{feed.shared_count}:{feed.includes_private_sessions}",
        stamp=stamp,
        alarm=alarm,
        filename="calendar",
        build=build,
        is_private=True,
    )
