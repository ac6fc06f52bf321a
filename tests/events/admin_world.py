"""Two organisations with one object of every kind the back office shows, for the tests that
walk every registered ModelAdmin (test_admin_secret_addresses.py, test_admin_other_names.py).

Every name of the second organisation carries MARK, so that a page showing any of them is
caught by one search."""

from dataclasses import dataclass, field
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils import timezone

from badges.models import BadgeSheet
from checkin.services import create_scanner_device
from events.models import Event
from events.partner_feeds import create_partner_feed
from notices.selectors import accessibility_statement, current_privacy_notice, legal_notice
from organisations.models import Membership
from payments.invoicing import issue_invoice
from payments.models import Payment
from registrations.models import GuestListImport
from registrations.tasks import build_badge_sheet
from tests.checkin.checkin_factories import CheckInFactory, CheckpointFactory
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    SessionFactory,
    SessionSpeakerFactory,
    TicketTypeFactory,
    api_key_for,
)
from tests.registrations.organiser_factories import OutgoingEmailFactory, RegistrationFactory

MARK = "CONFIDENTIEL"


@dataclass
class OrganisationWorld:
    organisation: object
    event: Event
    registration: object
    invitation: object
    feed: object
    session: object
    entrance: object
    objects: list = field(default_factory=list)

    def attendee_addresses(self) -> list[str]:
        """The addresses that are the attendee's or the guest's alone."""
        return [
            self.registration.manage_token,
            self.registration.badge_token,
            self.invitation.token,
            self.registration.get_personal_url(),
            self.invitation.get_personal_url(),
        ]


def build_organisation(name: str, *, mark: str = "") -> OrganisationWorld:
    """An organisation with a draft event (a private session, a speaker, a ticket type, a
    registration with a flagged payment and an email, an invitation, a badge sheet, an
    entrance with a scanner device and a scan) and a partner feed. `mark` goes in every name."""
    ticket = TicketTypeFactory(
        event__organisation__name=f"{name} {mark}".strip(),
        event__status=Event.Status.DRAFT,
        event__title_fr=f"{mark} — Fusion des établissements".strip(" —"),
        event__title_en=f"{mark} — Merger".strip(" —"),
        event__venue__name=f"Site {mark}".strip(),
        event__venue__city=f"Ville {mark}".strip(),
        name_fr=f"Tarif {mark}".strip(),
        name_en=f"Rate {mark}".strip(),
    )
    event = ticket.event
    organisation = event.organisation
    session = SessionFactory(
        event=event,
        is_public=False,
        title_fr=f"Huis clos {mark}".strip(),
        title_en=f"Closed session {mark}".strip(),
        room__name_fr=f"Salle {mark}".strip(),
        room__name_en=f"Room {mark}".strip(),
        track__name_fr=f"Parcours {mark}".strip(),
        track__name_en=f"Track {mark}".strip(),
    )
    session_speaker = SessionSpeakerFactory(
        session=session, speaker__name=f"Intervenante {mark}".strip()
    )
    registration = RegistrationFactory(
        ticket_type=ticket, first_name="Sacha", last_name=f"Durand {mark}".strip()
    )
    invitation = InvitationFactory(
        event=event, ticket_type=ticket, first_name="Dominique", last_name=f"Invitée {mark}"
    )
    payment = Payment.objects.create(
        registration=registration,
        amount=Decimal("120.00"),
        currency="EUR",
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
        flag=Payment.Flag.MISMATCH,
        flag_note=f"Montant {mark}".strip(),
    )
    payer = RegistrationFactory(
        ticket_type=ticket, first_name="Alex", last_name=f"Payeur {mark}".strip()
    )
    invoice = issue_invoice(
        payments=[
            Payment.objects.create(
                registration=payer,
                method=Payment.Method.INVOICE,
                amount=Decimal("120.00"),
                currency="EUR",
                billing_name=f"Centre hospitalier {mark}".strip(),
                billing_address="Quartier Fourchon\n13200 Arles",
            )
        ]
    )
    email = OutgoingEmailFactory(registration=registration, kind="payment_flagged")
    sheet = BadgeSheet.objects.create(event=event, status=BadgeSheet.Status.QUEUED)
    guest_list = GuestListImport.objects.create(
        event=event,
        ticket_type=ticket,
        deadline=event.start,
        file_name=f"invites {mark}.csv".strip(),
        content=f"email,first_name,last_name\nx@example.org,Claude,{mark}\n".encode(),
    )
    entrance = CheckpointFactory(
        event=event, name_fr=f"Porte {mark}".strip(), name_en=f"Gate {mark}".strip()
    )
    device, _token = create_scanner_device(
        event=event, name=f"Scanner {mark}".strip(), checkpoint=entrance
    )
    scan = CheckInFactory(registration=registration, checkpoint=entrance, device=device)
    feed = create_partner_feed(
        organisation=organisation,
        name=f"Flux {mark}".strip(),
        events=[event],
        includes_private_sessions=True,
    )
    current_privacy_notice(organisation)
    return OrganisationWorld(
        organisation=organisation,
        event=event,
        registration=registration,
        invitation=invitation,
        feed=feed,
        session=session,
        entrance=entrance,
        objects=[
            organisation,
            event.venue,
            event,
            session,
            session_speaker.speaker,
            ticket,
            registration,
            invitation,
            payment,
            invoice,
            email,
            sheet,
            guest_list,
            entrance,
            device,
            scan,
            feed,
        ],
    )


def staff_of(organisation, role) -> object:
    return MembershipFactory(organisation=organisation, role=role, user__is_staff=True).user


def add_site_wide_objects(user, world: OrganisationWorld) -> None:
    """A group, an API token, login attempts, a queued task, the legal notice and the
    accessibility statement: the site-wide models registered in the admin."""
    Group.objects.create(name="Équipe support")
    attempt = {
        "username": user.username,
        "ip_address": "192.0.2.10",
        "user_agent": "Mozilla/5.0",
        "http_accept": "text/html",
        "path_info": "/admin/login/",
    }
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**attempt, locked_out=False)
    AccessLog.objects.create(**attempt)
    api_key_for(user, name="Site du laboratoire")
    legal_notice()
    accessibility_statement()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        build_badge_sheet.enqueue(BadgeSheet.objects.get(event=world.event).pk)


ORGANISER = Membership.Role.ORGANISER
DOOR_STAFF = Membership.Role.DOOR_STAFF


def registered_model_admins():
    """Every model registered in the back office with its ModelAdmin, through the admin site's
    public API, so that a model registered later is walked too."""
    for model in apps.get_models():
        if admin.site.is_registered(model):
            yield model, admin.site.get_model_admin(model)
