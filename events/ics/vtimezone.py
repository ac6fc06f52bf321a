"""The VTIMEZONE of a time zone, from its transitions in the years a calendar covers."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone as VTimezone
from icalendar import (
    TimezoneDaylight,
    TimezoneStandard,
)


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


# --- Subscription feeds ------------------------------------------------------------------------
