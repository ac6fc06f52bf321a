"""The audit trail (issue 13): each action, done through the back office, the API, the
attendee's page, a command or the payment webhook, leaves one entry naming the right actor and
channel; owners read their organisations' entries and nobody else's; an entry shares its
caller's transaction."""

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import stripe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient, APIRequestFactory

from accounts import tokens
from accounts.models import ApiToken
from api.authentication import DeviceTokenAuthentication
from audit import services as audit
from audit.context import ActorKind, Channel, acting
from audit.middleware import channel_for
from audit.models import AuditEntry
from checkin import services as checkin
from checkin.models import CheckIn, ScannerDevice
from events.models import Event, PartnerFeed, Session
from notices.models import PrivacyNotice
from notices.selectors import accessibility_statement
from organisations.models import Membership, Organisation
from payments import services as payments
from payments.models import Invoice, Payment
from registrations import guest_list_imports, privacy, services
from registrations.models import GuestListImport, Invitation, Registration
from speakers.models import Speaker
from tests.events.admin_forms import admin_form_data
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    SessionFactory,
    SpeakerFactory,
    TicketTypeFactory,
    UserFactory,
    api_key_for,
)
from tests.payments.invoice_steps import HOSPITAL
from tests.payments.stripe_fake import WEBHOOK_SECRET, FakeStripe
from tests.payments.test_payments_stripe import deliver
from tests.registrations.attendee_steps import colloquium_ticket, form_data, register_url
from tests.speakers.test_photos import phone_photo

pytestmark = pytest.mark.django_db

TRAIL = reverse("admin:audit_auditentry_changelist")
PERSONAL_DATA = reverse("admin:registrations_registration_personal_data")


@dataclass(frozen=True)
class By:
    """Who an entry must name: an actor kind and a channel; for a user, which of the test's
    users (`env.<user>`); else the actor's label."""

    kind: str
    channel: str
    user: str = ""
    label: str = ""


ATTENDEE = By(ActorKind.ATTENDEE, Channel.ATTENDEE_PAGE, label="attendee")
API = By(ActorKind.USER, Channel.API, user="organiser")
BACK_OFFICE = By(ActorKind.USER, Channel.BACK_OFFICE, user="owner")
SUPERUSER = By(ActorKind.USER, Channel.BACK_OFFICE, user="superuser")
WEBHOOK = By(ActorKind.WEBHOOK, Channel.WEBHOOK, label="Stripe")
DEVICE = By(ActorKind.DEVICE, Channel.API, label="Entrée nord")


def command(name: str) -> By:
    return By(ActorKind.SYSTEM, Channel.COMMAND, label=name)


# Actions about the whole site, not one organisation's: their entries belong to none.
SITE_WIDE = {"site_text.change", "token.create", "token.revoke"}


@pytest.fixture
def env(settings, monkeypatch, tmp_path):
    ticket = colloquium_ticket(capacity=1)
    organisation = ticket.event.organisation
    owner = MembershipFactory(
        organisation=organisation, role=Membership.Role.OWNER, user__is_staff=True
    ).user
    organiser = MembershipFactory(
        organisation=organisation, role=Membership.Role.ORGANISER, user__is_staff=True
    ).user
    superuser = UserFactory(is_staff=True, is_superuser=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(organiser)}")
    back_office = Client()
    back_office.force_login(owner)
    site_admin = Client()
    site_admin.force_login(superuser)
    # Stripe's servers, faked at the library's HTTP client (tests/payments/stripe_fake.py).
    settings.STRIPE_SECRET_KEY = "sk_test_colloque"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake_stripe = FakeStripe()
    monkeypatch.setattr(stripe, "default_http_client", fake_stripe)
    return SimpleNamespace(
        ticket=ticket,
        event=ticket.event,
        organisation=organisation,
        owner=owner,
        organiser=organiser,
        superuser=superuser,
        api=api,
        back_office=back_office,
        site_admin=site_admin,
        attendee=Client(),
        stripe=fake_stripe,
        files=tmp_path,
    )


def registered(env, email="camille.durand@example.org", ticket=None, **fields) -> Registration:
    """A registration made beforehand (by the system: not the entry under test)."""
    ticket = ticket or env.ticket
    return services.register_attendee(
        event=env.event,
        ticket_type=ticket,
        attendee=services.clean_attendee(
            {
                "first_name": "Camille",
                "last_name": "Durand",
                "email": email,
                "consent_processing": True,
                **fields,
            }
        ),
    )


def invitation_of(env) -> Invitation:
    return InvitationFactory(event__organisation=env.organisation)


def paid_ticket(env, **fields) -> object:
    fields.setdefault("price", Decimal("80.00"))
    fields.setdefault("capacity", 10)
    fields.setdefault("name_fr", "Plein tarif")
    return TicketTypeFactory(event=env.event, **fields)


def paid_by_card(env) -> Payment:
    """A registration paid by card, refundable if cancelled (Stripe's webhook said so)."""
    registration = registered(env, ticket=paid_ticket(env, refundable_until_days=14))
    payment = payments.start_checkout(registration=registration)
    deliver(env.attendee, "checkout.session.completed", env.stripe.pay(payment.stripe_session_id))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    return payment


def invoiced(env) -> Payment:
    """A registration awaiting the bank transfer of its invoice (issued, emailed)."""
    registration = registered(env, ticket=paid_ticket(env, allows_invoice=True))
    payment = payments.start_invoice(
        registration=registration, billing=payments.clean_billing(HOSPITAL)
    )
    assert payment.invoice is not None
    return payment


def admin_action(env, changelist: str, action: str, obj, client=None, **data):
    client = client or env.back_office
    response = client.post(
        reverse(changelist), {"action": action, "_selected_action": [obj.pk], **data}
    )
    assert response.status_code == 302, response.content
    return obj


def admin_change(env, url_name: str, obj, client=None, **changes):
    """Post an object's change page as a browser would, with `changes`."""
    client = client or env.back_office
    url = reverse(url_name, args=[obj.pk])
    data = admin_form_data(client.get(url))
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        *[formset.formset.errors for formset in response.context["inline_admin_formsets"]],
    ]
    return obj


def admin_add(env, url_name: str, client=None, files=None, **fields):
    client = client or env.back_office
    url = reverse(url_name)
    data = admin_form_data(client.get(url))
    response = client.post(url, {**data, **fields, **(files or {})})
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    return response


# --- The attendee, through their link (or the registration form) ------------------------------


def attendee_registers(env):
    response = env.attendee.post(register_url(env.event), form_data(env.ticket))
    assert response.status_code == 302
    return Registration.objects.get(email=form_data(env.ticket)["email"])


