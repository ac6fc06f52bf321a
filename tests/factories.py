"""factory_boy factories shared by every test folder."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.tokens import create_token
from events.models import Event, Room, Session, SessionSpeaker, Track, Venue
from organisations.models import Membership, Organisation
from speakers.models import Speaker

PARIS = ZoneInfo("Europe/Paris")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery")


def api_key_for(user, name: str = "Tests") -> str:
    """The key of a new API token of `user`, made by the service as the back office makes it
    (its `token.create` entry is in the trail, by the system)."""
    _token, key = create_token(user=user, name=name)
    return key


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    # Complete, valid legal details: an organisation that may issue invoices.
    legal_name = factory.LazyAttribute(lambda organisation: f"{organisation.name} (établissement)")
    address = "14 avenue Berthelot"
    postcode = "69007"
    city = "Lyon"
    siret = "19691774400019"
    iban = "FR7630001007941234567890185"
    bic = "BDFEFRPPCCT"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory, is_staff=True)
    role = Membership.Role.ORGANISER


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    organisation = factory.SubFactory(OrganisationFactory)
    name = "Sciences Po Lyon"
    street = "14 avenue Berthelot"
    postal_code = "69007"
    city = "Lyon"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    organisation = factory.SubFactory(OrganisationFactory)
    venue = factory.SubFactory(VenueFactory, organisation=factory.SelfAttribute("..organisation"))
    slug = factory.Sequence(lambda n: f"event-{n}")
    title_fr = factory.Sequence(lambda n: f"Colloque {n}")
    title_en = factory.Sequence(lambda n: f"Colloquium {n}")
    start = datetime(2027, 5, 20, 8, 30, tzinfo=PARIS)
    end = factory.LazyAttribute(
        lambda event: event.start.replace(hour=18, minute=0) + timedelta(days=1)
    )
    status = Event.Status.PUBLISHED


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name_fr = factory.Sequence(lambda n: f"Salle {n}")
    name_en = factory.Sequence(lambda n: f"Room {n}")


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    event = factory.SubFactory(EventFactory)
    name_fr = factory.Sequence(lambda n: f"Parcours {n}")
    name_en = factory.Sequence(lambda n: f"Track {n}")
    slug = factory.Sequence(lambda n: f"track-{n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title_fr = factory.Sequence(lambda n: f"Session {n}")
    title_en = factory.Sequence(lambda n: f"Session {n} (EN)")
    start = factory.LazyAttribute(lambda session: session.event.start + timedelta(minutes=30))
    end = factory.LazyAttribute(lambda session: session.start + timedelta(hours=1))
    room = factory.SubFactory(RoomFactory, event=factory.SelfAttribute("..event"))
    track = factory.SubFactory(TrackFactory, event=factory.SelfAttribute("..event"))


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Intervenante {n}")
    slug = factory.Sequence(lambda n: f"intervenante-{n}")
    title_fr = "Professeure des universités"
    title_en = "Professor"
    affiliation = "Sciences Po Lyon"


class SessionSpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSpeaker

    session = factory.SubFactory(SessionFactory)
    speaker = factory.SubFactory(
        SpeakerFactory, organisation=factory.SelfAttribute("..session.event.organisation")
    )
    role = SessionSpeaker.Role.SPEAKER


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.TicketType"

    event = factory.SubFactory(EventFactory, start=factory.LazyFunction(lambda: _future(30)))
    category = "professional"
    name_fr = "Plein tarif"
    name_en = "Full rate"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.Invitation"

    event = factory.SubFactory(
        EventFactory,
        access="invitation",
        start=factory.LazyFunction(lambda: _future(30)),
    )
    ticket_type = factory.SubFactory(
        TicketTypeFactory,
        event=factory.SelfAttribute("..event"),
        category="guest",
        is_public=False,
        name_fr="Invité",
        name_en="Guest",
    )
    first_name = "Hélène"
    last_name = factory.Sequence(lambda n: f"Invitée {n}")
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    deadline = factory.LazyAttribute(lambda invitation: invitation.event.start - timedelta(days=2))


def _future(days: int) -> datetime:
    """A start `days` ahead, at 09:00 Paris time: registration needs an event to come."""

    day = (timezone.now() + timedelta(days=days)).astimezone(PARIS).date()
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=PARIS)
