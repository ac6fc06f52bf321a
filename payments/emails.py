"""What the payment side adds to the outbox's emails (registered in payments/apps.py)."""

from django.db.models import Q

from payments.models import Invoice, Payment
from registrations.emails import EmailExtras
from registrations.models import OutgoingEmail


def payment_context(email: OutgoingEmail, context: dict) -> EmailExtras | None:
    """The payment an email about a registration speaks of (`payment` in its templates): the
    paid one for a receipt, else the latest."""
    if email.registration is None:
        return None
    payments = Payment.objects.filter(registration=email.registration).select_related("invoice")
    payments = payments.order_by("-created_at", "-pk")
    if email.kind == OutgoingEmail.Kind.PAYMENT_RECEIPT:
        payments = payments.exclude(paid_at=None).order_by("-paid_at", "-pk")
    return EmailExtras(context={"payment": payments.first()})


def invoice_extras(email: OutgoingEmail, context: dict) -> EmailExtras | None:
    """The invoice an invoice email (or its reminder) carries: the stored PDF."""
    payment = context.get("payment")
    if payment is None or payment.invoice is None:
        return None
    invoice = payment.invoice
    return EmailExtras(
        context={"invoice": invoice},
        attachments=[(invoice.filename, bytes(invoice.pdf), "application/pdf")],
    )


def credit_note_extras(email: OutgoingEmail, context: dict) -> EmailExtras | None:
    """The latest credit note covering the registration (its lines, or a partial credit by
    amount of its invoice), attached as issued."""
    if email.registration is None:
        return None
    registration = email.registration
    credit_note = (
        Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE)
        .filter(
            Q(credited_payments__registration=registration)
            | Q(credited_invoice__payments__registration=registration, credited_payments=None)
        )
        .order_by("-issued_at", "-pk")
        .first()
    )
    if credit_note is None:
        return None
    return EmailExtras(
        context={"credit_note": credit_note},
        attachments=[(credit_note.filename, bytes(credit_note.pdf), "application/pdf")],
    )
