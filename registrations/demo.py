"""The registration side of the demo events: ticket types, a few registrations, a guest list,
and the invoice path of the colloquium.

Called by `seed_demo` after `events.demo.load_demo`. Idempotent: ticket types are found by
event and French name, registrations and invitations by event and email. Rows are written
directly (no emails are sent for demo people), then the held-seat counters are recounted.

The colloquium's organisation gets complete legal and bank details (fictitious, with valid
check digits) and a paid ticket for public bodies, payable by card or on invoice; two agents
of a hospital are on one invoice awaiting its transfer, and a third attendee's invoice was
cancelled by a credit note. These go through the real services (payments.group_invoices,
payments.invoicing, registrations.services.cancel_registration), once: a second run finds
them issued already. The emails those services queue for demo people are taken out again.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from checkin import services as checkin
from checkin.models import Checkpoint
from events.models import Event
from organisations.models import Organisation, VatRegime
from payments.group_invoices import invoice_registrations
from payments.invoicing import credit_invoice
from payments.models import Payment
from payments.services import clean_billing
from registrations import services
from registrations.models import Invitation, OutgoingEmail, Registration, TicketType

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
# The colloquium's paid ticket: price including VAT, payable by card or on invoice.
PAID_TICKET = {
    "category": "professional",
    "name_fr": "Tarif organismes publics",
    "name_en": "Public bodies' rate",
    "description_fr": (
        "Agents inscrits et payés par leur établissement (hôpital, collectivité, université, "
        "organisme de sécurité sociale)\u00a0: paiement par carte ou sur facture, avec bon de "
        "commande et dépôt sur Chorus Pro."
    ),
    "description_en": (
        "Staff registered and paid for by their institution (hospital, local authority, "
        "university, social security body): by card or on invoice, with a purchase order "
        "and deposit on Chorus Pro."
    ),
    "price": Decimal("120.00"),
    "vat_rate": Decimal("20.00"),
    "capacity": 60,
    "is_public": True,
    "allows_card": True,
    "allows_invoice": True,
}
# Fictitious legal and bank details, with valid check digits (SIRET, VAT number, IBAN, BIC).
LEGAL_DETAILS = {
    "legal_name": "Sciences Po Lyon — Chaire Protection sociale et territoires",
    "address": "14 avenue Berthelot",
    "postcode": "69007",
    "city": "Lyon",
    "country": "FR",
    "siret": "19691774400019",
    "vat_regime": VatRegime.SUBJECT,
    "vat_number": "FR61196917744",
    "iban": "FR7630001007941234567890185",
    "bic": "BDFEFRPPCCT",
    "invoice_email": "factures.chaire@example.org",
}
HOSPITAL = {
    "billing_name": "Centre hospitalier du Val de Saône",
    "billing_address": "2 rue de l’Hôpital\n69400 Villefranche-sur-Saône",
    "billing_siret": "26690001800026",
    "billing_service_code": "FORMATION-CONTINUE",
    "purchase_order_number": "EJ-2027-000123",
    "billing_email": "factures@ch-val-de-saone.example.org",
}
COMMUNITY = {
    "billing_name": "Communauté de communes des Monts du Lyonnais",
    "billing_address": "Place du Marché\n69850 Saint-Martin-en-Haut",
    "billing_siret": "20004697700019",
    "purchase_order_number": "BC-2027-0458",
}
INVOICED = [
    # first name, last name, email, organisation, title, payer
    (
        "Hélène",
        "Garnier",
        "helene.garnier@example.org",
        "Centre hospitalier du Val de Saône",
        "Cadre de santé",
        "hospital",
    ),
    (
        "Julien",
        "Moreau",
        "julien.moreau@example.org",
        "Centre hospitalier du Val de Saône",
        "Assistant social",
        "hospital",
    ),
    (
        "Inès",
        "Roussel",
        "ines.roussel@example.org",
        "Communauté de communes des Monts du Lyonnais",
        "Chargée de mission santé",
        "community",
    ),
]

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
                    name_fr=name_fr,
                    defaults={
                        "category": category,
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
        _invoices(events[COLLOQUIUM], position=len(TICKETS[COLLOQUIUM]))
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
        "ticket_types": TicketType.objects.filter(event__in=events.values()).count(),
        "registrations": Registration.objects.filter(event__in=events.values()).count(),
        "invitations": Invitation.objects.filter(event__in=events.values()).count(),
        "checkpoints": Checkpoint.objects.filter(event__in=events.values()).count(),
    }


def _invoices(event: Event, *, position: int) -> None:
    """The invoice path: the organisation may invoice, a ticket is payable on invoice, one
    invoice covers two hospital agents (awaiting its transfer), and one was cancelled by a
    credit note when its attendee cancelled."""
    Organisation.objects.filter(pk=event.organisation_id).update(**LEGAL_DETAILS)
    ticket, _ = TicketType.objects.update_or_create(
        event=event,
        name_fr=PAID_TICKET["name_fr"],
        defaults={**PAID_TICKET, "position": position},
    )
    people = {}
    for first, last, email, organisation, title, payer in INVOICED:
        people.setdefault(payer, []).append(
            _registration(
                event=event,
                ticket_type=ticket,
                email=email,
                status=Registration.Status.PENDING_PAYMENT,
                confirmed_at=None,
                first_name=first,
                last_name=last,
                organisation=organisation,
                job_title=title,
            )
        )
    demo_people = [registration for group in people.values() for registration in group]
    if Payment.objects.filter(registration__in=demo_people).exists():
        return  # issued by an earlier run
    services.recount_seats(event=event)
    invoice_registrations(registrations=people["hospital"], billing=clean_billing(HOSPITAL))
    [cancelled] = people["community"]
    invoice = invoice_registrations(registrations=[cancelled], billing=clean_billing(COMMUNITY))
    # The credit note first: cancelling then finds the invoice credited already (a
    # cancellation hook that credits invoices does nothing more).
    credit_invoice(invoice=invoice)
    services.cancel_registration(registration=cancelled, notify=False)
    # Demo people get no email (their addresses are fictitious): the outbox rows the services
    # queued are taken out in the same transaction, so the worker finds nothing to send. (The
    # immediate tasks backend of the tests sends at once, before this.)
    OutgoingEmail.objects.filter(registration__in=demo_people).delete()


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
