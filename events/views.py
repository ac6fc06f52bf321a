"""Public pages: upcoming events, an event's programme, a session, a speaker."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from events import selectors
from events.changes import NetChange, describe
from speakers.models import Speaker


def event_list(request):
    return render(request, "events/event_list.html", {"events": selectors.upcoming_events()})


def event_detail(request, slug):
    event = get_object_or_404(selectors.published_events(), slug=slug)
    sessions = list(selectors.public_sessions(event))
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "days": selectors.programme_by_day(event, sessions),
            "speakers": selectors.speakers_of(sessions),
            "changes": [
                describe(NetChange.of(change), event)
                for change in selectors.public_programme_changes(event)
            ],
        },
    )


def session_detail(request, slug, pk):
    event = get_object_or_404(selectors.published_events(), slug=slug)
    session = get_object_or_404(selectors.public_sessions(event), pk=pk)
    return render(request, "events/session_detail.html", {"event": event, "session": session})


def speaker_detail(request, slug, speaker):

    event = get_object_or_404(selectors.published_events(), slug=slug)
    speaker = get_object_or_404(Speaker, organisation_id=event.organisation_id, slug=speaker)
    sessions = list(
        selectors.public_sessions(event).filter(session_speakers__speaker=speaker).distinct()
    )
    if not sessions:
        raise Http404
    return render(
        request,
        "events/speaker_detail.html",
        {"event": event, "speaker": speaker, "sessions": sessions},
    )
