"""How a programme change is kept and how it reads.

`session_state` and `event_state` turn what the calendars show into the text a
`ProgrammeChange` keeps (`before`, `after`); `change_kind` names the change between two states;
`net_changes` folds the changes of one session (or of the event itself) into one, from the first
`before` to the last `after`, so that three moves within minutes read as one; `describe` turns a
change into the line the event page's log and the update emails show, in the active language and
the event's time zone. Pure functions: no queries.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from events.models import Event, ProgrammeChange, Session

Kind = ProgrammeChange.Kind
CANCELLED = "cancelled"
# Keys of a state that people see; `sequence` only tells the calendars which copy is newer.
SHOWN_KEYS = ("start", "end", "room", "venue", "status", "deleted")
EN_DASH = "\u2013"


def bilingual(instance, field: str) -> dict:
    """A translated field's text in every language: {"fr": …, "en": …}."""
    return {
        code: getattr(instance, f"{field}_{code}", "") or "" for code, _name in settings.LANGUAGES
    }


def session_state(session: Session) -> dict:
    """What a session's calendar entry shows. `session.room` must be the session's room."""
    room = session.room if session.room_id else None
    return {
        "start": _instant(session.start),
        "end": _instant(session.end),
        "room": bilingual(room, "name") if room is not None else None,
        "status": session.status,
        "sequence": session.sequence,
    }


def event_state(event: Event) -> dict:
    """What the event's own calendar entry shows. `event.venue` must be the event's venue."""
    return {
        "start": _instant(event.start),
        "end": _instant(event.end),
        "venue": event.venue.address if event.venue_id else "",
        "status": event.status,
        "sequence": event.calendar_sequence,
    }


def _instant(moment: datetime) -> str:
    # In UTC, so that the same instant always reads the same, whatever zone it came in.
    return moment.astimezone(UTC).isoformat()


def change_kind(before: dict, after: dict, *, about_session: bool) -> str:
    was_cancelled = before.get("status") == CANCELLED
    is_cancelled = after.get("status") == CANCELLED or after.get("deleted", False)
    if about_session:
        if is_cancelled and not was_cancelled:
            return Kind.SESSION_CANCELLED
        if was_cancelled and not is_cancelled:
            return Kind.SESSION_RESTORED
        return Kind.SESSION_CHANGED
    if is_cancelled and not was_cancelled:
        return Kind.EVENT_CANCELLED
    if was_cancelled and not is_cancelled:
        return Kind.EVENT_RESTORED
    return Kind.EVENT_CHANGED


def shows_difference(before: dict, after: dict) -> bool:
    return any(before.get(key) != after.get(key) for key in SHOWN_KEYS)


@dataclass(frozen=True)
class NetChange:
    """One session's (or the event's) changes folded into one."""

    kind: str
    title: dict
    before: dict
    after: dict
    session_pk: int | None
    changed_at: datetime

    @classmethod
    def of(cls, change: ProgrammeChange) -> "NetChange":
        return cls(
            kind=change.kind,
            title=change.title,
            before=change.before,
            after=change.after,
            session_pk=change.session_pk,
            changed_at=change.changed_at,
        )

    @property
    def is_about_session(self) -> bool:
        return self.session_pk is not None

    @property
    def is_cancellation(self) -> bool:
        return self.kind in (Kind.SESSION_CANCELLED, Kind.EVENT_CANCELLED)


def net_changes(changes) -> list[NetChange]:
    """The changes folded per session (the event's own first), in the order of the sessions'
    new start. A session moved and moved back nets to nothing and is left out."""
    groups: dict[int | None, list[ProgrammeChange]] = {}
    for change in sorted(changes, key=lambda change: (change.changed_at, change.pk)):
        groups.setdefault(change.session_pk, []).append(change)
    folded = []
    for session_pk, group in groups.items():
        first, last = group[0], group[-1]
        if not shows_difference(first.before, last.after):
            continue
        folded.append(
            NetChange(
                kind=change_kind(first.before, last.after, about_session=session_pk is not None),
                title=last.title,
                before=first.before,
                after=last.after,
                session_pk=session_pk,
                changed_at=last.changed_at,
            )
        )
    return sorted(folded, key=lambda net: (net.is_about_session, net.after["start"]))


@dataclass(frozen=True)
class ChangeLine:
    """A change as people read it: "Atelier 2 — Moved — When: … → …; Room: … → …"."""

    title: str
    verdict: str
    details: tuple[tuple[str, str], ...]
    changed_at: datetime
    is_cancellation: bool


def describe(change: NetChange, event: Event) -> ChangeLine:
    """The line telling `change`, in the active language, times in the event's time zone."""
    zone = event.zone
    before, after = change.before, change.after
    if change.is_about_session:
        place_label, place_before, place_after = (
            capfirst(_("room")),
            in_language(before.get("room")),
            in_language(after.get("room")),
        )
        verdicts = {
            Kind.SESSION_CHANGED: _("Moved"),
            Kind.SESSION_CANCELLED: _("Cancelled"),
            Kind.SESSION_RESTORED: _("Reinstated"),
        }
        time_label = _("When")
    else:
        place_label, place_before, place_after = (
            capfirst(_("venue")),
            before.get("venue", ""),
            after.get("venue", ""),
        )
        verdicts = {
            Kind.EVENT_CHANGED: _("Event changed"),
            Kind.EVENT_CANCELLED: _("Event cancelled"),
            Kind.EVENT_RESTORED: _("Event reinstated"),
        }
        time_label = _("Dates")
    # A move says from what to what; a cancellation or a return says when and where.
    says_all = change.kind not in (Kind.SESSION_CHANGED, Kind.EVENT_CHANGED)
    details = []
    slot_before, slot_after = time_slot(before, zone), time_slot(after, zone)
    if slot_before != slot_after:
        details.append((time_label, f"{slot_before} → {slot_after}"))
    elif says_all:
        details.append((time_label, slot_after))
    if place_before != place_after:
        details.append((place_label, f"{place_before or '—'} → {place_after or '—'}"))
    elif says_all and place_after:
        details.append((place_label, place_after))
    return ChangeLine(
        title=in_language(change.title),
        verdict=verdicts[change.kind],
        details=tuple(details),
        changed_at=change.changed_at,
        is_cancellation=change.is_cancellation,
    )


def in_language(text: dict | None) -> str:
    """A bilingual text in the active language, else in the first language that has it."""
    if not text:
        return ""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    codes = [language, *(code for code, _name in settings.LANGUAGES)]
    return next((text[code] for code in codes if text.get(code)), "")


def time_slot(state: dict, zone: ZoneInfo) -> str:
    """A state's time as the programme shows it: "jeudi 20 mai 2027, 10:00-11:30" (with an
    en dash), or both dates and times when it spans days."""
    start = datetime.fromisoformat(state["start"]).astimezone(zone)
    end = datetime.fromisoformat(state["end"]).astimezone(zone)
    if start.date() == end.date():
        return f"{date_format(start, 'l j F Y, H:i')}{EN_DASH}{date_format(end, 'H:i')}"
    return f"{date_format(start, 'l j F Y, H:i')} {EN_DASH} {date_format(end, 'l j F Y, H:i')}"
