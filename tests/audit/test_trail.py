"""The audit trail (issue 13): each action, done through the back office, the API, the
attendee's page or a command, leaves one entry naming the right actor and channel; owners read
their organisations' entries and nobody else's; an entry shares its caller's transaction."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient, APIRequestFactory

from api.authentication import DeviceTokenAuthentication
from audit import services as audit
from audit.context import ActorKind, Channel, acting
from audit.middleware import channel_for
from audit.models import AuditEntry
from checkin import services as checkin
from checkin.models import ScannerDevice
from events.models import PartnerFeed, Session
from organisations.models import Membership
from registrations import services
from registrations.models import Invitation, Registration
from speakers.models import Speaker
from tests.events.admin_forms import admin_form_data
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    SessionFactory,
    SpeakerFactory,
    UserFactory,
    api_key_for,
)
from tests.registrations.attendee_steps import colloquium_ticket, form_data, register_url

pytestmark = pytest.mark.django_db

TRAIL = reverse("admin:audit_auditentry_changelist")
ATTENDEE = (ActorKind.ATTENDEE, Channel.ATTENDEE_PAGE)
API = (ActorKind.USER, Channel.API)
BACK_OFFICE = (ActorKind.USER, Channel.BACK_OFFICE)


@pytest.fixture
def env():
    ticket = colloquium_ticket(capacity=1)
    organisation = ticket.event.organisation
    owner = MembershipFactory(
        organisation=organisation, role=Membership.Role.OWNER, user__is_staff=True
    ).user
    organiser = MembershipFactory(
        organisation=organisation, role=Membership.Role.ORGANISER, user__is_staff=True
    ).user
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(organiser)}")
    back_office = Client()
    back_office.force_login(owner)
    return SimpleNamespace(
        ticket=ticket,
        event=ticket.event,
        organisation=organisation,
        owner=owner,
        organiser=organiser,
        api=api,
        back_office=back_office,
        attendee=Client(),
    )


def registered(env, email="camille.durand@example.org", **fields) -> Registration:
    """A registration made beforehand (by the system: not the entry under test)."""
    return services.register_attendee(
        event=env.event,
        ticket_type=env.ticket,
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


def admin_action(env, changelist: str, action: str, obj):
    response = env.back_office.post(
        reverse(changelist), {"action": action, "_selected_action": [obj.pk]}
    )
    assert response.status_code == 302
    return obj


# --- The attendee, through their link (or the registration form) ------------------------------


def attendee_registers(env):
    response = env.attendee.post(register_url(env.event), form_data(env.ticket))
    assert response.status_code == 302
    return Registration.objects.get(email=form_data(env.ticket)["email"])


def attendee_renames(env):
    registration = registered(env)
    response = env.attendee.post(
        f"/r/{registration.manage_token}/",
        {"action": "rename", "rename-first_name": "Camille", "rename-last_name": "Lefèvre"},
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


# --- An owner, through the back office --------------------------------------------------------


def admin_cancels(env):
    registration = registered(env)
    return admin_action(
        env, "admin:registrations_registration_changelist", "cancel_registrations", registration
    )


def admin_reissues_badge(env):
    registration = registered(env)
    return admin_action(
        env, "admin:registrations_registration_changelist", "reissue_badges", registration
    )


def admin_withdraws(env):
    invitation = invitation_of(env)
    return admin_action(
        env, "admin:registrations_invitation_changelist", "withdraw_invitations", invitation
    )


def admin_revokes_device(env):
    device, _token = checkin.create_scanner_device(event=env.event, name="Entrée nord")
    return admin_action(env, "admin:checkin_scannerdevice_changelist", "revoke_devices", device)


def admin_changes_legal_details(env):
    url = reverse("admin:organisations_organisation_change", args=[env.organisation.pk])
    data = admin_form_data(env.back_office.get(url))
    response = env.back_office.post(url, {**data, "legal_name": "Université Lumière Lyon 2"})
    assert response.status_code == 302
    return env.organisation


def admin_renames(env):
    registration = registered(env)
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    data = admin_form_data(env.back_office.get(url))
    response = env.back_office.post(url, {**data, "last_name": "Durand-Lefèvre"})
    assert response.status_code == 302
    return registration


CASES = {
    "registration.create": [(attendee_registers, ATTENDEE), (api_registers, API)],
    "registration.edit": [(attendee_renames, ATTENDEE), (admin_renames, BACK_OFFICE)],
    "registration.cancel": [
        (attendee_cancels, ATTENDEE),
        (api_cancels, API),
        (admin_cancels, BACK_OFFICE),
    ],
    "registration.claim": [(attendee_claims, ATTENDEE)],
    "registration.badge_reissue": [(admin_reissues_badge, BACK_OFFICE)],
    "invitation.accept": [(guest_accepts, ATTENDEE)],
    "invitation.decline": [(guest_declines, ATTENDEE)],
    "invitation.withdraw": [(api_withdraws, API), (admin_withdraws, BACK_OFFICE)],
    "partner_feed.create": [(api_creates_feed, API)],
    "partner_feed.change": [(api_changes_feed, API)],
    "partner_feed.revoke": [(api_revokes_feed, API)],
    "speaker.create": [(api_creates_speaker, API)],
    "speaker.change": [(api_changes_speaker, API)],
    "speaker.delete": [(api_deletes_speaker, API)],
    "session.delete": [(api_deletes_session, API)],
    "device.revoke": [(admin_revokes_device, BACK_OFFICE)],
    "organisation.change": [(admin_changes_legal_details, BACK_OFFICE)],
}


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
    assert entries.count() == 1
    entry = entries.get()
    kind, channel = expected
    assert (entry.actor_kind, entry.channel) == (kind, channel)
    assert entry.organisation == env.organisation
    if kind == ActorKind.USER:
        user = env.organiser if channel == Channel.API else env.owner
        assert entry.actor_user == user
        assert entry.actor_label == str(user)
    else:
        assert entry.actor_user is None
        assert entry.actor_label == "attendee"


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
