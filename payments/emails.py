"""What the payment side adds to the outbox's emails (registered in payments/apps.py)."""

from payments.invoice_pdf import build_invoice
from payments.models import Payment
from registrations.emails import EmailExtras
from registrations.models import OutgoingEmail


def payment_context(email: OutgoingEmail, context: dict) -> EmailExtras | None:
    """The payment an email about a registration speaks of (`payment` in its templates): the
    paid one for a receipt, else the latest."""
    if email.registration is None:
        return None
    payments = Payment.objects.filter(registration=email.registration).order_by(
        "-created_at", "-pk"
    )
    if email.kind == OutgoingEmail.Kind.PAYMENT_RECEIPT:
        payments = payments.exclude(paid_at=None).order_by("-paid_at", "-pk")
    return EmailExtras(context={"payment": payments.first()})


def invoice_extras(email: OutgoingEmail, context: dict) -> EmailExtras | None:
    """The invoice PDF an invoice email (or its reminder) carries."""
    payment = context.get("payment")
    if payment is None or not payment.invoice_number:
        return None
    pdf = build_invoice(payment)
    return EmailExtras(
        attachments=[(f"invoice-{payment.invoice_number}.pdf", pdf, "application/pdf")]
    )
