"""Calendar feeds to subscribe to: an event's public programme, one of its tracks, one of its
speakers, and a partner's private feed. (The attendee's agenda is in
registrations/views/registration.py.)

Calendars poll feeds every hour, so answering "not modified" must cost next to nothing. A feed's
validators (ETag and Last-Modified) come from a change stamp that events/signals.py moves
whenever something the feed shows changes (`Event.programme_changed_at`,
`PartnerFeed.changed_at`); they are kept in the shared cache (events/feed_cache.py) until the
next change, so a 304 reads no table. The body, built with icalendar (events/ics/feeds.py) when
no client has asked for this state yet, is kept in the cache by its ETag: a warm feed is a
cache read.
"""

import hashlib
from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from functools import wraps

from django.core.cache import cache
from django.db.models import Count, F, Max, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from modeltranslation.utils import build_localized_fieldname, resolution_order

from events import feed_cache
from events.ics import feeds as ics
from events.models import Event, PartnerFeed, Session, SessionSpeaker, Track
from speakers.models import Speaker

# Part of every ETag: change it when the feeds' content changes for the same data.
FEED_FORMAT = "2"
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


def programme_facts(
    rows,
) -> tuple[list[ics.SessionFacts], dict[int, list[ics.SpeakerCredit]]]:
    """The sessions in programme order and their speakers (by session id, in order), from
    `rows` (of `programme_rows`)."""
    facts: list[ics.SessionFacts] = []
    credits: dict[int, list[ics.SpeakerCredit]] = {}
    new_facts, new_credit = ics.SessionFacts._make, ics.SpeakerCredit._make
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


@dataclass(frozen=True)
class Feed:
    """What the database says of a feed: `variant` names the feed and what it shows (its kind
    and ids), `stamp` is the last change of anything it shows, `build` gives its body."""

    variant: str
    stamp: datetime
    filename: str
    build: Callable[[], bytes]
    is_private: bool = False


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: int
    filename: str
    is_private: bool


def validators_of(feed: Feed, *, alarm: int | None) -> Validators:
    """With the language and the alarm, the variant and the stamp make the ETag, so no two
    variants share one."""
    key = f"{FEED_FORMAT}|{feed.variant}|{get_language()}|{alarm}|{feed.stamp.isoformat()}"
    return Validators(
        etag=f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"',
        last_modified=int(feed.stamp.timestamp()),
        filename=feed.filename,
        is_private=feed.is_private,
    )


def serve_feed(
    request,
    *,
    address: str,
    alarm: int | None,
    find: Callable[[], Feed | None],
    scope: str = "",
) -> HttpResponse | None:
    """The feed, or 304 Not Modified when the client's copy (If-None-Match, or failing that
    If-Modified-Since) is current; None when `find` finds no feed.

    `address` names what the request asks for (the feed's kind and the address's parts): its
    validators are kept under it in the shared cache until the next change of any feed, or of
    `scope` (see feed_cache), and a 304 then reads no table. Bodies are kept in the cache by
    their ETag."""
    feed = None
    address = f"{FEED_FORMAT}|{address}|{get_language()}|{alarm}"
    generations, kept = feed_cache.cached_validators(address, scope=scope)
    # Kept as a plain tuple: what a previous release cached still reads.
    validators = Validators(*kept) if kept is not None else None
    if validators is None:
        feed = find()
        if feed is None:
            return None
        validators = validators_of(feed, alarm=alarm)
    response = get_conditional_response(
        request, etag=validators.etag, last_modified=validators.last_modified
    )
    if response is None:
        body = cache.get(feed_cache.body_key(validators.etag))
        if body is None:
            if feed is None:  # validators from the cache, the body gone from it
                feed = find()
                if feed is None:
                    return None
                validators = validators_of(feed, alarm=alarm)
            body = feed.build()
            feed_cache.keep_body(validators.etag, body)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{validators.filename}.ics"'
    if feed is not None:
        feed_cache.keep_validators(address, generations, astuple(validators))
    response["ETag"] = validators.etag
    response["Last-Modified"] = http_date(validators.last_modified)
    # Clients may keep a copy but must ask (cheaply) before using it.
    response["Cache-Control"] = "private, no-cache" if validators.is_private else "public, no-cache"
    if validators.is_private:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
    return response


def _found_or_404(response: HttpResponse | None) -> HttpResponse:
    if response is None:
        raise Http404
    return response


# --- Public feeds ---------------------------------------------------------------------------


def _published_event(slug: str) -> Event | None:
    # With its venue (the feed's locations) only.
    return Event.objects.filter(slug=slug, status__in=PUBLISHED).select_related("venue").first()


