"""The registration side of the demo events: ticket types, a few registrations, a guest list.

Called by `seed_demo` after `events.demo.load_demo`. Idempotent: ticket types are found by
event and category, registrations and invitations by event and email. Rows are written
directly (no emails are sent for demo people), then the held-seat counters are recounted.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from checkin import services as checkin
from checkin.models import Checkpoint
from events.models import Event
from registrations import services
from registrations.models import Invitation, Registration, TicketType

PARIS = ZoneInfo("Europe/Paris")
COLLOQUIUM = "protection-sociale-et-territoires-2027"
CEREMONY = "ceremonie-des-voeux-fhf-paca-2027"

TICKETS = {
    COLLOQUIUM: [
        # category, French name, English name, capacity, public, French text, English text
        (
            "student",
            "Étudiants",
            "Students",
            60,
            True,
            "Gratuit, sur présentation d’une carte d’étudiant le jour du colloque.",
            "Free, on showing a student card on the day.",
        ),
        (
            "professional",
            "Professionnels",
            "Professionals",
            140,
            True,
            "Agents des organismes de protection sociale, des collectivités et des "
            "établissements de santé, chercheurs et consultants.",
            "Staff of social security bodies, local authorities and health institutions, "
            "researchers and consultants.",
        ),
        (
            "elected",
            "Élus",
            "Elected officials",
            20,
            True,
            "Élus locaux et nationaux\u00a0: précisez votre mandat.",
            "Local and national elected officials: please give your mandate.",
        ),
        (
            "partner",
            "Partenaires",
            "Partners",
            20,
            False,
            "Places réservées aux partenaires du colloque, attribuées par les organisateurs.",
            "Seats kept for the colloquium's partners, given by the organisers.",
        ),
    ],
    CEREMONY: [
        (
            "guest",
            "Invités",
            "Guests",
            180,
            False,
            "Sur invitation personnelle de la FHF PACA.",
            "By personal invitation of FHF PACA.",
        ),
    ],
}
EVENT_SETTINGS = {
    COLLOQUIUM: {"capacity": 220, "has_waiting_list": True},
    CEREMONY: {"capacity": 180, "has_waiting_list": False},
}

REGISTRATIONS = [
    # first name, last name, email, organisation, title, category, extra
    (
        "Léa",
        "Marchetti",
        "lea.marchetti@example.org",
        "CAF du Rhône",
        "Chargée d’études",
        "professional",
        {},
    ),
    (
        "Thomas",
        "Nguyen",
        "thomas.nguyen@example.org",
        "Sciences Po Lyon",
        "",
        "student",
        {"institution": "Sciences Po Lyon"},
    ),
    (
        "Aïcha",
        "Benali",
        "aicha.benali@example.org",
        "Département de la Loire",
        "Directrice de l’autonomie",
        "professional",
        {},
    ),
    (
        "Jean-Marc",
        "Dufresne",
        "jm.dufresne@example.org",
        "Commune de Vénissieux",
        "Adjoint aux solidarités",
        "elected",
        {"mandate": "Adjoint au maire de Vénissieux"},
    ),
    (
        "Sophie",
        "Lambert",
        "sophie.lambert@example.org",
        "EN3S",
        "Élève directrice",
        "student",
        {"institution": "EN3S"},
    ),
    (
        "Olivier",
        "Perrin",
        "olivier.perrin@example.org",
        "Groupe Mutualiste Confluences",
        "Responsable des partenariats",
        "partner",
        {},
    ),
]

GUESTS = [
    # first name, last name, email, organisation, title, plus-ones allowed, answer, plus-ones
    (
        "Martine",
        "Roux",
        "martine.roux@example.org",
        "CHU de Nice",
        "Directrice générale",
        1,
        "accepted",
        [("Paul", "Roux")],
    ),
    (
        "Karim",
        "Haddad",
        "karim.haddad@example.org",
        "Conseil régional Provence-Alpes-Côte d’Azur",
        "Vice-président délégué à la santé",
        0,
        "accepted",
        [],
    ),
    (
        "Nathalie",
        "Girard",
        "nathalie.girard@example.org",
        "ARS Provence-Alpes-Côte d’Azur",
        "Directrice de l’offre de soins",
        1,
        "declined",
        [],
    ),
    (
        "Pierre",
        "Fabre",
        "pierre.fabre@example.org",
        "Centre hospitalier d’Arles",
        "Directeur",
        1,
        "pending",
        [],
    ),
    (
        "Claire",
        "Vidal",
        "claire.vidal@example.org",
        "Sciences Po Aix",
        "Responsable des partenariats",
        0,
        "pending",
        [],
    ),
]
RSVP_DEADLINE = datetime(2027, 1, 8, 18, 0, tzinfo=PARIS)


def load_registrations_demo() -> dict:
    """Ticket types, registrations and invitations of the demo events; counts by kind."""
    with transaction.atomic():
        events = {event.slug: event for event in Event.objects.filter(slug__in=TICKETS)}
        tickets = {}
        for slug, rows in TICKETS.items():
            event = events[slug]
            Event.objects.filter(pk=event.pk).update(**EVENT_SETTINGS[slug])
            for position, (
                category,
                name_fr,
                name_en,
                capacity,
                public,
                text_fr,
                text_en,
            ) in enumerate(rows):
                tickets[slug, category], _ = TicketType.objects.update_or_create(
                    event=event,
                    category=category,
                    defaults={
                        "name_fr": name_fr,
                        "name_en": name_en,
                        "description_fr": text_fr,
                        "description_en": text_en,
                        "price": Decimal("0.00"),
                        "capacity": capacity,
                        "is_public": public,
                        "position": position,
                    },
                )
        for first, last, email, organisation, title, category, extra in REGISTRATIONS:
            _registration(
                event=events[COLLOQUIUM],
                ticket_type=tickets[COLLOQUIUM, category],
                email=email,
                first_name=first,
                last_name=last,
                organisation=organisation,
                job_title=title,
                **extra,
            )
        for first, last, email, organisation, title, allowed, answer, plus_ones in GUESTS:
            _guest(
                event=events[CEREMONY],
                ticket_type=tickets[CEREMONY, "guest"],
                person=(first, last, email, organisation, title),
                allowed=allowed,
                answer=answer,
                plus_ones=plus_ones,
            )
        for event in events.values():
            services.recount_seats(event=event)
            _checkpoints(event)
    return {
        "ticket_types": len(tickets),
        "registrations": Registration.objects.filter(event__in=events.values()).count(),
        "invitations": Invitation.objects.filter(event__in=events.values()).count(),
        "checkpoints": Checkpoint.objects.filter(event__in=events.values()).count(),
    }


def _checkpoints(event: Event) -> None:
    """The entrance, and a list of its own for each workshop that needs a sign-up."""
    checkin.entrance_checkpoint(event)
    for position, session in enumerate(event.sessions.filter(requires_signup=True), start=1):
        Checkpoint.objects.update_or_create(
            session=session,
            defaults={
                "event": event,
                "name_fr": f"Atelier — {session.title_fr}"[:120],
                "name_en": f"Workshop — {session.title_en or session.title_fr}"[:120],
                "position": position,
            },
        )


def _registration(*, event, ticket_type, email, **details) -> Registration:
    now = timezone.now()
    registration, _ = Registration.objects.get_or_create(
        event=event,
        email=email,
        defaults={
            "ticket_type": ticket_type,
            "status": Registration.Status.CONFIRMED,
            "consent_processing_at": now,
            "confirmed_at": now,
            **details,
        },
    )
    return registration


def _guest(*, event, ticket_type, person, allowed, answer, plus_ones) -> Invitation:
    first, last, email, organisation, title = person
    invitation, created = Invitation.objects.get_or_create(
        event=event,
        email=email,
        defaults={
            "ticket_type": ticket_type,
            "first_name": first,
            "last_name": last,
            "organisation": organisation,
            "job_title": title,
            "plus_ones_allowed": allowed,
            "deadline": RSVP_DEADLINE,
            "answer": answer,
            "answered_at": timezone.now() if answer != "pending" else None,
            "sent_at": timezone.now(),
        },
    )
    if created and answer == Invitation.Answer.ACCEPTED:
        guest = _registration(
            event=event,
            ticket_type=ticket_type,
            email=email,
            first_name=first,
            last_name=last,
            organisation=organisation,
            job_title=title,
            invitation=invitation,
        )
        now = timezone.now()
        for companion_first, companion_last in plus_ones:
            Registration.objects.create(
                event=event,
                ticket_type=ticket_type,
                status=Registration.Status.CONFIRMED,
                first_name=companion_first,
                last_name=companion_last,
                companion_of=guest,
                consent_processing_at=now,
                confirmed_at=now,
            )
    return invitation
