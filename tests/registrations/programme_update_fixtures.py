"""A programme with people holding a workshop, the changes organisers make to it, and the
update emails those people receive. Shared by the programme change tests; `emailed_invitations`
gives the raw .ics of an emailed REQUEST and CANCEL to any other test (reading them with
ical.js, for one)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from events.services import update_session
from registrations.models import Registration, SessionSignup
from registrations.programme_updates import send_programme_updates
from speakers.models import Speaker
from tests.factories import (
    PARIS,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
)
from tests.registrations.organiser_factories import RegistrationFactory

# Sessions moved across the changes of time in Paris: the clocks go back from 03:00 to 02:00
# on 25 October 2026 and forward from 02:00 to 03:00 on 28 March 2027.
AUTUMN_NIGHT = (
    datetime(2026, 10, 25, 1, 30, tzinfo=PARIS),
    datetime(2026, 10, 25, 3, 30, tzinfo=PARIS),
)
SPRING_NIGHT = (
    datetime(2027, 3, 28, 1, 30, tzinfo=PARIS),
    datetime(2027, 3, 28, 3, 30, tzinfo=PARIS),
)


THURSDAY_AFTERNOON = (
    datetime(2027, 5, 20, 14, 0, tzinfo=PARIS),
    datetime(2027, 5, 20, 15, 30, tzinfo=PARIS),
)


@dataclass
class Programme:
    event: object
    workshop: object  # a session with sign-up, in Amphi A
    amphi: object
    salle: object
    camille: Registration  # signed up, French
    alex: Registration  # signed up, English
    dominique: Registration  # registered, not signed up
    speaker: Speaker  # speaks in the workshop


def a_programme(*, slot: tuple[datetime, datetime] | None = None) -> Programme:
    """A published colloquium in Lyon around `slot` (default: Thursday 20 May 2027, 10:00 to
    11:30), its workshop in that slot, two attendees signed up to it, one not, one speaker."""
    start, end = slot or (
        datetime(2027, 5, 20, 10, 0, tzinfo=PARIS),
        datetime(2027, 5, 20, 11, 30, tzinfo=PARIS),
    )
    event = EventFactory(
        slug="protection-sociale",
        title_fr="Protection sociale et territoires",
        title_en="Social protection and territories",
        start=start.replace(hour=8, minute=0) - timedelta(days=1),
        end=end.replace(hour=18, minute=0) + timedelta(days=2),
        contact_email="colloque@example.org",
        organisation__name="Chaire Protection sociale et territoires",
    )
    amphi = RoomFactory(event=event, name_fr="Amphi A", name_en="Lecture hall A", position=1)
    salle = RoomFactory(event=event, name_fr="Salle 2", name_en="Room 2", position=2)
    workshop = SessionFactory(
        event=event,
        title_fr="Atelier : le non-recours aux droits",
        title_en="Workshop: non-take-up of benefits",
        start=start,
        end=end,
        room=amphi,
        requires_signup=True,
        capacity=30,
    )
    people = {}
    for name, language, signed_up in (
        ("camille", "fr", True),
        ("alex", "en", True),
        ("dominique", "fr", False),
    ):
        registration = RegistrationFactory(
            ticket_type__event=event,
            first_name=name.capitalize(),
            email=f"{name}@example.org",
            language=language,
        )
        if signed_up:
            SessionSignup.objects.create(registration=registration, session=workshop)
        people[name] = registration
    speaker = SpeakerFactory(
        organisation=event.organisation, name="Nadia Benhamou", email="nadia@example.org"
    )
    SessionSpeakerFactory(session=workshop, speaker=speaker)
    mail.outbox.clear()
    return Programme(
        event=event, workshop=workshop, amphi=amphi, salle=salle, speaker=speaker, **people
    )


def move_to_the_afternoon(programme: Programme) -> None:
    """The organisers move the workshop to 14:00-15:30 the same Thursday, in Salle 2."""
    update_session(
        session=programme.workshop,
        data={
            "start": THURSDAY_AFTERNOON[0],
            "end": THURSDAY_AFTERNOON[1],
            "room": programme.salle,
        },
    )


def after_the_delay() -> datetime:
    return timezone.now() + timedelta(seconds=settings.PROGRAMME_UPDATE_DELAY + 1)


def send_settled_updates() -> int:
    """Run the update service as the worker would once the delay is over."""
    return send_programme_updates(now=after_the_delay())


def updates_to(address: str) -> list:
    return [
        message
        for message in mail.outbox
        if message.to == [address]
        and any(name.endswith(".ics") for name, *_ in message.attachments)
    ]


def invitations_in(message) -> dict[str, bytes]:
    """The calendar attachments of an email by file name, as raw bytes."""
    found = {}
    for filename, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            found[filename] = content if isinstance(content, bytes) else content.encode()
    return found


def the_vevent(ics: bytes):
    """The calendar's METHOD and its one VEVENT (an iTIP message carries one UID)."""
    calendar = Calendar.from_ical(ics)
    [vevent] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), vevent


def emailed_invitations() -> dict[str, bytes]:
    """The raw .ics attached to two programme update emails sent to an attendee signed up to a
    workshop of 24-26 October 2026 in Lyon (Europe/Paris):
    - "request": METHOD:REQUEST, the workshop moved to the night of the change of time,
      01:30 CEST to 03:30 CET on 25 October 2026 (23:30 to 02:30 UTC);
    - "cancel": METHOD:CANCEL with STATUS:CANCELLED, the same workshop (same UID) cancelled.
    Needs the database (a `django_db` test)."""
    afternoon = AUTUMN_NIGHT[0] - timedelta(hours=12)
    programme = a_programme(slot=(afternoon, afternoon + timedelta(hours=1)))
    workshop = programme.workshop
    update_session(session=workshop, data={"start": AUTUMN_NIGHT[0], "end": AUTUMN_NIGHT[1]})
    send_settled_updates()
    [moved] = updates_to(programme.camille.email)
    update_session(session=workshop, data={"status": "cancelled"})
    send_settled_updates()
    _moved, cancelled = updates_to(programme.camille.email)
    name = f"session-{workshop.pk}.ics"
    return {"request": invitations_in(moved)[name], "cancel": invitations_in(cancelled)[name]}
