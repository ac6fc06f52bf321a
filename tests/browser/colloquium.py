"""A colloquium like the demo's (Lyon, two days in May 2027), built with the shared factories."""

import io
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.files.base import ContentFile
from PIL import Image

from events.models import Event, Session, SessionSpeaker
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)


@dataclass
class Colloquium:
    event: Event
    opening: Session
    director: Speaker


def _utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 5, day, hour, minute, tzinfo=UTC)


def _portrait() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 160), "#7a8aa6").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="portrait.png")


def build_colloquium() -> Colloquium:
    event = EventFactory(
        slug="protection-sociale-et-territoires",
        organisation__name="Chaire Protection sociale et territoires",
        title_fr="Protection sociale et territoires",
        title_en="Social protection and territories",
        subtitle_fr="Colloque de Sciences Po Lyon et de l'EN3S",
        subtitle_en="A colloquium of Sciences Po Lyon and the EN3S",
        description_fr="Deux journées pour croiser recherche et action publique.",
        description_en="Two days where research meets public action.",
        start=_utc(20, 6, 30),
        end=_utc(21, 16),
        contact_email="colloque@example.org",
    )
    amphi = RoomFactory(
        event=event, name_fr="Amphithéâtre Leclair", name_en="Leclair lecture hall", position=0
    )
    small_room = RoomFactory(event=event, name_fr="Salle 2.12", name_en="Room 2.12", position=1)
    health = TrackFactory(event=event, name_fr="Santé", name_en="Health", colour="#1d4f91")
    solidarity = TrackFactory(
        event=event, name_fr="Solidarités", name_en="Solidarity", colour="#b34e00"
    )

    def session(title_fr, title_en, start, end, **fields):
        return SessionFactory(
            event=event, title_fr=title_fr, title_en=title_en, start=start, end=end, **fields
        )

    session(
        "Accueil des participants",
        "Registration and coffee",
        _utc(20, 6, 30),
        _utc(20, 7),
        type=Session.Type.WELCOME,
        room=amphi,
        track=None,
    )
    opening = session(
        "Ouverture du colloque",
        "Opening of the colloquium",
        _utc(20, 7),
        _utc(20, 7, 45),
        type=Session.Type.PLENARY,
        room=amphi,
        track=None,
        abstract_fr="Mots d'accueil.",
        abstract_en="Words of welcome.",
    )
    round_table = session(
        "Les territoires de la santé",
        "Health and territories",
        _utc(20, 8),
        _utc(20, 9, 30),
        type=Session.Type.ROUND_TABLE,
        room=amphi,
        track=health,
    )
    workshop = session(
        "Atelier : les solidarités locales",
        "Workshop: local solidarity",
        _utc(20, 8),
        _utc(20, 9, 30),
        type=Session.Type.WORKSHOP,
        room=small_room,
        track=solidarity,
    )
    session(
        "Déjeuner",
        "Lunch",
        _utc(20, 10),
        _utc(20, 11, 30),
        type=Session.Type.BREAK,
        room=None,
        track=None,
    )
    session(
        "Atelier reporté",
        "Postponed workshop",
        _utc(20, 12),
        _utc(20, 13),
        type=Session.Type.WORKSHOP,
        room=small_room,
        track=solidarity,
        status=Session.Status.CANCELLED,
    )
    keynote = session(
        "Conférence : protéger sans exclure",
        "Keynote: protecting without excluding",
        _utc(21, 7),
        _utc(21, 8),
        type=Session.Type.KEYNOTE,
        room=amphi,
        track=health,
    )
    closing = session(
        "Clôture",
        "Closing",
        _utc(21, 14),
        _utc(21, 14, 30),
        type=Session.Type.PLENARY,
        room=amphi,
        track=None,
    )

    def speaker(name, slug, title_fr, title_en, affiliation, **fields):
        return SpeakerFactory(
            organisation=event.organisation,
            name=name,
            slug=slug,
            title_fr=title_fr,
            title_en=title_en,
            affiliation=affiliation,
            **fields,
        )

    director = speaker(
        "Claire Martin",
        "claire-martin",
        "Directrice de Sciences Po Lyon",
        "Director of Sciences Po Lyon",
        "Sciences Po Lyon",
        bio_fr="Professeure de science politique.",
        bio_en="Professor of political science.",
        website="https://claire-martin.example.org/",
        photo_consent=True,
    )
    director.photo.save("portrait.png", _portrait(), save=False)
    director.photo_thumbnail.save("thumbnail.png", _portrait(), save=False)
    director.save()
    head = speaker(
        "Bruno Aubert", "bruno-aubert", "Directeur de l'EN3S", "Director of the EN3S", "EN3S"
    )
    researcher = speaker(
        "Inès Benali",
        "ines-benali",
        "Maîtresse de conférences",
        "Associate professor",
        "Université Lyon 2",
    )
    partner = speaker(
        "Paul Roche",
        "paul-roche",
        "Directeur des affaires publiques",
        "Head of public affairs",
        "Mutuelle partenaire",
    )

    for session_, speaker_, role in [
        (opening, director, SessionSpeaker.Role.SPEAKER),
        (opening, head, SessionSpeaker.Role.SPEAKER),
        (round_table, researcher, SessionSpeaker.Role.MODERATOR),
        (round_table, partner, SessionSpeaker.Role.SPEAKER),
        (workshop, researcher, SessionSpeaker.Role.CHAIR),
        (keynote, head, SessionSpeaker.Role.SPEAKER),
        (closing, director, SessionSpeaker.Role.SPEAKER),
    ]:
        SessionSpeakerFactory(session=session_, speaker=speaker_, role=role)
    return Colloquium(event=event, opening=opening, director=director)
