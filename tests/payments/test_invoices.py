"""Invoice / bank transfer, for the French public bodies that pay against a purchase order:
the invoice PDF (read back with pypdf), the public form's choice, marking it paid in the admin
or the API, reminders and release of unpaid invoices, and bad input."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from organisations.admin import OrganisationAdmin
from organisations.models import Organisation
from payments import services as payments
from payments.invoicing import next_number
from payments.models import Invoice, InvoiceCounter, Payment
from registrations import services
from registrations.models import OutgoingEmail, Registration
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TicketTypeFactory,
    api_key_for,
)
from tests.registrations.attendee_steps import form_data, register_url

SIRET = "19691774400019"
IBAN = "FR7630001007941234567890185"
VAT_MENTION = "TVA non applicable, art. 293 B du Code général des impôts (CGI)"


def invoice_ticket(**fields):
    organisation = OrganisationFactory(
        legal_name="Chaire Protection sociale et territoires",
        address="14 avenue Berthelot",
        postcode="69007",
        city="Lyon",
        siret=SIRET,
        iban=IBAN,
        bic="BDFEFRPPCCT",
    )
    fields.setdefault("price", Decimal("80.00"))
    fields.setdefault("allows_invoice", True)
    return TicketTypeFactory(event__organisation=organisation, **fields)


def billing(**overrides):
    data = {
        "billing_name": "Centre hospitalier d'Arles",
        "billing_address": "Quartier Fourchon\n13200 Arles",
        "purchase_order_number": "BC-2027-0042",
    }
    data.update(overrides)
    return data


def invoiced(ticket, number=1, *, now=None) -> Payment:
    registration = services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(
            first_name="Camille",
            last_name=f"Durand {number}",
            email=f"camille{number}@example.org",
            consent_processing=True,
        ),
    )
    return payments.start_invoice(
        registration=registration, billing=payments.clean_billing(billing()), now=now
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def organiser_api(organisation) -> APIClient:
    membership = MembershipFactory(organisation=organisation)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(membership.user)}")
    return api


@pytest.mark.django_db
def test_the_invoice_pdf_carries_the_amount_order_number_and_legal_mentions():
    payment = invoiced(invoice_ticket())

    text = pdf_text(bytes(payment.invoice.pdf))

    assert payment.invoice_number == f"F{payment.registration.event.organisation_id}-" + (
        f"{payment.created_at.year}-0001"
    )
    for expected in (
        "80,00 €",
        "BC-2027-0042",
        SIRET,
        VAT_MENTION,
        payment.invoice_number,
        IBAN,
        "Facture",
        "Centre hospitalier d'Arles",
        "Chaire Protection sociale et territoires",
    ):
        assert expected in text


@pytest.mark.django_db
def test_invoice_numbers_follow_each_other_within_an_organisation():
    ticket = invoice_ticket()
    first, second = invoiced(ticket, 1), invoiced(ticket, 2)

    assert first.invoice_number.endswith("-0001")
    assert second.invoice_number.endswith("-0002")


@pytest.mark.django_db
def test_the_ten_thousandth_invoice_of_the_year_follows_the_9999th_and_more_follow_it():
    ticket = invoice_ticket()
    organisation = ticket.event.organisation
    now = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
    prefix = f"F{organisation.pk}-2027-"
    InvoiceCounter.objects.create(organisation=organisation, year=2027, last_number=9998)

    numbers = [invoiced(ticket, number, now=now).invoice_number for number in (1, 2, 3)]

    assert numbers == [f"{prefix}9999", f"{prefix}10000", f"{prefix}10001"]
    assert Payment.objects.filter(invoice__number__startswith=prefix).count() == 3


@pytest.mark.django_db
def test_an_invoice_issued_at_half_past_midnight_on_new_years_day_in_paris_opens_the_new_year():
    ticket = invoice_ticket()
    organisation = ticket.event.organisation
    december = invoiced(ticket, 1, now=datetime(2027, 12, 31, 22, 30, tzinfo=UTC))
    # 23:30 UTC on 31 December is 00:30 on 1 January in Paris.
    january = invoiced(ticket, 2, now=datetime(2027, 12, 31, 23, 30, tzinfo=UTC))

    assert december.invoice_number == f"F{organisation.pk}-2027-0001"
    assert january.invoice_number == f"F{organisation.pk}-2028-0001"


@pytest.mark.django_db
def test_choosing_invoice_on_the_form_holds_the_seat_and_emails_the_invoice(client):
    ticket = invoice_ticket()

    response = client.post(
        register_url(ticket.event), form_data(ticket, payment_method="invoice", **billing())
    )

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert registration.status == Registration.Status.PENDING_PAYMENT
    payment = registration.payments.get()
    assert (payment.method, payment.status, payment.amount) == (
        Payment.Method.INVOICE,
        Payment.Status.CREATED,
        Decimal("80.00"),
    )
    kinds = list(registration.emails.order_by("pk").values_list("kind", flat=True))
    assert kinds[-1] == OutgoingEmail.Kind.INVOICE
    message = mail.outbox[-1]
    assert message.subject == f"Facture {payment.invoice_number}\u00a0: {ticket.event.title}"
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"invoice-{payment.invoice_number}.pdf", "application/pdf")
    assert content == bytes(payment.invoice.pdf)
    assert "BC-2027-0042" in pdf_text(content)
    page = client.get(registration.get_personal_url())
    assert payment.invoice_number in page.content.decode()
    download = client.get(f"/r/{registration.manage_token}/documents/{payment.invoice_number}.pdf")
    assert download["Content-Type"] == "application/pdf"
    assert download.content == bytes(payment.invoice.pdf)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"billing_name": ""}, "billing_name", "Enter the name of the body that pays the invoice."),
        (
            {"billing_address": "<b>Arles</b>"},
            "billing_address",
            "HTML or other markup is not allowed here.",
        ),
    ],
)
def test_bad_billing_details_are_refused_and_nothing_is_saved(client, overrides, field, message):
    ticket = invoice_ticket()

    response = client.post(
        register_url(ticket.event, "en"),
        form_data(ticket, payment_method="invoice", **billing(**overrides)),
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Registration.objects.exists()
    assert not Payment.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_marking_an_invoice_paid_through_the_api_confirms_once():
    payment = invoiced(invoice_ticket())
    mail.outbox.clear()
    confirmations = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.CONFIRMATION)
    before = confirmations.count()
    api = organiser_api(payment.registration.event.organisation)
    url = f"/api/v1/registrations/{payment.registration.pk}/mark-paid/"

    first = api.post(url)
    second = api.post(url)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["status"] == "confirmed"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert [message.to for message in mail.outbox] == [[payment.registration.email]]
    assert confirmations.count() == before + 1


@pytest.mark.django_db
def test_an_organiser_cannot_mark_another_organisations_invoice_paid():
    payment = invoiced(invoice_ticket())
    api = organiser_api(OrganisationFactory())

    response = api.post(f"/api/v1/registrations/{payment.registration.pk}/mark-paid/")

    assert response.status_code == 404
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED


@pytest.mark.django_db
def test_marking_an_invoice_paid_in_the_admin_confirms_and_sends_the_confirmation(client):
    payment = invoiced(invoice_ticket())
    mail.outbox.clear()
    confirmations = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.CONFIRMATION)
    before = confirmations.count()
    membership = MembershipFactory(organisation=payment.registration.event.organisation)
    client.force_login(membership.user)
    url = reverse("admin:payments_payment_changelist")

    for _ in range(2):
        client.post(url, {"action": "mark_paid", "_selected_action": [str(payment.pk)]})

    payment.registration.refresh_from_db()
    assert payment.registration.status == Registration.Status.CONFIRMED
    assert [message.to for message in mail.outbox] == [[payment.registration.email]]
    assert confirmations.count() == before + 1


@pytest.mark.django_db
def test_another_organiser_does_not_see_the_invoice_in_the_admin(client):
    payment = invoiced(invoice_ticket())
    stranger = MembershipFactory(organisation=OrganisationFactory())
    client.force_login(stranger.user)

    client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "mark_paid", "_selected_action": [str(payment.pk)]},
    )

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED


@pytest.mark.django_db
def test_unpaid_invoices_are_reminded_before_they_are_due_then_released_after(settings):
    settings.INVOICE_REMINDER_DAYS = 7
    payment = invoiced(invoice_ticket())  # 30 days' terms: due 30 days after its date
    mail.outbox.clear()
    issued = payment.created_at

    early = payments.process_unpaid_invoices(now=issued + timedelta(days=22))
    reminded = payments.process_unpaid_invoices(now=issued + timedelta(days=24))
    again = payments.process_unpaid_invoices(now=issued + timedelta(days=25))
    on_due_date = payments.process_unpaid_invoices(now=issued + timedelta(days=30))

    assert (early.reminded, reminded.reminded, again.reminded) == (0, 1, 0)
    [reminder] = mail.outbox
    assert reminder.attachments[0][2] == "application/pdf"
    assert on_due_date.released == 0

    released = payments.process_unpaid_invoices(now=issued + timedelta(days=31))

    payment.refresh_from_db()
    payment.registration.refresh_from_db()
    assert released.released == 1
    assert payment.status == Payment.Status.EXPIRED
    assert payment.registration.status == Registration.Status.EXPIRED


@pytest.mark.django_db
def test_an_invalid_siret_is_refused_in_the_organisation_admin(admin_client):
    organisation = OrganisationFactory()
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    data = {
        "name": organisation.name,
        "slug": organisation.slug,
        "siret": "1234",
        "vat_regime": "293B",
        "country": "FR",
        "payment_terms_days": "30",
        "unpaid_seat_release_days": "0",
        "retention_registrations_months": "12",
        "retention_checkins_months": "12",
        "retention_emails_months": "3",
        "retention_unpaid_months": "3",
        "retention_trail_months": "36",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["siret"] == [
        "Ce numéro SIRET n’est pas valide\u00a0: 14 chiffres dont la clé de contrôle concorde."
    ]
    assert Organisation.objects.get(pk=organisation.pk).siret == organisation.siret
    assert "siret" in OrganisationAdmin.fieldsets[1][1]["fields"]


@pytest.mark.django_db
def test_an_owner_sets_the_time_zone_whose_year_numbers_the_invoices(admin_client):
    organisation = OrganisationFactory()
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    data = {
        "name": organisation.name,
        "slug": organisation.slug,
        "vat_regime": "293B",
        "country": "FR",
        "payment_terms_days": "30",
        "unpaid_seat_release_days": "0",
        "retention_registrations_months": "12",
        "retention_checkins_months": "12",
        "retention_emails_months": "3",
        "retention_unpaid_months": "3",
        "retention_trail_months": "36",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    refused = admin_client.post(url, {**data, "time_zone": "Europe/Lyon"})
    saved = admin_client.post(url, {**data, "time_zone": "America/Cayenne"})

    assert refused.context["adminform"].form.errors["time_zone"] == [
        "«\u00a0Europe/Lyon\u00a0» n’est pas un fuseau horaire connu."
    ]
    assert saved.status_code == 302
    organisation.refresh_from_db()
    assert organisation.time_zone == "America/Cayenne"
    # 02:30 UTC on 1 January is still 31 December in French Guiana.
    number = next_number(
        organisation=organisation,
        kind=Invoice.Kind.INVOICE,
        issued_at=datetime(2028, 1, 1, 2, 30, tzinfo=UTC),
    )
    assert number == f"F{organisation.pk}-2027-0001"
