"""One invoice for several registrations (a hospital sending its agents): the organiser's
action on the registrations list, with the payer's details asked for when needed, and every
refusal said in the page with nothing saved."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from payments.group_invoices import GroupInvoiceError, invoice_registrations
from payments.models import Invoice, Payment
from payments.services import clean_billing
from registrations.models import Registration
from tests.factories import MembershipFactory, OrganisationFactory
from tests.payments.invoice_steps import (
    HOSPITAL,
    awaiting_group_invoice,
    invoice_ticket,
    pdf_text,
    pending,
)
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"
ACTION = "issue_group_invoice"


def organiser_client(client, organisation):
    client.force_login(MembershipFactory(organisation=organisation).user)
    return client


def run_action(client, registrations, **payer):
    data = {"action": ACTION, "_selected_action": [str(r.pk) for r in registrations]}
    if payer:
        data.update(payer, apply_payer="yes")
    else:
        data["index"] = "0"
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_five_agents_awaiting_their_group_invoice_get_one_invoice_in_one_click(client):
    ticket = invoice_ticket()
    agents = [awaiting_group_invoice(ticket, f"Agent {n}") for n in range(5)]
    mail.outbox.clear()
    organiser_client(client, ticket.event.organisation)

    response = run_action(client, agents)

    invoice = Invoice.objects.get()
    assert invoice.total_gross == Decimal("400.00")
    assert invoice.buyer_name == HOSPITAL["billing_name"]
    assert set(invoice.payments.values_list("registration_id", flat=True)) == {
        agent.pk for agent in agents
    }
    page = response.content.decode()
    assert f"Facture {invoice.number} émise pour 5\u00a0inscriptions" in page
    [line] = invoice.data["lines"]
    assert line["quantity"] == 5
    assert line["attendees"] == [f"Camille Agent {n}" for n in range(5)]
    text = pdf_text(bytes(invoice.pdf))
    for expected in (invoice.number, HOSPITAL["billing_name"], "BC-2027-0042", "400,00"):
        assert expected in text
    [email] = [message for message in mail.outbox if invoice.number in message.subject]
    assert email.attachments[0][1] == bytes(invoice.pdf)


def test_registrations_without_a_payer_ask_for_the_payer_then_get_one_invoice(client):
    ticket = invoice_ticket()
    first, second = pending(ticket, "Martin"), pending(ticket, "Nguyễn")
    organiser_client(client, ticket.event.organisation)

    asked = run_action(client, [first, second])

    page = asked.content.decode()
    assert "Qui paie cette facture" in page
    assert "Martin" in page
    assert "Nguyễn" in page
    assert not Invoice.objects.exists()

    refused = run_action(client, [first, second], **{**HOSPITAL, "billing_siret": "123"})

    assert "SIRET" in refused.content.decode()
    assert not Invoice.objects.exists()
    assert not Payment.objects.exists()

    run_action(client, [first, second], **HOSPITAL)

    invoice = Invoice.objects.get()
    assert invoice.total_gross == Decimal("160.00")
    assert invoice.purchase_order_number == "BC-2027-0042"
    assert invoice.data["buyer"]["service_code"] == "SERVICE-FORMATION"
    assert Payment.objects.filter(invoice=invoice, method="invoice").count() == 2
    assert invoice.data["lines"][0]["attendees"] == ["Camille Martin", "Camille Nguyễn"]
    assert invoice.number in pdf_text(bytes(invoice.pdf))


def test_select_all_invoices_every_registration_the_payers_page_listed(client):
    ticket = invoice_ticket()
    first = pending(ticket, "Martin")
    pending(ticket, "Nguyễn")  # left unticked on the page
    organiser_client(client, ticket.event.organisation)
    # "Select all": one box ticked on the page, every registration of the list meant.
    every = {"action": ACTION, "_selected_action": [str(first.pk)], "select_across": "1"}

    asked = client.post(reverse(CHANGELIST), {**every, "index": "0"})
    assert "Nguyễn" in asked.content.decode()
    assert 'name="select_across" value="1"' in asked.content.decode()
    client.post(reverse(CHANGELIST), {**every, **HOSPITAL, "apply_payer": "yes"})

    invoice = Invoice.objects.get()
    assert invoice.data["lines"][0]["attendees"] == ["Camille Martin", "Camille Nguyễn"]


def test_the_payers_form_is_prefilled_with_the_details_already_given(client):
    ticket = invoice_ticket()
    awaiting = awaiting_group_invoice(ticket, "Martin")
    organiser_client(client, ticket.event.organisation)

    response = run_action(client, [awaiting, pending(ticket, "Petit")])

    assert 'value="BC-2027-0042"' in response.content.decode()
    assert not Invoice.objects.exists()


def test_registrations_of_two_events_are_refused_with_nothing_saved(client):
    organisation = OrganisationFactory()
    here = awaiting_group_invoice(invoice_ticket(organisation), "Martin")
    there = awaiting_group_invoice(invoice_ticket(organisation), "Petit")
    organiser_client(client, organisation)

    response = run_action(client, [here, there])

    assert "d’un seul événement" in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_confirmed_or_already_invoiced_registration_is_refused_by_name(client):
    ticket = invoice_ticket()
    confirmed = RegistrationFactory(ticket_type=ticket, last_name="Confirmée")
    invoiced = pending(ticket, "Facturé")
    invoice_registrations(registrations=[invoiced], billing=_billing())
    organiser_client(client, ticket.event.organisation)

    response = run_action(client, [confirmed, invoiced, pending(ticket, "Petit")])

    page = response.content.decode()
    assert "N’attendent pas de facture" in page
    assert "Camille Confirmée" in page
    assert "Camille Facturé" in page
    assert Invoice.objects.count() == 1


def test_incomplete_legal_details_are_named_and_nothing_is_issued(client):
    organisation = OrganisationFactory(iban="", siret="")
    ticket = invoice_ticket(organisation)
    registration = RegistrationFactory(
        ticket_type=ticket, status=Registration.Status.PENDING_PAYMENT, last_name="Martin"
    )
    organiser_client(client, organisation)

    response = run_action(client, [registration], **HOSPITAL)

    page = response.content.decode()
    assert "Complétez d’abord les informations légales" in page
    assert "IBAN" in page
    assert not Invoice.objects.exists()
    assert not Payment.objects.exists()


def test_another_organisations_registrations_are_never_invoiced(client):
    ticket = invoice_ticket()
    theirs = awaiting_group_invoice(ticket, "Martin")
    organiser_client(client, OrganisationFactory())

    run_action(client, [theirs])
    run_action(client, [theirs], **HOSPITAL)

    assert not Invoice.objects.exists()


def test_the_service_refuses_an_empty_selection():
    with pytest.raises(GroupInvoiceError) as refused:
        invoice_registrations(registrations=[])

    assert refused.value.field == "registrations"


def _billing():
    return clean_billing(HOSPITAL)
