"""Invoices and credit notes: what they say, their numbers, and issuing them once.

An issued document is frozen: `document_data` gathers everything it prints (seller and buyer,
lines, VAT, totals, terms and mentions) into plain data, `payments.invoice_pdf.build_document`
draws the Factur-X PDF from that data alone, and both are stored on the Invoice row. Nothing
is drawn again afterwards, whatever changes in the organisation, the event or the tickets.

Amounts: ticket prices include VAT (what Stripe charges and the API shows). A line groups the
registrations of one ticket type; its unit price excluding VAT is derived from the price with
four decimals, its net amount is rounded to the cent, and the VAT of each rate is computed
on the sum of its lines' net amounts (EN 16931, BR-CO-17); totals are sums.

Numbers are gap-free per organisation, series (F for invoices, A for credit notes) and year
of issue in the organisation's time zone: "F3-2027-0001", then past 9999 "F3-2027-10000".
"""

import zoneinfo
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.invoicing import invoicing_problems
from organisations.models import Organisation, VatRegime
from payments.invoice_pdf import build_document
from payments.models import Invoice, InvoiceCounter, Payment
from registrations.emails import queue_email
from registrations.models import OutgoingEmail

CENT = Decimal("0.01")
UNIT = Decimal("0.0001")
# The fixed indemnity for recovery costs owed by a professional buyer paying late (art.
# L441-10 and D441-5 of the Code de commerce; art. L2192-13 of the Code de la commande
# publique for public buyers).
RECOVERY_INDEMNITY = Decimal("40.00")
DATA_VERSION = 1