def _programme_feed(*, event, sessions, variant, name, filename, alarm, needs_sessions=False):
    """The feed of `event` (a published event, its stamp the feed's) showing `sessions` (a
    queryset). With `needs_sessions`, a feed that would be empty is not found."""

    def build() -> bytes:
        facts, credits = programme_facts(programme_rows(sessions))
        if needs_sessions and not facts:
            raise Http404
        return ics.feed_calendar(
            name=name,
            events=[event],
            entries=ics.session_entries(facts, credits, events={event.pk: event}),
            stamp=event.programme_changed_at,
            alarm_minutes=alarm,
        )

    return Feed(variant=variant, stamp=event.programme_changed_at, filename=filename, build=build)


@calendar_feed
def event_calendar(request, slug, *, alarm):
    """An event's public programme, cancelled sessions included (marked cancelled)."""

    def find() -> Feed | None:
        event = _published_event(slug)
        if event is None:
            return None
        return _programme_feed(
            event=event,
            sessions=Session.objects.filter(event_id=event.pk, is_public=True),
            variant=f"event:{event.pk}",
            name=event.title,
            filename=event.slug,
            alarm=alarm,
        )

    return _found_or_404(serve_feed(request, address=f"event:{slug}", alarm=alarm, find=find))


@calendar_feed
def track_calendar(request, slug, track, *, alarm):
    """The public sessions of one track of an event."""

    def find() -> Feed | None:
        found = (
            Track.objects.select_related("event__venue")
            .filter(event__slug=slug, event__status__in=PUBLISHED, slug=track)
            .first()
        )
        if found is None:
            return None
        event = found.event
        return _programme_feed(
            event=event,
            sessions=Session.objects.filter(event_id=event.pk, is_public=True, track_id=found.pk),
            variant=f"track:{found.pk}",
            name=f"{event.title} — {found.name}",
            filename=f"{event.slug}-{found.slug}",
            alarm=alarm,
        )

    address = f"track:{slug}:{track}"
    return _found_or_404(serve_feed(request, address=address, alarm=alarm, find=find))


@calendar_feed
def speaker_calendar(request, slug, speaker, *, alarm):
    """The public sessions of one speaker in an event. Like the speaker's page, it is not
    found while the speaker has no public session in the event."""

    def find() -> Feed | None:
        event = _published_event(slug)
        if event is None:
            return None
        found = (
            Speaker.objects.only("pk", "name", "slug")
            .filter(organisation_id=event.organisation_id, slug=speaker)
            .first()
        )
        if found is None:
            return None
        sessions_of_speaker = SessionSpeaker.objects.filter(speaker_id=found.pk)
        return _programme_feed(
            event=event,
            sessions=Session.objects.filter(
                event_id=event.pk,
                is_public=True,
                pk__in=sessions_of_speaker.values("session_id"),
            ),
            variant=f"speaker:{event.pk}:{found.pk}",
            name=f"{found.name} — {event.title}",
            filename=f"{event.slug}-{found.slug}",
            alarm=alarm,
            needs_sessions=True,
        )

    address = f"speaker:{slug}:{speaker}"
    return _found_or_404(serve_feed(request, address=address, alarm=alarm, find=find))


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

    def find() -> Feed | None:
        feed = (
            PartnerFeed.objects.select_related("organisation")
            .annotate(
                # Any change of a shared event, or of which events are shared, moves these.
                programme_changed_at=Max("events__programme_changed_at"),
                shared_count=Count("events"),
            )
            .filter(token=token, revoked_at__isnull=True)
            .first()
        )
        if feed is None:
            return None
        stamp = max(filter(None, (feed.changed_at, feed.programme_changed_at)))

        def build() -> bytes:
            shared = Event.objects.filter(partner_feeds=feed.pk, status__in=PUBLISHED)
            events = list(shared.select_related("venue").order_by("start", "pk"))
            by_id = {event.pk: event for event in events}
            facts, credits = [], {}
            if events:
                sessions = Session.objects.filter(event_id__in=shared.values("pk"))
                if not feed.includes_private_sessions:
                    sessions = sessions.filter(is_public=True)
                facts, credits = programme_facts(programme_rows(sessions))
                # An event shared or published between the two reads waits for the next poll.
                facts = [session for session in facts if session.event_id in by_id]
            entries = [ics.event_entry(event) for event in events]
            entries += ics.session_entries(facts, credits, events=by_id)
            return ics.feed_calendar(
                name=feed.organisation.name,
                events=events,
                entries=entries,
                stamp=stamp,
                alarm_minutes=alarm,
            )

        return Feed(
            variant=f"partner:{feed.pk}:{feed.shared_count}:{feed.includes_private_sessions}",
            stamp=stamp,
            filename="calendar",
            build=build,
            is_private=True,
        )

    response = serve_feed(request, address=f"partner:{token}", alarm=alarm, find=find)
    return response if response is not None else _partner_feed_not_found()
