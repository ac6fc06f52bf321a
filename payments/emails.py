"""What the payment side adds to the outbox's emails (registered in payments/apps.py)."""

from payments.invoice_pdf import build_invoice
from registrations.emails import EmailExtras
from registrations.models import OutgoingEmail


def invoice_extras(email: OutgoingEmail, context: dict) -> EmailExtras | None:
    """The invoice PDF an invoice email (or its reminder) carries."""
    payment = context.get("payment")
    if payment is None or not payment.invoice_number:
        return None
    pdf = build_invoice(payment)
    return EmailExtras(
        attachments=[(f"invoice-{payment.invoice_number}.pdf", pdf, "application/pdf")]
    )