class InvoicingError(Exception):
    """An invoice cannot be issued (details incomplete, nothing to invoice or credit)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def money(value) -> str:
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _local_date(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def _translated(instance, field: str, language: str) -> str:
    """A modeltranslation field in `language`, falling back to the field itself."""
    return str(getattr(instance, f"{field}_{language}", "") or getattr(instance, field) or "")


def _full_name(registration) -> str:
    # Written out rather than Registration.full_name: the migration that froze the invoices
    # issued before they were stored calls this on its historical models.
    return f"{registration.first_name} {registration.last_name}".strip()


# --- Numbers ---------------------------------------------------------------------------------


def next_number(*, organisation: Organisation, kind: str, issued_at: datetime) -> str:
    """The next number of `organisation` in the series of `kind` for the year `issued_at`
    falls in. Takes the year's counter row under a lock: call it in the transaction that
    saves the document, so that a rollback gives the number back."""
    series = Invoice.SERIES[kind]
    year = _local_date(issued_at, organisation.time_zone).year
    InvoiceCounter.objects.get_or_create(organisation=organisation, series=series, year=year)
    counter = InvoiceCounter.objects.select_for_update().get(
        organisation=organisation, series=series, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{series}{organisation.pk}-{year}-{counter.last_number:04d}"


# --- What a document says --------------------------------------------------------------------


def seller_data(organisation) -> dict:
    return {
        "name": organisation.name,
        "legal_name": organisation.legal_name or organisation.name,
        "address": organisation.address,
        "postcode": organisation.postcode,
        "city": organisation.city,
        "country": organisation.country or "FR",
        "siret": organisation.siret,
        "vat_regime": organisation.vat_regime,
        "vat_number": organisation.vat_number,
        "iban": organisation.iban,
        "bic": organisation.bic,
        "email": organisation.invoice_email,
        "website": organisation.website,
    }


def buyer_data(payment) -> dict:
    return {
        "name": payment.billing_name,
        "address": payment.billing_address,
        "country": "FR",
        "siret": payment.billing_siret,
        "service_code": payment.billing_service_code,
        "purchase_order_number": payment.purchase_order_number,
        "email": payment.billing_email or payment.registration.email,
    }


def terms_data(organisation, *, issued_on: date) -> dict:
    return {
        "payment_terms_days": organisation.payment_terms_days,
        "due_on": (issued_on + timedelta(days=organisation.payment_terms_days)).isoformat(),
        "late_payment_rate": (
            None
            if organisation.late_payment_rate is None
            else money(organisation.late_payment_rate)
        ),
        "early_payment_discount": (
            None
            if organisation.early_payment_discount is None
            else money(organisation.early_payment_discount)
        ),
        "recovery_indemnity": money(RECOVERY_INDEMNITY),
    }


def line_data(payments, *, language: str, vat_applies: bool) -> list[dict]:
    """One line per ticket type and price: the attendees it covers, the quantity, the unit
    price excluding VAT, the rate and the net amount."""
    groups = defaultdict(list)
    for payment in payments:
        ticket_type = payment.registration.ticket_type
        rate = Decimal(ticket_type.vat_rate) if vat_applies else Decimal("0")
        groups[(ticket_type.pk, Decimal(payment.amount), rate)].append(payment)
    lines = []
    for (_ticket_type_id, gross, rate), grouped in groups.items():
        ticket_type = grouped[0].registration.ticket_type
        unit_net = (gross / (1 + rate / 100)).quantize(UNIT, rounding=ROUND_HALF_UP)
        quantity = len(grouped)
        lines.append(
            {
                "description": _translated(ticket_type, "name", language),
                "attendees": [_full_name(payment.registration) for payment in grouped],
                "registration_ids": [payment.registration_id for payment in grouped],
                "payment_ids": [payment.pk for payment in grouped],
                "quantity": quantity,
                "unit_price_gross": money(gross),
                "unit_price_net": str(unit_net),
                "vat_rate": money(rate),
                "net": money(unit_net * quantity),
            }
        )
    return lines


def credited_lines(invoice: Invoice, payments) -> list[dict]:
    """The lines of `invoice` for the payments credited, as the invoice printed them (its
    prices and rates, whatever the tickets say today), with their quantities."""
    credited = {payment.pk for payment in payments}
    lines = []
    for line in invoice.data["lines"]:
        kept = [
            index for index, payment_id in enumerate(line["payment_ids"]) if payment_id in credited
        ]
        if not kept:
            continue
        unit_net = Decimal(line["unit_price_net"])
        lines.append(
            {
                **line,
                "attendees": [line["attendees"][index] for index in kept],
                "registration_ids": [line["registration_ids"][index] for index in kept],
                "payment_ids": [line["payment_ids"][index] for index in kept],
                "quantity": len(kept),
                "net": money(unit_net * len(kept)),
            }
        )
    return lines


def totals_data(lines: list[dict]) -> tuple[list[dict], dict]:
    """The VAT of each rate on the sum of its lines' net amounts, and the totals."""
    by_rate = defaultdict(Decimal)
    for line in lines:
        by_rate[Decimal(line["vat_rate"])] += Decimal(line["net"])
    breakdown = []
    for rate in sorted(by_rate):
        net = by_rate[rate]
        vat = (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        breakdown.append({"rate": money(rate), "net": money(net), "vat": money(vat)})
    net = sum((Decimal(item["net"]) for item in breakdown), Decimal("0"))
    vat = sum((Decimal(item["vat"]) for item in breakdown), Decimal("0"))
    return breakdown, {"net": money(net), "vat": money(vat), "gross": money(net + vat)}


def document_data(
    *,
    kind: str,
    number: str,
    issued_at: datetime,
    organisation,
    event,
    payments,
    language: str,
    credited_invoice: Invoice | None = None,
) -> dict:
    """Everything an invoice or credit note prints, as plain data (JSON)."""
    issued_on = _local_date(issued_at, organisation.time_zone)
    terms = terms_data(organisation, issued_on=issued_on)
    if credited_invoice is None:
        vat_applies = organisation.vat_regime == VatRegime.SUBJECT
        lines = line_data(payments, language=language, vat_applies=vat_applies)
        buyer = buyer_data(payments[0])
    else:
        lines = credited_lines(credited_invoice, payments)
        buyer = credited_invoice.data["buyer"]
        terms["due_on"] = None
    breakdown, totals = totals_data(lines)
    return {
        "version": DATA_VERSION,
        "kind": kind,
        "number": number,
        "language": language,
        "issued_on": issued_on.isoformat(),
        "currency": payments[0].currency.upper(),
        "seller": seller_data(organisation),
        "buyer": buyer,
        "event": {
            "title": _translated(event, "title", language),
            "start": _local_date(event.start, event.time_zone).isoformat(),
            "end": _local_date(event.end, event.time_zone).isoformat(),
        },
        "lines": lines,
        "vat_breakdown": breakdown,
        "totals": totals,
        "terms": terms,
        "payment_reference": credited_invoice.number if credited_invoice else number,
        "credited_invoice": (
            None
            if credited_invoice is None
            else {
                "number": credited_invoice.number,
                "issued_on": credited_invoice.data["issued_on"],
            }
        ),
    }


# --- Issuing ---------------------------------------------------------------------------------


def _store(*, kind, number, issued_at, organisation, event, payments, language, credited=None):
    data = document_data(
        kind=kind,
        number=number,
        issued_at=issued_at,
        organisation=organisation,
        event=event,
        payments=payments,
        language=language,
        credited_invoice=credited,
    )
    buyer = data["buyer"]
    return Invoice.objects.create(
        organisation=organisation,
        event=event,
        kind=kind,
        number=number,
        credited_invoice=credited,
        issued_at=issued_at,
        due_on=data["terms"]["due_on"],
        language=language,
        currency=data["currency"],
        total_net=data["totals"]["net"],
        total_vat=data["totals"]["vat"],
        total_gross=data["totals"]["gross"],
        buyer_name=buyer["name"],
        buyer_email=buyer["email"],
        purchase_order_number=buyer["purchase_order_number"],
        data=data,
        pdf=build_document(data),
    )


def issue_invoice(*, payments: list[Payment], now=None) -> Invoice:
    """Issue one invoice for `payments` (payments on invoice of one event, awaiting their
    invoice, with the payer's details of the first) and email it to the payer. The
    organisation's legal and bank details must be complete (InvoicingError otherwise).

    Locks the payments' rows, then the organisation's counter for the year."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = list(
            Payment.objects.select_for_update(of=("self",))
            .select_related("registration__ticket_type", "registration__event__organisation")
            .filter(pk__in=[payment.pk for payment in payments])
            .order_by("pk")
        )
        if not locked:
            raise InvoicingError(_("Choose the registrations to invoice."))
        events = {payment.registration.event_id for payment in locked}
        if len(events) > 1:
            raise InvoicingError(_("One invoice covers the registrations of one event."))
        for payment in locked:
            if (
                payment.method != Payment.Method.INVOICE
                or payment.status != Payment.Status.CREATED
                or payment.invoice_id is not None
            ):
                raise InvoicingError(
                    _("%(registration)s is not awaiting an invoice.")
                    % {"registration": payment.registration}
                )
        event = locked[0].registration.event
        organisation = event.organisation
        problems = invoicing_problems(organisation)
        if problems:
            raise InvoicingError(
                _("Complete the organisation’s legal details first: %(problems)s")
                % {"problems": " ".join(problems)}
            )
        first = locked[0].registration
        language = first.language if first.language in ("fr", "en") else "fr"
        invoice = _store(
            kind=Invoice.Kind.INVOICE,
            number=next_number(organisation=organisation, kind=Invoice.Kind.INVOICE, issued_at=now),
            issued_at=now,
            organisation=organisation,
            event=event,
            payments=locked,
            language=language,
        )
        Payment.objects.filter(pk__in=[payment.pk for payment in locked]).update(invoice=invoice)
        if first.email or invoice.buyer_email:
            queue_email(OutgoingEmail.Kind.INVOICE, registration=first)
    return invoice


def credit_invoice(*, invoice: Invoice, payments=None, now=None) -> Invoice | None:
    """Issue the credit note of `invoice` for `payments` (all its payments not yet credited
    when None) and email it to the payer. Returns None when they are all credited already: a
    second call, or a second cancellation racing the first, issues nothing more.

    Locks the invoice's row first, so that two cancellations credit a payment once."""
    now = now or timezone.now()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.kind != Invoice.Kind.INVOICE:
            raise InvoicingError(_("Only an invoice can be credited."))
        open_payments = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("registration__ticket_type", "registration__event")
            .filter(invoice=invoice, credit_note__isnull=True)
            .order_by("pk")
        )
        if payments is not None:
            open_payments = open_payments.filter(pk__in=[payment.pk for payment in payments])
        to_credit = list(open_payments)
        if not to_credit:
            return None
        organisation = Organisation.objects.get(pk=invoice.organisation_id)
        credit_note = _store(
            kind=Invoice.Kind.CREDIT_NOTE,
            number=next_number(
                organisation=organisation, kind=Invoice.Kind.CREDIT_NOTE, issued_at=now
            ),
            issued_at=now,
            organisation=organisation,
            event=invoice.event,
            payments=to_credit,
            language=invoice.language,
            credited=invoice,
        )
        Payment.objects.filter(pk__in=[payment.pk for payment in to_credit]).update(
            credit_note=credit_note
        )
        still_open = Payment.objects.filter(invoice=invoice, credit_note__isnull=True).exists()
        invoice.status = (
            Invoice.Status.PARTIALLY_CREDITED if still_open else Invoice.Status.CREDITED
        )
        invoice.save(update_fields=["status"])
        first = to_credit[0].registration
        queue_email(OutgoingEmail.Kind.CREDIT_NOTE, registration=first)
    return credit_note
