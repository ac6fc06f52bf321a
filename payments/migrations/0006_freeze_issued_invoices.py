"""The invoices issued before invoices were stored are frozen as they render on the day of the
migration, from the data of that day, and flagged `regenerated_at_migration`; their numbers,
dates, due dates, reminders and payment state are kept. (A migration of its own: PostgreSQL
alters no table in the transaction that changed its rows.)"""

from datetime import date
from zoneinfo import ZoneInfo

from django.db import migrations


def freeze_issued_invoices(apps, schema_editor):
    # The builders of today, on the historical rows: what they printed is what is kept.
    from payments.invoice_pdf import build_document  # noqa: PLC0415 — migration code
    from payments.invoicing import document_data  # noqa: PLC0415 — migration code

    Payment = apps.get_model("payments", "Payment")
    Invoice = apps.get_model("payments", "Invoice")
    issued = (
        Payment.objects.filter(invoice_number__isnull=False)
        .exclude(invoice_number="")
        .select_related("registration__ticket_type", "registration__event__organisation")
        .order_by("created_at", "pk")
    )
    for payment in issued:
        registration = payment.registration
        event = registration.event
        organisation = event.organisation
        language = registration.language if registration.language in ("fr", "en") else "fr"
        data = document_data(
            kind="invoice",
            number=payment.invoice_number,
            issued_at=payment.created_at,
            organisation=organisation,
            event=event,
            payments=[payment],
            language=language,
        )
        if payment.due_at is not None:
            due_on = payment.due_at.astimezone(ZoneInfo(organisation.time_zone)).date()
            data["terms"]["due_on"] = due_on.isoformat()
            issued_on = date.fromisoformat(data["issued_on"])
            data["terms"]["payment_terms_days"] = (due_on - issued_on).days
        data["regenerated_at_migration"] = True
        paid = payment.status == "paid"
        invoice = Invoice.objects.create(
            organisation=organisation,
            event=event,
            kind="invoice",
            number=payment.invoice_number,
            status="paid" if paid else "issued",
            issued_at=payment.created_at,
            due_on=data["terms"]["due_on"],
            language=language,
            currency=data["currency"],
            total_net=data["totals"]["net"],
            total_vat=data["totals"]["vat"],
            total_gross=data["totals"]["gross"],
            buyer_name=data["buyer"]["name"],
            buyer_email=data["buyer"]["email"],
            purchase_order_number=data["buyer"]["purchase_order_number"],
            data=data,
            pdf=build_document(data),
            regenerated_at_migration=True,
            paid_at=payment.paid_at if paid else None,
            reminded_at=payment.reminded_at,
        )
        Payment.objects.filter(pk=payment.pk).update(invoice=invoice)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_invoices_stored"),
    ]

    operations = [
        migrations.RunPython(freeze_issued_invoices, migrations.RunPython.noop),
    ]
