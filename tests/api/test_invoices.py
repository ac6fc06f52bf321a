"""The invoices of an organiser's events through the API: one invoice for several
registrations, the list filtered by event and state, the stored PDF; scoped to the organiser's
organisations, every refusal a JSON error naming the field, nothing issued on refusal."""

from decimal import Decimal

import pytest

from payments.models import Invoice, Payment
from registrations.models import Registration
from tests.factories import OrganisationFactory
from tests.payments.invoice_steps import (
    HOSPITAL,
    awaiting_group_invoice,
    group_invoice,
    invoice_ticket,
    pending,
)
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/invoices/"


def test_an_organiser_issues_one_invoice_for_two_agents_and_downloads_its_pdf(client_for):
    ticket = invoice_ticket()
    first, second = pending(ticket, "Martin"), pending(ticket, "Petit")
    api = client_for(ticket.event.organisation)

    response = api.post(URL, {"registrations": [first.pk, second.pk], **HOSPITAL}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    invoice = Invoice.objects.get()
    assert body["number"] == invoice.number
    assert body["kind"] == "invoice"
    assert body["status"] == "issued"
    assert body["event"] == ticket.event.slug
    assert body["total_gross"] == "160.00"
    assert body["buyer_name"] == HOSPITAL["billing_name"]
    assert body["purchase_order_number"] == "BC-2027-0042"
    assert sorted(body["registrations"]) == sorted([first.pk, second.pk])

    pdf = api.get(body["pdf"])

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(invoice.pdf)


def test_registrations_awaiting_their_group_invoice_need_no_payer_details(client_for):
    ticket = invoice_ticket()
    agents = [awaiting_group_invoice(ticket, name) for name in ("Martin", "Petit")]
    api = client_for(ticket.event.organisation)

    response = api.post(URL, {"registrations": [agent.pk for agent in agents]}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["buyer_name"] == HOSPITAL["billing_name"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"registrations": []}, "registrations"),
        ({"registrations": ["x"]}, "registrations"),
        ({"registrations": [2**70]}, "registrations"),
        ({"billing_name": "CH"}, "registrations"),
        ({"registrations": None, **HOSPITAL}, "registrations"),
    ],
)
def test_malformed_requests_get_the_field_named(client_for, payload, field):
    api = client_for(invoice_ticket().event.organisation)

    response = api.post(URL, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_a_missing_payer_and_a_bad_siret_are_named_in_french(client_for):
    ticket = invoice_ticket()
    registration = pending(ticket, "Martin")
    api = client_for(ticket.event.organisation)

    missing = api.post(URL, {"registrations": [registration.pk]}, format="json")
    bad_siret = api.post(
        URL,
        {"registrations": [registration.pk], **HOSPITAL, "billing_siret": "12345678901234"},
        format="json",
    )

    assert missing.status_code == 400
    assert "billing_name" in missing.json()
    assert bad_siret.status_code == 400
    assert "billing_siret" in bad_siret.json()
    assert not Invoice.objects.exists()
    assert not Payment.objects.exists()


def test_incomplete_legal_details_are_refused_under_organisation(client_for):
    organisation = OrganisationFactory(iban="", bic="")
    ticket = invoice_ticket(organisation)
    registration = RegistrationFactory(
        ticket_type=ticket, status=Registration.Status.PENDING_PAYMENT
    )
    api = client_for(organisation)

    response = api.post(URL, {"registrations": [registration.pk], **HOSPITAL}, format="json")

    assert response.status_code == 400
    assert "IBAN" in " ".join(response.json()["organisation"])
    assert not Invoice.objects.exists()
    assert not Payment.objects.exists()


def test_mixed_events_and_confirmed_registrations_are_refused(client_for):
    organisation = OrganisationFactory()
    here, there = invoice_ticket(organisation), invoice_ticket(organisation)
    confirmed = RegistrationFactory(ticket_type=here)
    api = client_for(organisation)

    mixed = api.post(
        URL,
        {"registrations": [pending(here, "Martin").pk, pending(there, "Petit").pk], **HOSPITAL},
        format="json",
    )
    not_awaiting = api.post(URL, {"registrations": [confirmed.pk], **HOSPITAL}, format="json")

    assert mixed.status_code == 400
    assert "registrations" in mixed.json()
    assert not_awaiting.status_code == 400
    assert confirmed.full_name in not_awaiting.json()["registrations"][0]
    assert not Invoice.objects.exists()


def test_another_organisations_registrations_and_invoices_stay_out_of_reach(client_for):
    ticket = invoice_ticket()
    theirs = pending(ticket, "Martin")
    invoice = group_invoice(ticket, "Petit")
    stranger = client_for(OrganisationFactory())

    issued = stranger.post(URL, {"registrations": [theirs.pk], **HOSPITAL}, format="json")
    listed = stranger.get(URL)
    read = stranger.get(f"{URL}{invoice.pk}/")
    pdf = stranger.get(f"{URL}{invoice.pk}/pdf/")

    assert issued.status_code == 400
    assert "registrations" in issued.json()
    assert Invoice.objects.count() == 1
    assert listed.json()["results"] == []
    assert (read.status_code, pdf.status_code) == (404, 404)


def test_door_staff_and_anonymous_callers_get_no_invoice(client_for, anonymous):
    invoice = group_invoice(invoice_ticket(), "Martin")
    door_staff = client_for(invoice.organisation, role="door_staff")

    assert door_staff.get(URL).status_code == 403
    assert anonymous.get(f"{URL}{invoice.pk}/pdf/").status_code in (401, 403)


def test_the_list_is_filtered_by_event_and_state(client_for, django_assert_max_num_queries):
    organisation = OrganisationFactory()
    first_ticket, second_ticket = invoice_ticket(organisation), invoice_ticket(organisation)
    first = group_invoice(first_ticket, "Martin", "Petit")
    second = group_invoice(second_ticket, "Durand")
    Invoice.objects.filter(pk=second.pk).update(status=Invoice.Status.PAID)
    api = client_for(organisation)

    with django_assert_max_num_queries(8):
        everything = api.get(URL).json()["results"]
    by_event = api.get(URL, {"event": first_ticket.event.slug}).json()["results"]
    paid = api.get(URL, {"status": "paid"}).json()["results"]
    wrong = api.get(URL, {"status": "lost"})

    assert {item["number"] for item in everything} == {first.number, second.number}
    assert [item["number"] for item in by_event] == [first.number]
    assert [item["total_gross"] for item in by_event] == [str(Decimal("160.00"))]
    assert [item["number"] for item in paid] == [second.number]
    assert wrong.status_code == 400
    assert "status" in wrong.json()
