"""The payments' part of a person's data (registrations/privacy.py): what they may download,
and what an erasure anonymises. Registered in PaymentsConfig.ready().

Kept on erasure, by law: invoices and credit notes with their payer details (they are frozen
documents, kept for the accounting period). Anonymised: the payer details still held on the
payments themselves (the invoice keeps its own copy), the organisers' notes, and the payloads Stripe
sent about their payments (each event keeps its id and type, so a late redelivery is still
recognised and ignored)."""

from django.db.models import Q

from payments.models import Invoice, Payment, StripeEvent

_BILLING_FIELDS = (
    "billing_name",
    "billing_address",
    "billing_email",
    "billing_siret",
    "billing_service_code",
    "purchase_order_number",
)


def _moment(value):
    return value.isoformat() if value else None


def person_payments(subject) -> dict[str, list[dict]]:
    payments = (
        Payment.objects.filter(registration_id__in=subject.registration_ids)
        .select_related("invoice", "credit_note")
        .order_by("created_at", "pk")
    )
    rows = []
    invoice_ids = set()
    for payment in payments:
        rows.append(
            {
                "method": payment.get_method_display(),
                "status": payment.get_status_display(),
                "amount": str(payment.amount),
                "currency": payment.currency,
                "created_at": _moment(payment.created_at),
                "paid_at": _moment(payment.paid_at),
                "amount_refunded": str(payment.amount_refunded),
                "refunded_at": _moment(payment.refunded_at),
                "billing": {name: getattr(payment, name) for name in _BILLING_FIELDS},
                "invoice": payment.invoice.number if payment.invoice else None,
                "credit_note": payment.credit_note.number if payment.credit_note else None,
            }
        )
        invoice_ids.update(pk for pk in (payment.invoice_id, payment.credit_note_id) if pk)
    invoices = [
        {
            "number": invoice.number,
            "kind": invoice.get_kind_display(),
            "status": invoice.get_status_display(),
            "issued_at": _moment(invoice.issued_at),
            "total_including_vat": str(invoice.total_gross),
            "currency": invoice.currency,
            # The payer's details as the invoice holds them (kept for the accounting period).
            "payer_name": invoice.buyer_name,
            "payer_email": invoice.buyer_email,
        }
        for invoice in Invoice.objects.filter(pk__in=invoice_ids).order_by("issued_at", "pk")
    ]
    return {"payments": rows, "invoices": invoices}


def erase_payments(erasure) -> None:
    payments = list(Payment.objects.filter(registration_id__in=erasure.registration_ids))
    for payment in payments:
        # The invoice issued for them keeps its frozen copy of these (kept by law).
        changed = [name for name in _BILLING_FIELDS if getattr(payment, name)]
        for name in changed:
            setattr(payment, name, "")
        if payment.flag_note:
            payment.flag_note = ""
            changed.append("flag_note")
        if changed:
            payment.save(update_fields=changed)
    stripe_events = StripeEvent.objects.filter(
        Q(payment__in=payments) | erasure.text_filter("payload")
    )
    for stripe_event in stripe_events:
        stripe_event.payload = {"id": stripe_event.id, "type": stripe_event.type, "erased": True}
        stripe_event.save(update_fields=["payload"])
