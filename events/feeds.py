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
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from modeltranslation.utils import build_localized_fieldname, resolution_order

from events import calendar, selectors
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


def programme_facts(
    sessions: QuerySet[Session],
) -> tuple[list[calendar.SessionFacts], dict[int, list[calendar.SpeakerCredit]]]:
    """What feeds show of `sessions`, in the active language: the sessions in programme order
    and their speakers (by session id, in order). One query, a row per speaker of a session:
    under load each round trip to the database costs more than the repeated columns."""
    rows = (
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
    facts: list[calendar.SessionFacts] = []
    credits: dict[int, list[calendar.SpeakerCredit]] = {}
    for row in rows:
        pk = row[0]
        if not facts or facts[-1].pk != pk:
            facts.append(
                calendar.SessionFacts(*row[:7], _instant(row[7]), _instant(row[8]), *row[9:12])
            )
        if row[12] is not None:  # a session without speakers has a row without one
            credits.setdefault(pk, []).append(calendar.SpeakerCredit(pk, *row[12:]))
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


def _published_event(slug: str) -> Event:
    # With its venue (the feed's locations) only: the 304 answer costs this query alone.
    events = selectors.published_events().select_related(None).select_related("venue")
    return get_object_or_404(events, slug=slug)


def _programme_feed(
    request, *, event, sessions, variant, name, filename, alarm, needs_sessions=False
) -> HttpResponse:
    """The feed of `sessions` of `event` (a published event, its stamp the feed's). With
    `needs_sessions`, a feed that would be empty is not found."""

    def build() -> bytes:
        facts, credits = programme_facts(sessions)
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
        sessions=event.sessions.filter(is_public=True),
        variant=f"event:{event.pk}",
        name=event.title,
        filename=event.slug,
        alarm=alarm,
    )


@calendar_feed
def track_calendar(request, slug, track, *, alarm):
    """The public sessions of one track of an event."""
    track = get_object_or_404(
        Track.objects.select_related("event__venue"),
        event__slug=slug,
        event__status__in=PUBLISHED,
        slug=track,
    )
    event = track.event
    return _programme_feed(
        request,
        event=event,
        sessions=event.sessions.filter(is_public=True, track=track),
        variant=f"track:{track.pk}",
        name=f"{event.title} — {track.name}",
        filename=f"{event.slug}-{track.slug}",
        alarm=alarm,
    )


@calendar_feed
def speaker_calendar(request, slug, speaker, *, alarm):
    """The public sessions of one speaker in an event. Like the speaker's page, it is not
    found while the speaker has no public session in the event."""
    from speakers.models import SessionSpeaker, Speaker

    event = _published_event(slug)
    speaker = get_object_or_404(
        Speaker.objects.only("pk", "name", "slug"),
        organisation_id=event.organisation_id,
        slug=speaker,
    )
    return _programme_feed(
        request,
        event=event,
        sessions=event.sessions.filter(
            is_public=True,
            pk__in=SessionSpeaker.objects.filter(speaker=speaker).values("session_id"),
        ),
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


@calendar_feed
def partner_calendar(request, token, *, alarm):
    """A partner's private feed: each shared event that is published (or cancelled) as a
    whole, and its sessions, those not shown publicly included if the feed says so."""
    try:
        feed = (
            PartnerFeed.objects.select_related("organisation")
            .annotate(
                # Any change of a shared event, or of which events are shared, moves these.
                programme_changed_at=Max("events__programme_changed_at"),
                shared_count=Count("events"),
            )
            .get(token=token, revoked_at__isnull=True)
        )
    except PartnerFeed.DoesNotExist:
        return _partner_feed_not_found()
    stamp = max(filter(None, (feed.changed_at, feed.programme_changed_at)))

    def build() -> bytes:
        events = list(
            Event.objects.filter(partner_feeds=feed, status__in=PUBLISHED)
            .select_related("venue")
            .order_by("start", "pk")
        )
        by_id = {event.pk: event for event in events}
        sessions = Session.objects.filter(event_id__in=list(by_id))
        if not feed.includes_private_sessions:
            sessions = sessions.filter(is_public=True)
        facts, credits = programme_facts(sessions)
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
