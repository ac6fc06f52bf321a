"""A hospital's agent registers in a real browser: payment on invoice is not offered while the
organisation's legal details are incomplete (no IBAN), and is once they are; the agent then
gives the paying body's SIRET and purchase order and gets the invoice (issue 12)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from payments.models import Invoice
from registrations.models import Registration
from tests.factories import OrganisationFactory, TicketTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "FR7630001007941234567890185"
PAYER_SIRET = "26130005700013"


def test_the_invoice_choice_is_hidden_until_the_organisation_may_invoice(page):
    organisation = OrganisationFactory(iban="")
    ticket = TicketTypeFactory(
        event__organisation=organisation,
        name_fr="Agents publics",
        price=Decimal("80.00"),
        allows_card=False,
        allows_invoice=True,
    )
    url = f"/events/{ticket.event.slug}/register/"

    page.goto(url)

    expect(page.get_by_role("radio", name=re.compile("Agents publics"))).to_be_visible()
    expect(page.locator("#payment")).to_have_count(0)
    expect(page.get_by_label("SIRET de l’organisme payeur")).to_have_count(0)
    expect(page.get_by_text("sur facture")).to_have_count(0)

    organisation.iban = IBAN
    organisation.save()
    page.reload()

    payment = page.locator("#payment")
    expect(payment).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Payable sur facture \(virement\)"))).to_be_visible()
    page.get_by_label(re.compile(r"^Prénom")).fill("Camille")
    page.get_by_label(re.compile(r"^Nom")).fill("Durand")
    page.get_by_label(re.compile(r"^Courriel")).fill("camille.durand@example.org")
    page.get_by_role("radio", name=re.compile("Agents publics")).check()
    payment.get_by_label("Organisme payeur", exact=True).fill("Centre hospitalier d’Arles")
    payment.get_by_label("Adresse de facturation").fill("Quartier Fourchon\n13200 Arles")
    payment.get_by_label("SIRET de l’organisme payeur").fill(PAYER_SIRET)
    payment.get_by_label("Code service (Chorus Pro)").fill("SERVICE-FACTURIER")
    payment.get_by_label(re.compile("Numéro de bon de commande")).fill("EJ-2027-0042")
    page.get_by_label(re.compile("J’accepte que les organisateurs traitent mes données")).check()
    page.get_by_role("button", name="S’inscrire").click()

    expect(page.locator("h1")).to_have_text("Votre place est réservée dans l’attente du paiement")
    registration = Registration.objects.get()
    invoice = Invoice.objects.get()
    assert registration.status == Registration.Status.PENDING_PAYMENT
    assert (invoice.data["buyer"]["siret"], invoice.data["buyer"]["service_code"]) == (
        PAYER_SIRET,
        "SERVICE-FACTURIER",
    )
    assert invoice.data["buyer"]["purchase_order_number"] == "EJ-2027-0042"