def attendee_renames(env):
    registration = registered(env)
    response = env.attendee.post(
        reverse("registrations:privacy", args=[registration.manage_token]),
        {
            "action": "details",
            "details-first_name": "Camille",
            "details-last_name": "Lefèvre",
            "details-organisation": "",
            "details-job_title": "",
        },
    )
    assert response.status_code == 302
    return registration


def attendee_changes_their_email(env):
    registration = registered(env)
    page = reverse("registrations:privacy", args=[registration.manage_token])
    asked = env.attendee.post(page, {"action": "email", "email-email": "c.durand@example.org"})
    assert asked.status_code == 302
    signature = privacy.email_change_signature(
        registration=registration, new_email="c.durand@example.org"
    )
    confirmed = env.attendee.post(
        reverse("registrations:privacy-email", args=[registration.manage_token, signature])
    )
    assert confirmed.status_code == 302
    return registration


def attendee_withdraws_a_consent(env):
    registration = registered(env, consent_photos=True)
    response = env.attendee.post(
        reverse("registrations:privacy", args=[registration.manage_token]),
        {"action": "withdraw", "consent": "photos"},
    )
    assert response.status_code == 302
    return registration


def attendee_cancels(env):
    registration = registered(env)
    response = env.attendee.post(
        f"/r/{registration.manage_token}/", {"action": "cancel", "confirm": "yes"}
    )
    assert response.status_code == 302
    return registration


def attendee_claims(env):
    env.event.has_waiting_list = True
    env.event.save()
    holder = registered(env)
    waiting = registered(env, email="ines.benali@example.org")
    assert waiting.status == Registration.Status.WAITLISTED
    services.cancel_registration(registration=holder)
    response = env.attendee.post(f"/r/{waiting.manage_token}/", {"action": "claim"})
    assert response.status_code == 302
    return waiting


def attendee_erases(env):
    registration = registered(env)
    response = env.attendee.post(
        reverse("registrations:privacy", args=[registration.manage_token]),
        {"action": "erase", "confirm": "yes"},
    )
    assert response.status_code == 302
    return registration


def attendee_cancels_a_card_payment(env):
    payment = paid_by_card(env)
    cancelled = env.attendee.post(
        payment.registration.get_personal_url(), {"action": "cancel", "confirm": "yes"}
    )
    assert cancelled.status_code == 302
    return payment


def attendee_cancels_an_invoiced_seat(env):
    payment = invoiced(env)
    cancelled = env.attendee.post(
        payment.registration.get_personal_url(), {"action": "cancel", "confirm": "yes"}
    )
    assert cancelled.status_code == 302
    return payment.invoice


def guest_accepts(env):
    invitation = invitation_of(env)
    response = env.attendee.post(
        f"/invitations/{invitation.token}/",
        {
            "answer": "accept",
            "first_name": "Jean-Luc",
            "last_name": "Martin",
            "consent_processing": "on",
        },
    )
    assert response.status_code == 302
    return invitation


def guest_declines(env):
    invitation = invitation_of(env)
    response = env.attendee.post(f"/invitations/{invitation.token}/", {"answer": "decline"})
    assert response.status_code == 302
    return invitation


def guest_erases(env):
    invitation = invitation_of(env)
    response = env.attendee.post(
        reverse("registrations:invitation-privacy", args=[invitation.token]),
        {"action": "erase", "confirm": "yes"},
    )
    assert response.status_code == 302
    return invitation


# --- Stripe, through its signed webhook -------------------------------------------------------


def stripe_confirms_a_payment(env):
    registration = registered(env, ticket=paid_ticket(env))
    payment = payments.start_checkout(registration=registration)
    response = deliver(
        env.attendee, "checkout.session.completed", env.stripe.pay(payment.stripe_session_id)
    )
    assert response.status_code == 200, response.content
    return payment


def stripe_reports_a_refund(env):
    payment = paid_by_card(env)
    charge = {
        "id": "ch_test_1",
        "object": "charge",
        "payment_intent": payment.stripe_payment_intent,
        "amount": 8000,
        "amount_refunded": 3000,
        "currency": "eur",
        "refunded": False,
    }
    response = deliver(env.attendee, "charge.refunded", charge)
    assert response.json()["outcome"] == "refund recorded"
    return payment


# --- An organiser, through the API (token) ----------------------------------------------------


