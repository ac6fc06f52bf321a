"""A programme to read through every calendar feed, and the addresses of all those feeds.

`dst_programme()` builds a published event in Europe/Paris around a change of time: sessions
before, across and after the change, a cancelled one, one not shown publicly, speakers (with
an email address, which no feed may show), an attendee signed up for sessions and a partner
feed sharing the event. `feed_paths()` lists every variant of every feed of it (each kind, in
French and English, with and without an alarm), for tests that read them all: with icalendar
here, with Mozilla's ical.js elsewhere.

    programme = dst_programme("autumn")
    for label, path in feed_paths(programme).items():
        response = client.get(path)
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from events.models import Event, PartnerFeed, Session, SessionSpeaker, Track
from registrations.models import Registration, SessionSignup
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TicketTypeFactory,
    TrackFactory,
    VenueFactory,
)
from tests.registrations.organiser_factories import RegistrationFactory

SPEAKER_EMAIL = "ne.pas.publier@example.org"
ATTENDEE_EMAIL = "participante.privee@example.org"

# The two changes of time of the Paris zone the tests cross (UTC instants of each session).
CHANGES = {
    # Sunday 28 March 2027, 02:00 CET → 03:00 CEST (01:00 UTC).
    "spring": {
        "event": (
            datetime(2027, 3, 27, 23, 0, tzinfo=UTC),
            datetime(2027, 3, 30, 16, 0, tzinfo=UTC),
        ),
        "before": (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), timedelta(hours=1)),  # 00:30 CET
        "across": (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), timedelta(hours=1)),  # 01:30→03:30
        "after": (datetime(2027, 3, 29, 8, 0, tzinfo=UTC), timedelta(hours=1)),  # 10:00 CEST
    },
    # Sunday 25 October 2026, 03:00 CEST → 02:00 CET (01:00 UTC): 02:00 to 03:00 happens twice.
    "autumn": {
        "event": (
            datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
            datetime(2026, 10, 27, 17, 0, tzinfo=UTC),
        ),
        "before": (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), timedelta(hours=1)),  # 00:30 CEST
        # 01:30 CEST → 02:30 CET, the second 02:30 of the night.
        "across": (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), timedelta(hours=2)),
        "after": (datetime(2026, 10, 26, 9, 0, tzinfo=UTC), timedelta(hours=1)),  # 10:00 CET
    },
}


@dataclass
class Programme:
    event: Event
    before: Session
    across: Session
    after: Session
    cancelled: Session
    private: Session
    track: Track
    speaker: Speaker
    registration: Registration
    partner_feed: PartnerFeed

    @property
    def sessions(self) -> list[Session]:
        return [self.before, self.across, self.after, self.cancelled, self.private]


def dst_programme(change: str = "spring") -> Programme:
    """A published event around the `change` of time ("spring" or "autumn") of Paris."""
    times = CHANGES[change]
    venue = VenueFactory()
    event = EventFactory(
        organisation=venue.organisation,
        venue=venue,
        start=times["event"][0],
        end=times["event"][1],
        title_fr="Protection sociale et territoires",
        title_en="Social protection and territories",
    )
    room = RoomFactory(event=event, name_fr="Amphithéâtre Mérieux", name_en="Mérieux lecture hall")
    track = TrackFactory(event=event, name_fr="Santé", name_en="Health", slug="sante")
    other_track = TrackFactory(event=event, name_fr="Territoires", name_en="Territories")

    def session(key, **fields):
        start, length = times[key] if key in times else fields.pop("at")
        return SessionFactory(
            event=event, room=room, start=start, end=start + length, **{"track": track, **fields}
        )

    before = session(
        "before",
        type=Session.Type.KEYNOTE,
        title_fr="Ouverture, accueil; et café",
        title_en="Opening, welcome; and coffee",
        abstract_fr="Le mot d'ouverture\ndes organisateurs.",
        abstract_en="The organisers'\nopening words.",
    )
    across = session("across", type=Session.Type.ROUND_TABLE, track=other_track)
    after = session("after", type=Session.Type.WORKSHOP)
    cancelled = session(
        "cancelled",
        at=(times["after"][0] + timedelta(hours=3), timedelta(hours=1)),
        status=Session.Status.CANCELLED,
    )
    private = session(
        "private",
        at=(times["after"][0] + timedelta(hours=5), timedelta(hours=1)),
        is_public=False,
        title_fr="Réunion des partenaires",
        title_en="Partners' meeting",
    )
    speaker = SpeakerFactory(
        organisation=event.organisation,
        name="Marie Curie",
        slug="marie-curie",
        title_fr="Professeure des universités",
        title_en="Professor",
        affiliation="Sciences Po Lyon",
        email=SPEAKER_EMAIL,
    )
    for item in (before, after, cancelled, private):
        SessionSpeakerFactory(session=item, speaker=speaker)
    SessionSpeakerFactory(
        session=before,
        speaker=SpeakerFactory(organisation=event.organisation, email="autre@example.org"),
        role=SessionSpeaker.Role.CHAIR,
        position=1,
    )
    registration = RegistrationFactory(
        ticket_type=TicketTypeFactory(event=event), email=ATTENDEE_EMAIL
    )
    for item in (across, private):
        SessionSignup.objects.create(registration=registration, session=item)
    partner_feed = PartnerFeed.objects.create(
        organisation=event.organisation, name="Caisse des dépôts", includes_private_sessions=True
    )
    partner_feed.events.add(event)
    return Programme(
        event=event,
        before=before,
        across=across,
        after=after,
        cancelled=cancelled,
        private=private,
        track=track,
        speaker=speaker,
        registration=registration,
        partner_feed=partner_feed,
    )


def feed_paths(programme: Programme, *, alarms=(None, 15)) -> dict[str, str]:
    """{label: path} of every feed of `programme`: the event's, its track's, its speaker's,
    the attendee's agenda and the partner feed, in French and English, for each of `alarms`
    (None: without ?alarm)."""
    event = programme.event
    kinds = {
        "event": f"/events/{event.slug}/calendar.ics",
        "track": f"/events/{event.slug}/tracks/{programme.track.slug}/calendar.ics",
        "speaker": f"/events/{event.slug}/speakers/{programme.speaker.slug}/calendar.ics",
        "agenda": f"/r/{programme.registration.manage_token}/agenda.ics",
        "partner": f"/feeds/{programme.partner_feed.token}/calendar.ics",
    }
    paths = {}
    for kind, path in kinds.items():
        for language in ("fr", "en"):
            for alarm in alarms:
                label = f"{kind} {language}" + (f" alarm {alarm}" if alarm is not None else "")
                query = f"?alarm={alarm}" if alarm is not None else ""
                paths[label] = localized(path, language) + query
    return paths


def localized(path: str, language: str = "fr") -> str:
    """`path` in `language`: French at the site's root, English under /en/."""
    return path if language == "fr" else f"/{language}{path}"


def read_feed(response) -> Calendar:
    """The feed a response carries, parsed by icalendar, after checking it is one."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def vevents(calendar: Calendar) -> dict[str, object]:
    """The calendar's VEVENTs by UID."""
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}
