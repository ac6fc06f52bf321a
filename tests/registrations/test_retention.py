"""Retention (RGPD, issue 13): once an event is past its periods, `apply_retention` anonymises
its attendees and guests, deletes its scans and outbox emails and erases its unpaid-seat
history; the dry run says exactly that beforehand; invoices stay as they were; the owners get
the report. Periods are the organisation's (owners only) unless the event overrides them."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from checkin.models import CheckIn
from events.models import Event
from organisations.models import Membership
from payments import services as payments
from payments.models import Invoice, Payment
from registrations import retention, services
from registrations.models import Invitation, OutgoingEmail, Registration
from tests.checkin.checkin_factories import CheckInFactory
from tests.events.admin_forms import admin_form_data
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    TicketTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MONTH = timedelta(days=31)


def person(number: int, **extra) -> services.AttendeeDetails:
    return services.AttendeeDetails(
        first_name="Séraphine",
        last_name=f"Quillembois{number}",
        email=f"s.quillembois{number}@example.org",
        organisation="Atelier Zéphyrin",
        consent_processing=True,
        **extra,
    )


def register(ticket, number):
    return services.register_attendee(
        event=ticket.event, ticket_type=ticket, attendee=person(number)
    )


def invoiced(ticket, number) -> Payment:
    return payments.start_invoice(
        registration=register(ticket, number),
        billing=payments.clean_billing(
            {
                "billing_name": "Centre hospitalier d'Arles",
                "billing_address": "Quartier Fourchon\n13200 Arles",
                "purchase_order_number": "BC-2027-0042",
                "billing_email": f"s.quillembois{number}@example.org",
            }
        ),
    )


def an_event(organisation=None, **overrides):
    """An event of `organisation` with a free ticket, a paid one (on invoice) and a guest
    ticket."""
    organisation = organisation or OrganisationFactory()
    free = TicketTypeFactory(event__organisation=organisation, capacity=50, **overrides)
    event = free.event
    paid = TicketTypeFactory(
        event=event, price=Decimal("80.00"), allows_invoice=True, capacity=50, name_fr="Payant"
    )
    guest = TicketTypeFactory(event=event, category="guest", is_public=False, name_fr="Invité")
    return event, free, paid, guest


def populate(event, free, paid, guest, *, first=1):
    """Two free registrations (one scanned twice), one paid by invoice, one whose invoice was
    never paid (its seat released), a pending invitation: the emails of all that."""
    scanned = register(free, first)
    register(free, first + 1)
    CheckInFactory(registration=scanned)
    CheckInFactory(registration=scanned, direction=CheckIn.Direction.EXIT)
    paid_payment = invoiced(paid, first + 2)
    payments.mark_invoice_paid(invoice=paid_payment.invoice)
    unpaid_payment = invoiced(paid, first + 3)
    with transaction.atomic():
        services.lock_event(event.pk)
        services.release_unpaid_seat(registration=unpaid_payment.registration)
    InvitationFactory(event=event, ticket_type=guest, email=f"guest{first}@example.org")
    return paid_payment


def ended(event, *, months_ago: int, emails_months_ago: int | None = None):
    """Move the event (and, if told, its emails' writing) into the past."""
    end = timezone.now() - months_ago * MONTH
    Event.objects.filter(pk=event.pk).update(start=end - timedelta(days=1), end=end)
    if emails_months_ago is not None:
        retention.event_emails(event).update(created_at=timezone.now() - emails_months_ago * MONTH)
    event.refresh_from_db()


def run(*args) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def snapshot(event) -> dict:
    """What the command may change, as counts."""
    return {
        "registrations erased": Registration.objects.filter(
            event=event, erased_at__isnull=False
        ).count(),
        "registrations": Registration.objects.filter(event=event).count(),
        "invitations erased": Invitation.objects.filter(
            event=event, erased_at__isnull=False
        ).count(),
        "checkins": CheckIn.objects.filter(event=event).count(),
        "emails": retention.event_emails(event).count(),
        "payments": Payment.objects.filter(registration__event=event).count(),
    }


def test_the_dry_run_says_exactly_what_the_real_run_then_does_and_invoices_stay_intact():
    event, free, paid, guest = an_event()
    owner = MembershipFactory(
        organisation=event.organisation, role=Membership.Role.OWNER, user__email="dpo@example.org"
    ).user
    paid_payment = populate(event, free, paid, guest)
    ended(event, months_ago=13, emails_months_ago=13)
    invoices = {
        invoice.pk: (bytes(invoice.pdf), invoice.data, invoice.buyer_name, invoice.buyer_email)
        for invoice in Invoice.objects.filter(event=event)
    }
    assert len(invoices) == 2
    statuses = dict(Registration.objects.filter(event=event).values_list("pk", "status"))
    before = snapshot(event)
    planned = retention.plan()
    mail.outbox.clear()

    dry = run("--dry-run")

    assert snapshot(event) == before  # the dry run changes nothing
    assert retention.plan().rows() == planned.rows()
    assert "Dry run" in dry or "Simulation" in dry
    assert mail.outbox == []
    counts = {row["category"]: row["counts"] for row in planned.rows()}
    assert counts == {
        # The two free ones and the paid one; the pending invitation.
        "registrations": {"registrations": 3, "invitations": 1},
        "checkins": {"checkins": 2},
        "emails": {"emails": before["emails"]},
        # The registration whose invoice was never paid.
        "unpaid": {"registrations": 1},
    }

    real = run()

    # The same report, then done.
    assert real.splitlines()[:-1] == dry.splitlines()[:-1]
    after = snapshot(event)
    assert after == {
        "registrations erased": 4,
        "registrations": before["registrations"],  # the anonymous counts remain
        "invitations erased": 1,
        "checkins": 0,
        "emails": 0,
        "payments": before["payments"],  # amounts without identity
    }
    # Nothing cancelled: a past event's registrations keep their status, no credit note.
    assert dict(Registration.objects.filter(event=event).values_list("pk", "status")) == statuses
    assert not Registration.objects.filter(event=event, last_name__startswith="Quillembois")
    assert not Invitation.objects.filter(event=event, email="guest1@example.org")
    # The invoices, their PDF and payer details, byte for byte.
    assert {
        invoice.pk: (bytes(invoice.pdf), invoice.data, invoice.buyer_name, invoice.buyer_email)
        for invoice in Invoice.objects.filter(event=event)
    } == invoices
    paid_payment.refresh_from_db()
    assert paid_payment.status == Payment.Status.PAID
    assert paid_payment.amount == Decimal("80.00")
    # One trail entry per event and category, by the command.
    entries = AuditEntry.objects.filter(action="retention.apply", event=event)
    assert sorted(entry.changes["category"][1] for entry in entries) == [
        "checkins",
        "emails",
        "registrations",
        "unpaid",
    ]
    assert {(entry.channel, entry.actor_label) for entry in entries} == {
        ("command", "apply_retention")
    }
    # The owner's report, in French.
    [report] = [message for message in mail.outbox if message.to == [owner.email]]
    assert "conservation" in report.subject
    assert event.title_fr in report.body
    assert "3 inscriptions, 1 invitation" in report.body
    assert "2 passages" in report.body

    # Twice: nothing more.
    mail.outbox.clear()
    again = run()
    assert "Nothing is past" in again or "Aucune donnée" in again
    assert snapshot(event) == after
    assert retention.plan().rows() == []
    assert mail.outbox == []


def test_an_event_within_its_periods_is_untouched():
    organisation = OrganisationFactory()
    running = an_event(organisation)
    populate(*running)
    recent = an_event(organisation)
    populate(*recent, first=10)
    ended(recent[0], months_ago=2)
    before = {event.pk: snapshot(event) for event in (running[0], recent[0])}

    run()

    assert {event.pk: snapshot(event) for event in (running[0], recent[0])} == before
    assert not AuditEntry.objects.filter(action="retention.apply").exists()


def test_a_recent_event_loses_only_its_old_emails():
    event, free, paid, guest = an_event()
    populate(event, free, paid, guest)
    ended(event, months_ago=2, emails_months_ago=4)
    before = snapshot(event)

    run()

    assert snapshot(event) == {**before, "emails": 0}


def test_an_event_override_wins_over_the_organisation_period():
    organisation = OrganisationFactory(retention_registrations_months=12)
    shorter, free, *_ = an_event(organisation, event__retention_registrations_months=1)
    register(free, 1)
    longer, free_too, *_ = an_event(organisation, event__retention_registrations_months=24)
    register(free_too, 2)
    ended(shorter, months_ago=2)
    ended(longer, months_ago=13)

    planned = retention.plan()

    assert [(row["event_id"], row["category"]) for row in planned.rows()] == [
        (shorter.pk, "registrations")
    ]
    assert planned.items[0].period_ended == retention.add_months(shorter.end, 1)
    run()
    assert Registration.objects.get(event=shorter).erased_at is not None
    assert Registration.objects.get(event=longer).erased_at is None


def test_the_organisation_option_limits_the_run_and_an_unknown_one_is_refused():
    first, free, *_ = an_event()
    register(free, 1)
    second, free_too, *_ = an_event()
    register(free_too, 2)
    ended(first, months_ago=13)
    ended(second, months_ago=13)

    output = run("--organisation", first.organisation.slug)

    assert first.organisation.name in output
    assert second.organisation.name not in output
    assert Registration.objects.get(event=first).erased_at is not None
    assert Registration.objects.get(event=second).erased_at is None
    with pytest.raises(CommandError, match="nope"):
        run("--organisation", "nope")


def test_a_non_owner_organiser_cannot_change_the_periods(client):
    organisation = OrganisationFactory()
    event, *_ = an_event(organisation)
    organiser = MembershipFactory(organisation=organisation, role=Membership.Role.ORGANISER).user
    client.force_login(organiser)
    organisation_url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    page = client.get(organisation_url)
    data = admin_form_data(page)
    assert "retention_registrations_months" not in data  # shown, not offered for editing

    client.post(
        organisation_url, {**data, "retention_registrations_months": "120", "name": "Renommée"}
    )

    organisation.refresh_from_db()
    assert organisation.name == "Renommée"
    assert organisation.retention_registrations_months == 12
    event_url = reverse("admin:events_event_change", args=[event.pk])
    assert "retention_checkins_months" not in admin_form_data(client.get(event_url))


def test_an_owner_sets_the_periods_and_bad_values_are_refused_in_french(client):
    organisation = OrganisationFactory()
    owner = MembershipFactory(organisation=organisation, role=Membership.Role.OWNER).user
    client.force_login(owner)
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    data = admin_form_data(client.get(url))

    refused = client.post(url, {**data, "retention_emails_months": "0"})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["retention_emails_months"]
    organisation.refresh_from_db()
    assert organisation.retention_emails_months == 3

    client.post(url, {**data, "retention_emails_months": "6"})

    organisation.refresh_from_db()
    assert organisation.retention_emails_months == 6


def test_emails_tied_to_no_event_go_after_their_days_and_the_dry_run_says_so():
    user = UserFactory(email="agent@example.org")
    now = timezone.now()

    def written(days, status=OutgoingEmail.Status.SENT, **recipient):
        return OutgoingEmail.objects.create(
            kind=OutgoingEmail.Kind.PASSWORD_RESET,
            status=status,
            created_at=now - timedelta(days=days),
            **(recipient or {"user": user}),
        )

    old = {written(91).pk, written(120, OutgoingEmail.Status.FAILED).pk}
    kept = {
        written(89).pk,
        # Still to be sent: never deleted under a worker's feet.
        written(200, OutgoingEmail.Status.QUEUED).pk,
    }
    # An email of an event still running follows the event's period, not this one.
    event, free, *_ = an_event()
    kept.add(written(200, registration=register(free, 1)).pk)
    kept |= set(retention.event_emails(event).values_list("pk", flat=True))  # its confirmation

    dry = run("--dry-run")

    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == old | kept
    assert "2 emails" in dry or "2 courriels" in dry

    real = run()

    assert real.splitlines()[:-1] == dry.splitlines()[:-1]
    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == kept
    [done] = AuditEntry.objects.filter(action="retention.apply", organisation=None)
    assert done.changes["emails"] == [None, 2]
    assert "Nothing is past" in run() or "Aucune donnée" in run()
    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == kept


@override_settings(OUTBOX_RETENTION_DAYS=30)
def test_the_setting_sets_the_days_of_emails_tied_to_no_event():
    user = UserFactory()
    email = OutgoingEmail.objects.create(
        kind=OutgoingEmail.Kind.BANK_DETAILS_CHANGED,
        user=user,
        status=OutgoingEmail.Status.SENT,
        created_at=timezone.now() - timedelta(days=31),
    )

    run()

    assert not OutgoingEmail.objects.filter(pk=email.pk).exists()
