"""Reads of invoices and credit notes shared by the back office and the API: scoped to the
organisations a user manages, and the totals of an event."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from payments.models import Invoice
from registrations.selectors import organiser_scope

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def managed_invoices(user) -> QuerySet[Invoice]:
    """The invoices and credit notes of `user`'s organisations (all of them for superusers),
    with their event and credited invoice, without their PDF bytes."""
    queryset = Invoice.objects.select_related("event", "credited_invoice").defer(
        "pdf", "credited_invoice__pdf", "credited_invoice__data"
    )
    organisation_ids = organiser_scope(user)
    if organisation_ids is None:
        return queryset
    if not organisation_ids:
        return queryset.none()
    return queryset.filter(organisation_id__in=organisation_ids)


@dataclass(frozen=True)
class InvoiceTotals:
    """Sums of `total_gross`: what was invoiced, paid, credited by credit notes, and what is
    still to be paid (unpaid invoices less their credit notes)."""

    invoiced: Decimal
    paid: Decimal
    credited: Decimal
    outstanding: Decimal


def _sum(condition: Q, field: str = "total_gross"):
    return Coalesce(
        Sum(field, filter=condition),
        Value(ZERO),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def invoice_totals(invoices: QuerySet[Invoice]) -> InvoiceTotals:
    """The totals of `invoices` (e.g. an event's), in one query whatever their number."""
    invoice = Q(kind=Invoice.Kind.INVOICE)
    credit_note = Q(kind=Invoice.Kind.CREDIT_NOTE)
    sums = invoices.order_by().aggregate(
        invoiced=_sum(invoice),
        paid=_sum(invoice & Q(paid_at__isnull=False)),
        credited=_sum(credit_note),
        unpaid=_sum(invoice & Q(paid_at__isnull=True)),
        # Credit notes of unpaid invoices lower what is still to be paid; those of paid
        # invoices are money to give back, not outstanding.
        unpaid_credited=_sum(credit_note & Q(credited_invoice__paid_at__isnull=True)),
    )
    return InvoiceTotals(
        invoiced=sums["invoiced"].quantize(CENT),
        paid=sums["paid"].quantize(CENT),
        credited=sums["credited"].quantize(CENT),
        outstanding=(sums["unpaid"] - sums["unpaid_credited"]).quantize(CENT),
    )