def api_registers(env):
    response = env.api.post(
        "/api/v1/registrations/",
        {
            "event": env.event.slug,
            "ticket_type": env.ticket.pk,
            "first_name": "Camille",
            "last_name": "Durand",
            "email": "camille.durand@example.org",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return Registration.objects.get(pk=response.json()["id"])


def api_cancels(env):
    registration = registered(env)
    assert env.api.post(f"/api/v1/registrations/{registration.pk}/cancel/").status_code == 200
    return registration


def api_cancels_a_card_payment(env):
    payment = paid_by_card(env)
    response = env.api.post(f"/api/v1/registrations/{payment.registration_id}/cancel/")
    assert response.status_code == 200, response.content
    return payment


def api_cancels_an_invoiced_seat(env):
    payment = invoiced(env)
    response = env.api.post(f"/api/v1/registrations/{payment.registration_id}/cancel/")
    assert response.status_code == 200, response.content
    return payment.invoice


def api_marks_paid(env):
    payment = invoiced(env)
    response = env.api.post(f"/api/v1/registrations/{payment.registration_id}/mark-paid/")
    assert response.status_code == 200, response.content
    return payment.invoice


def api_cancels_an_invoice(env):
    payment = invoiced(env)
    response = env.api.post(f"/api/v1/invoices/{payment.invoice_id}/cancel/")
    assert response.status_code == 200, response.content
    return payment.invoice


def api_invites(env):
    deadline = (env.event.start - timedelta(days=3)).astimezone(env.event.zone)
    response = env.api.post(
        "/api/v1/invitations/",
        {
            "event": env.event.slug,
            "ticket_type": env.ticket.pk,
            "first_name": "Hélène",
            "last_name": "Martin",
            "email": "helene.martin@example.org",
            "deadline": deadline.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return Invitation.objects.get(pk=response.json()["id"])


def api_withdraws(env):
    invitation = invitation_of(env)
    response = env.api.post(f"/api/v1/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 200, response.content
    return invitation


def api_revokes_feed(env):
    with acting(channel=Channel.SYSTEM):
        feed = PartnerFeed.objects.create(organisation=env.organisation, name="Partenaire")
    response = env.api.post(f"/api/v1/partner-feeds/{feed.pk}/revoke/")
    assert response.status_code == 200, response.content
    return feed


def api_deletes_speaker(env):
    speaker = SpeakerFactory(organisation=env.organisation)
    assert env.api.delete(f"/api/v1/speakers/{speaker.pk}/").status_code == 204
    assert not Speaker.objects.filter(pk=speaker.pk).exists()
    return speaker


def api_creates_session(env):
    response = env.api.post(
        "/api/v1/sessions/",
        {
            "event": env.event.slug,
            "type": "keynote",
            "title": {"fr": "Conférence inaugurale", "en": "Opening lecture"},
            "start": "2027-05-20T09:00:00+02:00",
            "end": "2027-05-20T10:00:00+02:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return Session.objects.get(pk=response.json()["id"])


def api_changes_session(env):
    session = SessionFactory(event=env.event)
    response = env.api.patch(
        f"/api/v1/sessions/{session.pk}/", {"title": {"fr": "Table ronde"}}, format="json"
    )
    assert response.status_code == 200, response.content
    return session


def api_deletes_session(env):
    session = SessionFactory(event=env.event)
    assert env.api.delete(f"/api/v1/sessions/{session.pk}/").status_code == 204
    assert not Session.objects.filter(pk=session.pk).exists()
    return session


def api_creates_feed(env):
    response = env.api.post(
        "/api/v1/partner-feeds/",
        {"name": "Caisse des dépôts", "events": [env.event.slug]},
        format="json",
    )
    assert response.status_code == 201, response.content
    return PartnerFeed.objects.get(name="Caisse des dépôts")


def api_changes_feed(env):
    feed = api_creates_feed(env)
    response = env.api.patch(f"/api/v1/partner-feeds/{feed.pk}/", {"name": "CDC"}, format="json")
    assert response.status_code == 200, response.content
    return feed


def api_creates_speaker(env):
    response = env.api.post("/api/v1/speakers/", {"name": "Anne Roux"}, format="json")
    assert response.status_code == 201, response.content
    return Speaker.objects.get(name="Anne Roux")


def api_changes_speaker(env):
    speaker = SpeakerFactory(organisation=env.organisation)
    response = env.api.patch(
        f"/api/v1/speakers/{speaker.pk}/", {"affiliation": "Université Lyon 2"}, format="json"
    )
    assert response.status_code == 200, response.content
    return speaker


# --- An owner (or a superuser), through the back office ---------------------------------------


def admin_registers(env):
    admin_add(
        env,
        "admin:registrations_registration_add",
        event=str(env.event.pk),
        ticket_type=str(env.ticket.pk),
        first_name="Camille",
        last_name="Durand",
        email="camille.durand@example.org",
        language="fr",
        consent_processing="on",
    )
    return Registration.objects.get(email="camille.durand@example.org")


def admin_cancels(env):
    registration = registered(env)
    return admin_action(
        env, "admin:registrations_registration_changelist", "cancel_registrations", registration
    )


def admin_cancels_a_card_payment(env):
    payment = paid_by_card(env)
    admin_action(
        env,
        "admin:registrations_registration_changelist",
        "cancel_registrations",
        payment.registration,
    )
    return payment


def admin_cancels_an_invoiced_seat(env):
    payment = invoiced(env)
    admin_action(
        env,
        "admin:registrations_registration_changelist",
        "cancel_registrations",
        payment.registration,
    )
    return payment.invoice


def admin_reissues_badge(env):
    registration = registered(env)
    return admin_action(
        env, "admin:registrations_registration_changelist", "reissue_badges", registration
    )


def admin_erases_a_person(env):
    registration = registered(env)
    response = env.back_office.post(
        PERSONAL_DATA,
        {"email": registration.email, "reason": "Demande reçue le 3 mars", "confirm": "on"},
    )
    assert response.status_code == 302
    return registration


def admin_erases_a_guest(env):
    invitation = invitation_of(env)
    response = env.back_office.post(
        PERSONAL_DATA,
        {"email": invitation.email, "reason": "Demande reçue le 3 mars", "confirm": "on"},
    )
    assert response.status_code == 302
    return invitation


def admin_invites(env):
    deadline = (env.event.start - timedelta(days=3)).astimezone(env.event.zone)
    admin_add(
        env,
        "admin:registrations_invitation_add",
        event=str(env.event.pk),
        ticket_type=str(env.ticket.pk),
        first_name="Hélène",
        last_name="Martin",
        email="helene.martin@example.org",
        plus_ones_allowed="0",
        language="fr",
        deadline_0=deadline.strftime("%d/%m/%Y"),
        deadline_1=deadline.strftime("%H:%M"),
    )
    return Invitation.objects.get(email="helene.martin@example.org")


GUEST_LIST = "prénom;nom;email\r\nRenaud;Muselier;r.muselier@example.org\r\n".encode()


def uploaded_guest_list(env) -> GuestListImport:
    """The owner uploads a guest list; the back office shows its preview (nothing sent)."""
    deadline = (env.event.start - timedelta(days=3)).astimezone(env.event.zone)
    response = env.back_office.post(
        reverse("admin:registrations_guestlistimport_add"),
        {
            "event": str(env.event.pk),
            "ticket_type": str(env.ticket.pk),
            "deadline_0": deadline.strftime("%d/%m/%Y"),
            "deadline_1": deadline.strftime("%H:%M"),
            "file": SimpleUploadedFile("invites.csv", GUEST_LIST, content_type="text/csv"),
        },
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    return GuestListImport.objects.get()


def admin_imports_a_guest_list(env):
    job = uploaded_guest_list(env)
    confirmed = env.back_office.post(
        reverse("admin:registrations_guestlistimport_change", args=[job.pk]),
        {"send_at_0": "", "send_at_1": ""},
    )
    assert confirmed.status_code == 302
    return Invitation.objects.get(email="r.muselier@example.org")


def a_worker_imports_a_guest_list_later(env):
    """The import's task, run by a worker outside any request: its invitations are still the
    organiser's, through the back office."""
    job = uploaded_guest_list(env)
    GuestListImport.objects.filter(pk=job.pk).update(status=GuestListImport.Status.SCHEDULED)
    guest_list_imports.run_guest_list_import(import_id=job.pk)
    return Invitation.objects.get(email="r.muselier@example.org")


def command_imports_invitations(env):
    guest_list = env.files / "invites.csv"
    guest_list.write_bytes(GUEST_LIST)
    deadline = (env.event.start - timedelta(days=3)).astimezone(env.event.zone)
    call_command(
        "import_invitations",
        str(guest_list),
        event=env.event.slug,
        ticket_type=str(env.ticket.pk),
        deadline=deadline.strftime("%Y-%m-%d"),
        stdout=io.StringIO(),
    )
    return Invitation.objects.get(email="r.muselier@example.org")


def admin_withdraws(env):
    invitation = invitation_of(env)
    return admin_action(
        env, "admin:registrations_invitation_changelist", "withdraw_invitations", invitation
    )


def admin_marks_paid(env):
    payment = invoiced(env)
    admin_action(env, "admin:payments_payment_changelist", "mark_paid", payment)
    return payment.invoice


def admin_cancels_an_invoice(env):
    payment = invoiced(env)
    return admin_action(
        env, "admin:payments_invoice_changelist", "cancel_invoices", payment.invoice
    )


def admin_credits_part_of_an_invoice(env):
    invoice = invoiced(env).invoice
    response = env.back_office.post(
        reverse("admin:payments_invoice_credit", args=[invoice.pk]), {"amount": "20.00"}
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    return invoice


def admin_adds_device(env):
    admin_add(env, "admin:checkin_scannerdevice_add", event=str(env.event.pk), name="Entrée sud")
    return ScannerDevice.objects.get(name="Entrée sud")


def admin_revokes_device(env):
    device, _token = checkin.create_scanner_device(event=env.event, name="Entrée nord")
    return admin_action(env, "admin:checkin_scannerdevice_changelist", "revoke_devices", device)


def membership_rows(data: dict) -> str:
    [total] = [name for name in data if name.endswith("-TOTAL_FORMS")]
    return total.removesuffix("-TOTAL_FORMS")


def superuser_adds_a_member(env):
    newcomer = UserFactory(is_staff=True, email="nouvelle@example.org")
    url = reverse("admin:organisations_organisation_change", args=[env.organisation.pk])
    data = admin_form_data(env.site_admin.get(url))
    prefix = membership_rows(data)
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(row + 1),
            f"{prefix}-{row}-user": str(newcomer.pk),
            f"{prefix}-{row}-role": Membership.Role.ORGANISER,
        }
    )
    response = env.site_admin.post(url, data)
    assert response.status_code == 302
    return Membership.objects.get(user=newcomer)


def superuser_removes_a_member(env):
    membership = Membership.objects.get(user=env.organiser)
    url = reverse("admin:organisations_organisation_change", args=[env.organisation.pk])
    data = admin_form_data(env.site_admin.get(url))
    prefix = membership_rows(data)
    [row] = [
        name.removesuffix("-id")
        for name, value in data.items()
        if name.startswith(f"{prefix}-") and name.endswith("-id") and value == str(membership.pk)
    ]
    response = env.site_admin.post(url, {**data, f"{row}-DELETE": "on"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    return membership


def superuser_changes_a_role(env):
    membership = Membership.objects.get(user=env.organiser)
    url = reverse("admin:organisations_organisation_change", args=[env.organisation.pk])
    data = admin_form_data(env.site_admin.get(url))
    [role_field] = [
        name for name, value in data.items() if name.endswith("-role") and value == "organiser"
    ]
    response = env.site_admin.post(url, {**data, role_field: "owner"})
    assert response.status_code == 302
    return membership


def superuser_adds_an_organisation(env):
    admin_add(
        env,
        "admin:organisations_organisation_add",
        client=env.site_admin,
        name="Sciences Po Aix",
        slug="sciences-po-aix",
    )
    return Organisation.objects.get(slug="sciences-po-aix")


def admin_changes_legal_details(env):
    return admin_change(
        env,
        "admin:organisations_organisation_change",
        env.organisation,
        legal_name="Université Lumière Lyon 2",
    )


def admin_renames(env):
    registration = registered(env)
    return admin_change(
        env,
        "admin:registrations_registration_change",
        registration,
        last_name="Durand-Lefèvre",
    )


def admin_changes_event(env):
    return admin_change(
        env, "admin:events_event_change", env.event, title_fr="Protection sociale et santé"
    )


def admin_adds_session(env):
    admin_add(
        env,
        "admin:events_session_add",
        event=str(env.event.pk),
        type="plenary",
        title_fr="Ouverture",
        start_0="20/05/2027",
        start_1="09:00",
        end_0="20/05/2027",
        end_1="10:00",
    )
    return Session.objects.get(title_fr="Ouverture")


def admin_changes_session(env):
    session = SessionFactory(event=env.event)
    return admin_change(env, "admin:events_session_change", session, title_fr="Table ronde")


def admin_deletes_session(env):
    session = SessionFactory(event=env.event)
    response = env.back_office.post(
        reverse("admin:events_session_delete", args=[session.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()
    return session


def admin_adds_speaker(env):
    admin_add(env, "admin:speakers_speaker_add", name="Anne Roux", slug="anne-roux")
    return Speaker.objects.get(slug="anne-roux")


def admin_changes_speaker(env):
    speaker = SpeakerFactory(organisation=env.organisation)
    return admin_change(
        env, "admin:speakers_speaker_change", speaker, affiliation="Université Lyon 2"
    )


def admin_deletes_speaker(env):
    speaker = SpeakerFactory(organisation=env.organisation)
    response = env.back_office.post(
        reverse("admin:speakers_speaker_delete", args=[speaker.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Speaker.objects.filter(pk=speaker.pk).exists()
    return speaker


def admin_uploads_a_photo(env):
    speaker = SpeakerFactory(organisation=env.organisation)
    return admin_change(
        env,
        "admin:speakers_speaker_change",
        speaker,
        photo_consent="on",
        upload=SimpleUploadedFile("photo.jpg", phone_photo(), content_type="image/jpeg"),
    )


def admin_erases_a_speaker(env):
    speaker = SpeakerFactory(organisation=env.organisation)
    return admin_action(
        env,
        "admin:speakers_speaker_changelist",
        "erase_personal_data",
        speaker,
        confirmed="1",
        reason="Demande reçue le 3 mars",
        confirm="on",
    )


def admin_adds_feed(env):
    admin_add(
        env,
        "admin:events_partnerfeed_add",
        organisation=str(env.organisation.pk),
        name="Caisse des dépôts",
        events=str(env.event.pk),
    )
    return PartnerFeed.objects.get(name="Caisse des dépôts")


def admin_changes_feed(env):
    feed = admin_adds_feed(env)
    return admin_change(env, "admin:events_partnerfeed_change", feed, name="CDC")


def admin_revokes_feed(env):
    feed = api_creates_feed(env)
    return admin_action(env, "admin:events_partnerfeed_changelist", "revoke_feeds", feed)


def admin_publishes_a_privacy_notice(env):
    admin_add(
        env,
        "admin:notices_privacynotice_add",
        organisation=str(env.organisation.pk),
        text_fr="## Vos données\n\nNous gardons peu de choses.",
        text_en="## Your data\n\nWe keep little.",
    )
    return PrivacyNotice.objects.filter(organisation=env.organisation).latest("version")


def superuser_changes_the_accessibility_statement(env):
    return admin_change(
        env,
        "admin:notices_accessibilitystatement_change",
        accessibility_statement(),
        client=env.site_admin,
        contact="accessibilite@example.org",
    )


# --- The system, through a management command -------------------------------------------------


def command_creates_device(env):
    call_command("create_scanner_device", event=env.event.slug, name="Accueil")
    return ScannerDevice.objects.get(name="Accueil")


def past_its_retention_period(env) -> None:
    """The event ended two years ago; its registrations' period (12 months) is over, its
    emails' (set to 10 years here) is not: one category is due."""
    end = timezone.now() - timedelta(days=730)
    Event.objects.filter(pk=env.event.pk).update(
        start=end - timedelta(days=1),
        end=end,
        retention_registrations_months=12,
        retention_emails_months=120,
    )


def command_reconciles_a_payment_stripe_took(env):
    """The webhook was lost: the command asks Stripe about a checkout past its expiry."""
    registration = registered(env, ticket=paid_ticket(env))
    payment = payments.start_checkout(registration=registration)
    env.stripe.pay(payment.stripe_session_id)
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    call_command("reconcile_stripe_checkouts", stdout=io.StringIO())
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    return payment


def retention_erases_a_registration(env):
    registration = registered(env)
    past_its_retention_period(env)
    call_command("apply_retention", stdout=io.StringIO())
    return registration


def retention_erases_an_invitation(env):
    invitation = InvitationFactory(event=env.event, ticket_type=env.ticket)
    past_its_retention_period(env)
    call_command("apply_retention", stdout=io.StringIO())
    return invitation


def retention_runs(env):
    retention_erases_a_registration(env)
    return env.event


RETENTION = command("apply_retention")

# --- The door: corrections to scans (the scans themselves are not recorded) --------------------


def door_device(env) -> APIClient:
    """A scanner device at the event's gate, the event under way (its checkpoint open)."""
    now = timezone.now()
    Event.objects.filter(pk=env.event.pk).update(
        start=now - timedelta(hours=1), end=now + timedelta(hours=8)
    )
    _device, token = checkin.create_scanner_device(event=env.event, name="Entrée nord")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    return client


def scanned(client, registration) -> dict:
    response = client.post(
        "/api/v1/checkin/",
        {"token": registration.badge_token, "nonce": uuid.uuid4().hex},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def admitted_at_the_door(env, gate) -> CheckIn:
    answer = scanned(gate, registered(env))
    assert answer["result"] == "ok", answer
    return CheckIn.objects.get(pk=answer["checkin"])


def refused_at_the_door(env, gate) -> CheckIn:
    """A badge scanned twice at an entrance without re-entry: the second scan is refused."""
    registration = registered(env)
    scanned(gate, registration)
    answer = scanned(gate, registration)
    assert answer["result"] == "already_checked_in", answer
    return CheckIn.objects.get(pk=answer["checkin"])


def device_annuls(env):
    gate = door_device(env)
    admission = admitted_at_the_door(env, gate)
    response = gate.post(f"/api/v1/checkin/{admission.pk}/annul/", {}, format="json")
    assert response.status_code == 200, response.content
    return admission


def api_annuls(env):
    admission = admitted_at_the_door(env, door_device(env))
    response = env.api.post(
        f"/api/v1/checkin/{admission.pk}/annul/", {"reason": "Mauvais badge"}, format="json"
    )
    assert response.status_code == 200, response.content
    return admission


def admin_annuls(env):
    admission = admitted_at_the_door(env, door_device(env))
    return admin_action(
        env,
        "admin:checkin_checkin_changelist",
        "annul_admissions",
        admission,
        apply_annul="1",
        reason="Badge d’un collègue",
    )


def device_overrides(env):
    gate = door_device(env)
    refusal = refused_at_the_door(env, gate)
    response = gate.post(
        f"/api/v1/checkin/{refusal.pk}/override/", {"reason": "Sortie autorisée"}, format="json"
    )
    assert response.status_code == 200, response.content
    return CheckIn.objects.get(overrides=refusal)


def api_overrides(env):
    refusal = refused_at_the_door(env, door_device(env))
    response = env.api.post(
        f"/api/v1/checkin/{refusal.pk}/override/", {"reason": "Sortie autorisée"}, format="json"
    )
    assert response.status_code == 200, response.content
    return CheckIn.objects.get(overrides=refusal)


# --- API tokens: a person's, not an organisation's --------------------------------------------


def owner_makes_a_token(env):
    url = reverse("admin:accounts_apitoken_add")
    data = admin_form_data(env.back_office.get(url))
    response = env.back_office.post(url, {**data, "name": "Site du laboratoire"})
    assert response.status_code == 200, response.content  # the page showing the key once
    return ApiToken.objects.get(user=env.owner, name="Site du laboratoire")


def command_makes_a_token(env):
    call_command("create_api_token", env.owner.username, name="Script", stdout=io.StringIO())
    return ApiToken.objects.get(user=env.owner, name="Script")


def owner_revokes_a_token(env):
    token, _key = tokens.create_token(user=env.owner, name="Ancien site")
    return admin_action(env, "admin:accounts_apitoken_changelist", "revoke_tokens", token)


def organiser_revokes_by_the_button(env):
    token, _key = tokens.create_token(user=env.owner, name="Ancien site")
    url = reverse("admin:accounts_apitoken_revoke", args=[token.pk])
    assert env.back_office.post(url).status_code == 302
    return token


# --- Seats released: the system, through the webhook or a scheduled command -------------------


def stripe_expires_a_checkout(env):
    registration = registered(env, ticket=paid_ticket(env))
    payment = payments.start_checkout(registration=registration)
    response = deliver(
        env.attendee, "checkout.session.expired", env.stripe.expire(payment.stripe_session_id)
    )
    assert response.status_code == 200, response.content
    registration.refresh_from_db()
    assert registration.status == Registration.Status.EXPIRED
    return registration


def command_releases_an_unpaid_invoices_seat(env):
    Organisation.objects.filter(pk=env.organisation.pk).update(unpaid_seat_release_days=0)
    payment = invoiced(env)
    Invoice.objects.filter(pk=payment.invoice.pk).update(
        due_on=timezone.now().date() - timedelta(days=2)
    )
    call_command("process_unpaid_invoices", stdout=io.StringIO())
    registration = payment.registration
    registration.refresh_from_db()
    assert registration.status == Registration.Status.EXPIRED
    return registration


def command_passes_an_unclaimed_offer_on(env):
    env.event.has_waiting_list = True
    env.event.save()
    holder = registered(env)
    waiting = registered(env, email="ines.benali@example.org")
    services.cancel_registration(registration=holder)
    Registration.objects.filter(pk=waiting.pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    call_command("expire_seat_offers", stdout=io.StringIO())
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.EXPIRED
    return waiting


def admin_renames_a_device(env):
    device, _token = checkin.create_scanner_device(event=env.event, name="Entrée nord")
    return admin_change(env, "admin:checkin_scannerdevice_change", device, name="Entrée sud")


CASES = {
    "registration.create": [
        (attendee_registers, ATTENDEE),
        (api_registers, API),
        (admin_registers, BACK_OFFICE),
    ],
    "registration.edit": [
        (attendee_renames, ATTENDEE),
        (attendee_changes_their_email, ATTENDEE),
        (attendee_withdraws_a_consent, ATTENDEE),
        (admin_renames, BACK_OFFICE),
    ],
    "registration.cancel": [
        (attendee_cancels, ATTENDEE),
        (api_cancels, API),
        (admin_cancels, BACK_OFFICE),
    ],
    "registration.claim": [(attendee_claims, ATTENDEE)],
    "registration.expire": [
        (stripe_expires_a_checkout, WEBHOOK),
        (command_releases_an_unpaid_invoices_seat, command("process_unpaid_invoices")),
        (command_passes_an_unclaimed_offer_on, command("expire_seat_offers")),
    ],
    "registration.erase": [
        (attendee_erases, ATTENDEE),
        (admin_erases_a_person, BACK_OFFICE),
        (retention_erases_a_registration, RETENTION),
    ],
    "registration.badge_reissue": [(admin_reissues_badge, BACK_OFFICE)],
    "invitation.create": [
        (api_invites, API),
        (admin_invites, BACK_OFFICE),
        (admin_imports_a_guest_list, BACK_OFFICE),
        (a_worker_imports_a_guest_list_later, BACK_OFFICE),
        (command_imports_invitations, command("import_invitations")),
    ],
    "invitation.accept": [(guest_accepts, ATTENDEE)],
    "invitation.decline": [(guest_declines, ATTENDEE)],
    "invitation.withdraw": [(api_withdraws, API), (admin_withdraws, BACK_OFFICE)],
    "invitation.erase": [
        (guest_erases, ATTENDEE),
        (admin_erases_a_guest, BACK_OFFICE),
        (retention_erases_an_invitation, RETENTION),
    ],
    "payment.mark_paid": [(api_marks_paid, API), (admin_marks_paid, BACK_OFFICE)],
    "payment.paid": [
        (stripe_confirms_a_payment, WEBHOOK),
        (command_reconciles_a_payment_stripe_took, command("reconcile_stripe_checkouts")),
    ],
    "payment.refund": [
        (attendee_cancels_a_card_payment, ATTENDEE),
        (api_cancels_a_card_payment, API),
        (admin_cancels_a_card_payment, BACK_OFFICE),
        (stripe_reports_a_refund, WEBHOOK),
    ],
    "invoice.credit_note": [
        (attendee_cancels_an_invoiced_seat, ATTENDEE),
        (api_cancels_an_invoiced_seat, API),
        (admin_cancels_an_invoiced_seat, BACK_OFFICE),
        (admin_credits_part_of_an_invoice, BACK_OFFICE),
    ],
    "invoice.cancel": [(api_cancels_an_invoice, API), (admin_cancels_an_invoice, BACK_OFFICE)],
    "device.create": [
        (admin_adds_device, BACK_OFFICE),
        (command_creates_device, command("create_scanner_device")),
    ],
    "device.change": [(admin_renames_a_device, BACK_OFFICE)],
    "device.revoke": [(admin_revokes_device, BACK_OFFICE)],
    "partner_feed.create": [(api_creates_feed, API), (admin_adds_feed, BACK_OFFICE)],
    "partner_feed.change": [(api_changes_feed, API), (admin_changes_feed, BACK_OFFICE)],
    "partner_feed.revoke": [(api_revokes_feed, API), (admin_revokes_feed, BACK_OFFICE)],
    "membership.create": [(superuser_adds_a_member, SUPERUSER)],
    "membership.change": [(superuser_changes_a_role, SUPERUSER)],
    "membership.delete": [(superuser_removes_a_member, SUPERUSER)],
    "organisation.create": [(superuser_adds_an_organisation, SUPERUSER)],
    "organisation.change": [(admin_changes_legal_details, BACK_OFFICE)],
    "event.change": [(admin_changes_event, BACK_OFFICE)],
    "session.create": [(api_creates_session, API), (admin_adds_session, BACK_OFFICE)],
    "session.change": [(api_changes_session, API), (admin_changes_session, BACK_OFFICE)],
    "session.delete": [(api_deletes_session, API), (admin_deletes_session, BACK_OFFICE)],
    "speaker.create": [(api_creates_speaker, API), (admin_adds_speaker, BACK_OFFICE)],
    "speaker.change": [(api_changes_speaker, API), (admin_changes_speaker, BACK_OFFICE)],
    "speaker.delete": [(api_deletes_speaker, API), (admin_deletes_speaker, BACK_OFFICE)],
    "speaker.photo": [(admin_uploads_a_photo, BACK_OFFICE)],
    "speaker.erase": [(admin_erases_a_speaker, BACK_OFFICE)],
    "privacy_notice.publish": [(admin_publishes_a_privacy_notice, BACK_OFFICE)],
    "site_text.change": [(superuser_changes_the_accessibility_statement, SUPERUSER)],
    "retention.apply": [(retention_runs, RETENTION)],
    "checkin.annul": [
        (device_annuls, DEVICE),
        (api_annuls, API),
        (admin_annuls, BACK_OFFICE),
    ],
    "checkin.override": [(device_overrides, DEVICE), (api_overrides, API)],
    "token.create": [
        (owner_makes_a_token, BACK_OFFICE),
        (command_makes_a_token, command("create_api_token")),
    ],
    "token.revoke": [
        (owner_revokes_a_token, BACK_OFFICE),
        (organiser_revokes_by_the_button, BACK_OFFICE),
    ],
}


def organisation_of(env, action, obj):
    """The organisation an entry belongs to (whose owners read it)."""
    if action in SITE_WIDE:
        return None
    if action == "organisation.create":
        return obj
    return env.organisation


@pytest.mark.parametrize(
    ("action", "do", "expected"),
    [
        pytest.param(action, do, expected, id=f"{action}-{do.__name__}")
        for action, ways in CASES.items()
        for do, expected in ways
    ],
)
def test_each_action_leaves_one_entry_with_its_actor_and_channel(env, action, do, expected):
    obj = do(env)

    entries = AuditEntry.objects.filter(action=action, object_id=str(obj.pk))
    assert entries.count() == 1, list(entries.values("actor_kind", "channel", "changes"))
    entry = entries.get()
    assert (entry.actor_kind, entry.channel) == (expected.kind, expected.channel)
    assert entry.organisation == organisation_of(env, action, obj)
    if expected.user:
        user = getattr(env, expected.user)
        assert (entry.actor_user, entry.actor_label) == (user, str(user))
    else:
        assert (entry.actor_user, entry.actor_label) == (None, expected.label)


def test_cancelling_an_invoice_is_one_entry_that_names_its_credit_note(env):
    invoice = api_cancels_an_invoice(env)

    [entry] = audit.entries_for(invoice)
    credit_note = Invoice.objects.get(credited_invoice=invoice)
    assert entry.action == "invoice.cancel"
    assert entry.changes == {
        "status": ["issued", "credited"],
        "credit_note": [None, credit_note.number],
        "amount": [None, str(credit_note.total_gross)],
    }


def test_a_superuser_changes_a_role_and_the_trail_says_from_what_to_what(env):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:organisations_organisation_change", args=[env.organisation.pk])
    data = admin_form_data(client.get(url))
    [role_field] = [
        name for name, value in data.items() if name.endswith("-role") and value == "organiser"
    ]

    response = client.post(url, {**data, role_field: "owner"})

    assert response.status_code == 302
    membership = Membership.objects.get(user=env.organiser)
    entry = audit.entries_for(membership).get()
    assert (entry.action, entry.actor_user, entry.channel) == (
        "membership.change",
        superuser,
        Channel.BACK_OFFICE,
    )
    assert entry.changes == {"role": ["organiser", "owner"]}
    assert entry.organisation == env.organisation


def test_the_legal_details_entry_shows_before_and_after_with_the_iban_masked(env):
    env.organisation.iban = "FR7630001007941234567890185"
    env.organisation.save()
    url = reverse("admin:organisations_organisation_change", args=[env.organisation.pk])
    data = admin_form_data(env.back_office.get(url))

    env.back_office.post(url, {**data, "iban": "FR7630006000011234567890189"})

    entry = AuditEntry.objects.get(action="organisation.change")
    assert entry.changes == {"iban": ["•••• 0185", "•••• 0189"]}


def test_the_trail_shows_the_renamed_attendee_before_and_after(env):
    registration = attendee_renames(env)

    entry = audit.entries_for(registration).get(action="registration.edit")
    assert entry.changes == {"last_name": ["Durand", "Lefèvre"]}
    assert entry.event == env.event


def test_a_scanner_device_is_the_actor_of_what_its_api_requests_change(env):
    device, token = checkin.create_scanner_device(event=env.event, name="Entrée nord")
    request = APIRequestFactory().post("/api/v1/checkin/", HTTP_AUTHORIZATION=f"Device {token}")

    with acting(channel=Channel.API, request=request):
        assert DeviceTokenAuthentication().authenticate(request) is not None
        entry = audit.record("device.revoke", device)

    assert (entry.actor_kind, entry.actor_label, entry.channel) == (
        ActorKind.DEVICE,
        "Entrée nord",
        Channel.API,
    )
    assert entry.actor_user is None


def test_a_command_writes_as_the_system_through_the_command_channel(env):
    call_command("create_scanner_device", event=env.event.slug, name="Accueil")

    device = ScannerDevice.objects.get(name="Accueil")
    entry = audit.entries_for(device).get()
    assert (entry.action, entry.actor_kind, entry.channel, entry.actor_label) == (
        "device.create",
        ActorKind.SYSTEM,
        Channel.COMMAND,
        "create_scanner_device",
    )


def test_outside_any_context_the_system_acts(env):
    registration = registered(env)

    entry = audit.entries_for(registration).get()
    assert (entry.action, entry.actor_kind, entry.channel) == (
        "registration.create",
        ActorKind.SYSTEM,
        Channel.SYSTEM,
    )


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("/admin/registrations/registration/", Channel.BACK_OFFICE),
        ("/api/v1/registrations/", Channel.API),
        ("/r/abc/", Channel.ATTENDEE_PAGE),
        ("/en/r/abc/payment/", Channel.ATTENDEE_PAGE),
        ("/invitations/abc/", Channel.ATTENDEE_PAGE),
        ("/en/events/colloque/register/", Channel.ATTENDEE_PAGE),
        ("/payments/stripe/webhook/", Channel.WEBHOOK),
        ("/events/colloque/", Channel.PUBLIC_SITE),
    ],
)
def test_the_channel_follows_the_address(path, channel):
    assert channel_for(path) == channel


def test_the_stripe_webhook_acts_as_stripe(env):
    """What the webhook's services write is by Stripe, through the webhook (payments' own
    tests send signed events; here the context its view opens)."""
    with acting(channel=Channel.WEBHOOK, kind=ActorKind.WEBHOOK, label="Stripe"):
        entry = audit.record("payment.paid", env.event)
    assert (entry.actor_kind, entry.actor_label, entry.channel) == (
        ActorKind.WEBHOOK,
        "Stripe",
        Channel.WEBHOOK,
    )


def test_an_entry_written_in_a_rolled_back_transaction_leaves_nothing(env):
    class Refused(Exception):
        pass

    def change_then_fail():
        with transaction.atomic():
            audit.record("event.change", env.event, changes={"title": ["Avant", "Après"]})
            raise Refused

    with pytest.raises(Refused):
        change_then_fail()

    assert not AuditEntry.objects.filter(action="event.change").exists()


def test_an_unknown_action_is_refused(env):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit.record("registration.teleport", env.event)


# --- Who reads the trail ----------------------------------------------------------------------


def test_owners_read_their_organisations_trail_and_no_one_elses(env):
    mine = attendee_cancels(env)
    other_ticket = colloquium_ticket(
        event__organisation=OrganisationFactory(name="Autre"), event__slug="autre-colloque"
    )
    with acting(channel=Channel.SYSTEM):
        theirs = services.register_attendee(
            event=other_ticket.event,
            ticket_type=other_ticket,
            attendee=services.clean_attendee(
                {
                    "first_name": "Secret",
                    "last_name": "Ailleurs",
                    "email": "secret@example.org",
                    "consent_processing": True,
                }
            ),
        )

    page = env.back_office.get(TRAIL).content.decode()
    assert "Registration cancelled" in page or "Inscription annulée" in page
    assert str(mine) in page
    assert str(theirs) not in page
    theirs_entry = audit.entries_for(theirs).get()
    assert env.back_office.get(
        reverse("admin:audit_auditentry_change", args=[theirs_entry.pk])
    ).status_code in (302, 403)

    other_owner = MembershipFactory(
        organisation=other_ticket.event.organisation,
        role=Membership.Role.OWNER,
        user__is_staff=True,
    ).user
    elsewhere = Client()
    elsewhere.force_login(other_owner)
    assert str(mine) not in elsewhere.get(TRAIL).content.decode()

    # An organiser (not an owner) of the same organisation has no trail to read.
    organiser = Client()
    organiser.force_login(env.organiser)
    assert organiser.get(TRAIL).status_code == 403


# One way per channel and kind of actor, and the erasures and payments whose entries name people.
SEEN_BY_THEIR_OWNERS_ONLY = [
    ("registration.cancel", attendee_cancels),
    ("registration.erase", admin_erases_a_person),
    ("invitation.create", api_invites),
    ("payment.paid", stripe_confirms_a_payment),
    ("invoice.credit_note", admin_credits_part_of_an_invoice),
    ("session.create", admin_adds_session),
    ("speaker.photo", admin_uploads_a_photo),
    ("membership.create", superuser_adds_a_member),
    ("retention.apply", retention_runs),
    ("checkin.annul", device_annuls),
    ("checkin.override", api_overrides),
]


@pytest.mark.parametrize(
    ("action", "do"),
    [
        pytest.param(action, do, id=f"{action}-{do.__name__}")
        for action, do in SEEN_BY_THEIR_OWNERS_ONLY
    ],
)
def test_an_owner_of_another_organisation_sees_none_of_these_entries(env, action, do):
    do(env)
    mine = list(AuditEntry.objects.filter(organisation=env.organisation))
    assert action in {entry.action for entry in mine}
    other = OrganisationFactory(name="Autre organisation")
    with acting(channel=Channel.SYSTEM):
        theirs = SpeakerFactory(organisation=other, name="Leur intervenante")
        audit.record("speaker.change", theirs, changes={"affiliation": ["", "Aix"]})
    stranger = Client()
    stranger.force_login(
        MembershipFactory(organisation=other, role=Membership.Role.OWNER, user__is_staff=True).user
    )

    listed = stranger.get(TRAIL)
    searched = stranger.get(TRAIL, {"q": mine[0].object_repr[:20]})
    filtered = stranger.get(TRAIL, {"action": action})
    exported = stranger.post(
        TRAIL, {"action": "export_csv", "_selected_action": [entry.pk for entry in mine]}
    )

    assert [entry.action for entry in listed.context["cl"].result_list] == ["speaker.change"]
    assert searched.context["cl"].result_count == 0
    assert filtered.context["cl"].result_count == 0
    choices = {
        str(value)
        for spec in listed.context["cl"].filter_specs
        for value, _label in getattr(spec, "lookup_choices", [])
    }
    assert action not in choices
    assert str(env.event.pk) not in choices
    # The selection is taken from what the stranger may read: nothing but the header.
    assert exported.content.decode("utf-8-sig").strip().count("\n") == 0
    for entry in mine:
        page = stranger.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
        assert page.status_code in (302, 403)
        assert entry.object_repr not in page.content.decode()


def test_an_objects_page_links_to_its_trail_for_owners(env):
    registration = attendee_cancels(env)
    url = reverse("admin:registrations_registration_change", args=[registration.pk])

    page = env.back_office.get(url).content.decode()

    trail = audit.entries_for(registration)
    assert trail.count() == 2  # created (by the system here), then cancelled
    link = f"{TRAIL}?content_type__id__exact={trail[0].content_type_id}&amp;object_id="
    assert link in page
    listed = env.back_office.get(
        TRAIL,
        {"content_type__id__exact": trail[0].content_type_id, "object_id": registration.pk},
    )
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 2


def test_owners_export_the_trail_as_csv(env):
    attendee_cancels(env)
    entries = AuditEntry.objects.filter(organisation=env.organisation)

    response = env.back_office.post(
        TRAIL, {"action": "export_csv", "_selected_action": [e.pk for e in entries]}
    )

    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "attendee" in text
    assert "status: confirmed → cancelled" in text
    assert len(text.strip().splitlines()) == 1 + entries.count()


def test_a_superuser_reads_every_trail(env):
    registered(env)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)

    response = client.get(TRAIL)

    assert response.context["cl"].result_count == AuditEntry.objects.count() > 0


# --- Erasure ----------------------------------------------------------------------------------


def test_anonymising_an_objects_entries_keeps_them_without_personal_data(env):
    registration = attendee_renames(env)
    invitation = invitation_of(env)
    with acting(channel=Channel.SYSTEM):
        audit.record(
            "invitation.withdraw",
            invitation,
            changes={"note": ["", "Camille Lefèvre asked to be removed"]},
        )
    before = audit.entries_for(registration).count()

    rewritten = audit.anonymise_entries(registration, values=["Lefèvre", "Camille"])

    entries = audit.entries_for(registration)
    assert entries.count() == before == 2
    for entry in entries:
        assert entry.object_repr == "anonymised"
        assert all(pair == ["anonymised", "anonymised"] for pair in entry.changes.values())
        assert entry.action in ("registration.create", "registration.edit")
    other = audit.entries_for(invitation).get(action="invitation.withdraw")
    assert other.changes["note"] == ["", "anonymised"]
    assert rewritten == 3
    dump = " ".join(
        f"{entry.object_repr} {entry.changes} {entry.actor_label}"
        for entry in AuditEntry.objects.all()
    )
    assert "Lefèvre" not in dump


def test_anonymising_by_content_type_and_ids(env):
    first = registered(env)
    second = registered(env, email="ines.benali@example.org", first_name="Inès")
    third = registered(env, email="paul.roche@example.org", first_name="Paul")
    content_type = audit.entries_for(first).get().content_type

    audit.anonymise_entries(content_type=content_type, ids=[first.pk, second.pk])

    assert audit.entries_for(first).get().object_repr == "anonymised"
    assert audit.entries_for(second).get().object_repr == "anonymised"
    assert audit.entries_for(third).get().object_repr == str(third)


def test_entries_outlive_their_object(env):
    session = api_deletes_session(env)

    entry = AuditEntry.objects.get(action="session.delete")
    assert entry.object_repr == str(session)
    assert entry.event == env.event
    assert timezone.now() - entry.at < timedelta(minutes=1)
