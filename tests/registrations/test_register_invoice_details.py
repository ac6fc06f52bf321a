"""The public form's payment on invoice (issue 12): offered only while the organisation may
invoice, with the payer's SIRET, Chorus Pro service code, purchase order, invoice email and a
group invoice; and prices that say they include VAT."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from payments.models import Invoice, Payment
from registrations.models import OutgoingEmail, Registration, TicketType
from tests.events.admin_forms import admin_form_data
from tests.factories import OrganisationFactory, TicketTypeFactory
from tests.registrations.attendee_steps import form_data, page_text, register_url

PAYER_SIRET = "26130005700013"  # a hospital's SIRET (check digit valid)


def invoice_ticket(organisation=None, **fields):
    fields.setdefault("price", Decimal("80.00"))
    fields.setdefault("allows_invoice", True)
    fields.setdefault("allows_card", False)
    fields.setdefault("name_fr", "Agents publics")
    return TicketTypeFactory(event__organisation=organisation or OrganisationFactory(), **fields)


def billing(**overrides):
    data = {
        "payment_method": "invoice",
        "billing_name": "Centre hospitalier d'Arles",
        "billing_address": "Quartier Fourchon\n13200 Arles",
        "purchase_order_number": "EJ-2027-0042",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_invoice_payment_is_not_offered_while_the_organisation_lacks_its_iban(client):
    ticket = invoice_ticket(OrganisationFactory(iban=""))

    page = page_text(client.get(register_url(ticket.event)))
    response = client.post(register_url(ticket.event), form_data(ticket, **billing()))

    assert 'id="payment"' not in page
    assert "billing_siret" not in page
    assert "sur facture" not in page
    # A forged choice of invoice is ignored: the seat is held, no invoice is issued.
    assert response.status_code == 302
    assert Registration.objects.get().status == Registration.Status.PENDING_PAYMENT
    assert not Payment.objects.exists()
    assert not Invoice.objects.exists()


@pytest.mark.django_db
def test_the_form_asks_the_payers_details_in_french(client):
    ticket = invoice_ticket()

    page = page_text(client.get(register_url(ticket.event)))

    for text in (
        "SIRET de l’organisme payeur",
        "14 chiffres, imprimés sur la facture. Facultatif, mais nécessaire aux organismes "
        "publics qui reçoivent leurs factures par Chorus Pro.",
        "Code service (Chorus Pro)",
        "Votre numéro de bon de commande ou d’engagement juridique",
        "Adresse électronique pour la facture",
        "Une seule facture pour notre groupe\u00a0: les organisateurs l’émettront",
    ):
        assert text in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"billing_siret": "26130005700014"},
            "billing_siret",
            "Ce numéro SIRET n’est pas valide\u00a0: 14 chiffres dont la clé de contrôle concorde.",
        ),
        (
            {"billing_service_code": "SERVICE-FACTURIER"},
            "billing_siret",
            "Un code service Chorus Pro s’accompagne du SIRET de l’organisme payeur.",
        ),
        (
            {"billing_email": "compta@"},
            "billing_email",
            "Saisissez une adresse e-mail valide.",
        ),
    ],
)
def test_bad_payer_details_show_a_field_error_and_save_nothing(client, overrides, field, message):
    ticket = invoice_ticket()

    response = client.post(register_url(ticket.event), form_data(ticket, **billing(**overrides)))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message.replace("\u00a0", " ") in page_text(response).replace("\u00a0", " ")
    assert not Registration.objects.exists()
    assert not Payment.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_payers_siret_service_code_and_email_reach_the_invoice(client):
    ticket = invoice_ticket()

    response = client.post(
        register_url(ticket.event),
        form_data(
            ticket,
            **billing(
                billing_siret="261 300 057 00013",
                billing_service_code="SERVICE-FACTURIER",
                billing_email="factures@ch-arles.fr",
            ),
        ),
    )

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (
        payment.billing_siret,
        payment.billing_service_code,
        payment.billing_email,
        payment.purchase_order_number,
    ) == (PAYER_SIRET, "SERVICE-FACTURIER", "factures@ch-arles.fr", "EJ-2027-0042")
    invoice = payment.invoice
    assert invoice.buyer_email == "factures@ch-arles.fr"
    assert invoice.data["buyer"]["siret"] == PAYER_SIRET
    assert invoice.data["buyer"]["service_code"] == "SERVICE-FACTURIER"


@pytest.mark.django_db
def test_without_an_invoice_email_the_invoice_goes_to_the_attendee(client):
    ticket = invoice_ticket()

    client.post(register_url(ticket.event), form_data(ticket, **billing()))

    assert Invoice.objects.get().buyer_email == "camille.durand@example.org"


@pytest.mark.django_db
def test_a_group_registration_waits_for_the_invoice_the_organisers_will_issue(client):
    ticket = invoice_ticket()

    response = client.post(
        register_url(ticket.event), form_data(ticket, **billing(invoice_group="on"))
    )

    registration = Registration.objects.get()
    assert registration.status == Registration.Status.PENDING_PAYMENT
    payment = registration.payments.get()
    assert (payment.method, payment.status, payment.invoice) == (
        Payment.Method.INVOICE,
        Payment.Status.CREATED,
        None,
    )
    assert not Invoice.objects.exists()
    assert not registration.emails.filter(kind=OutgoingEmail.Kind.INVOICE).exists()
    page = page_text(client.get(response["Location"]))
    assert (
        "Les organisateurs enverront une seule facture pour votre groupe à l’organisme payeur."
        in page
    )


@pytest.mark.django_db
def test_prices_say_they_include_vat_with_the_rate_when_the_organisation_is_subject_to_it(
    client,
):
    subject = OrganisationFactory(vat_regime="subject", vat_number="FR40303265045")
    ticket = invoice_ticket(subject, vat_rate=Decimal("20.00"), name_en="Public servants")
    reduced = TicketTypeFactory(
        event=ticket.event, price=Decimal("10.00"), vat_rate=Decimal("5.50"), position=2
    )

    french = page_text(client.get(register_url(ticket.event)))
    event_page = page_text(client.get(ticket.event.get_absolute_url()))
    english = page_text(client.get(register_url(ticket.event, "en")))

    assert "80,00 € TTC (TVA 20\u00a0%)" in french
    assert "10,00 € TTC (TVA 5,5\u00a0%)" in french
    assert "€80.00 incl. VAT (20%)" in english
    assert "80,00 € TTC (TVA 20\u00a0%)" in event_page
    assert reduced.includes_vat


@pytest.mark.django_db
def test_prices_of_an_organisation_exempt_from_vat_say_nothing_of_it(client):
    ticket = invoice_ticket()

    french = page_text(client.get(register_url(ticket.event)))

    assert "80,00 €" in french
    assert "TTC" not in french
    assert "TVA" not in french


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("regime", "vat_number", "saved"),
    [("293B", "", False), ("subject", "FR40303265045", True)],
)
def test_a_vat_rate_is_accepted_only_for_an_organisation_subject_to_vat(
    admin_client, regime, vat_number, saved
):
    organisation = OrganisationFactory(name="Chaire PST", vat_regime=regime, vat_number=vat_number)
    ticket = invoice_ticket(organisation)
    url = reverse("admin:registrations_tickettype_change", args=[ticket.pk])
    data = admin_form_data(admin_client.get(url))

    response = admin_client.post(url, {**data, "vat_rate": "20.00"})

    ticket.refresh_from_db()
    if saved:
        assert response.status_code == 302
        assert ticket.vat_rate == Decimal("20.00")
    else:
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["vat_rate"] == [
            "Chaire PST n’est pas assujettie à la TVA (TVA non applicable, art. 293 B du "
            "CGI)\u00a0: ses billets portent un taux de TVA de 0\u00a0%. Modifiez d’abord son "
            "régime de TVA si elle y est devenue assujettie."
        ]
        assert ticket.vat_rate == Decimal("0.00")


@pytest.mark.django_db
def test_the_event_inline_refuses_a_vat_rate_for_an_exempt_organisation(admin_client):
    ticket = invoice_ticket()
    url = reverse("admin:events_event_change", args=[ticket.event.pk])
    data = admin_form_data(admin_client.get(url))
    [rate_field] = [name for name in data if name.endswith("-vat_rate")]

    response = admin_client.post(url, {**data, rate_field: "5.50"})

    assert response.status_code == 200
    assert "n’est pas assujettie à la TVA" in page_text(response)
    assert TicketType.objects.get(pk=ticket.pk).vat_rate == Decimal("0.00")
