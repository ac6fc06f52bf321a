"""Steps shared by the tests of group invoices, the sales journal and the invoices API: a paid
ticket payable on invoice, attendees awaiting payment, an issued group invoice."""

from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader

from payments import services as payments
from payments.group_invoices import invoice_registrations
from registrations import services
from tests.factories import OrganisationFactory, TicketTypeFactory

HOSPITAL = {
    "billing_name": "Centre hospitalier d’Arles",
    "billing_address": "Quartier Fourchon\n13200 Arles",
    "billing_siret": "26130001600019",
    "billing_service_code": "SERVICE-FORMATION",
    "purchase_order_number": "BC-2027-0042",
    "billing_email": "factures@ch-arles.example",
}


def invoice_ticket(organisation=None, **fields):
    fields.setdefault("price", Decimal("80.00"))
    fields.setdefault("allows_invoice", True)
    fields.setdefault("capacity", 50)
    if organisation is None:
        organisation = OrganisationFactory()
    return TicketTypeFactory(event__organisation=organisation, **fields)


def pending(ticket, name="Durand"):
    """An attendee registered for a paid ticket, awaiting payment, with no payment yet."""
    return services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(
            first_name="Camille",
            last_name=name,
            email=f"{name.lower().replace(' ', '-')}@example.org",
            consent_processing=True,
        ),
    )


def awaiting_group_invoice(ticket, name="Durand", **billing):
    """An attendee whose payer chose "one invoice for our group" on the public form."""
    registration = pending(ticket, name)
    payments.start_invoice(
        registration=registration,
        billing=payments.clean_billing({**HOSPITAL, **billing}),
        group=True,
    )
    return registration


def group_invoice(ticket, *names):
    registrations = [pending(ticket, name) for name in names]
    return invoice_registrations(
        registrations=registrations, billing=payments.clean_billing(HOSPITAL)
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
