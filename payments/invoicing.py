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
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit import services as audit
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
    lines: list[dict] | None = None,
) -> dict:
    """Everything an invoice or credit note prints, as plain data (JSON). A credit note
    prints the lines of its invoice for `payments`, or the `lines` given (a partial credit
    by amount, which credits no payment)."""
    issued_on = _local_date(issued_at, organisation.time_zone)
    terms = terms_data(organisation, issued_on=issued_on)
    if credited_invoice is None:
        vat_applies = organisation.vat_regime == VatRegime.SUBJECT
        lines = line_data(payments, language=language, vat_applies=vat_applies)
        buyer = buyer_data(payments[0])
    else:
        if lines is None:
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
        "currency": payments[0].currency.upper() if payments else credited_invoice.currency,
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
    return _save(
        data, organisation=organisation, event=event, issued_at=issued_at, credited=credited
    )


def _save(data: dict, *, organisation, event, issued_at, credited=None) -> Invoice:
    """Store a document's data and its PDF, drawn once from that data."""
    kind, number, language = data["kind"], data["number"], data["language"]
    buyer = data["buyer"]
    return Invoice.objects.create(
        organisation=organisation,
        event=event,
        kind=kind,
        number=number,
        credited_invoice=credited,
        issued_at=issued_at,
        due_on=date.fromisoformat(data["terms"]["due_on"]) if data["terms"]["due_on"] else None,
        language=language,
        currency=data["currency"],
        total_net=Decimal(data["totals"]["net"]),
        total_vat=Decimal(data["totals"]["vat"]),
        total_gross=Decimal(data["totals"]["gross"]),
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


# --- Crediting -------------------------------------------------------------------------------
#
# A credit note (avoir) credits its invoice's lines for some of its payments (a cancelled
# registration; the organiser's "cancel invoice" credits them all), or an amount (a partial
# refund). What an invoice's credit notes add up to never exceeds the invoice: the last credit
# note takes what remains of each rate to the cent, so that the cents each credit note's own
# rounding left do not pile up.


def _by_rate(breakdown: list[dict]) -> dict[Decimal, tuple[Decimal, Decimal]]:
    return {
        Decimal(item["rate"]): (Decimal(item["net"]), Decimal(item["vat"])) for item in breakdown
    }


def uncredited_by_rate(invoice: Invoice) -> dict[Decimal, list[Decimal]]:
    """What no credit note of `invoice` has credited yet, per VAT rate: [net, VAT]."""
    remaining = {
        rate: [net, vat] for rate, (net, vat) in _by_rate(invoice.data["vat_breakdown"]).items()
    }
    for note in Invoice.objects.filter(credited_invoice=invoice).only("data"):
        for rate, (net, vat) in _by_rate(note.data["vat_breakdown"]).items():
            left = remaining.setdefault(rate, [Decimal("0"), Decimal("0")])
            left[0] -= net
            left[1] -= vat
    return remaining


def uncredited_amount(invoice: Invoice) -> Decimal:
    """What remains of `invoice` to credit, including VAT."""
    return sum((net + vat for net, vat in uncredited_by_rate(invoice).values()), Decimal("0"))


def _net_of(amount: Decimal, rate: Decimal) -> Decimal:
    """The net amount whose VAT at `rate`, rounded to the cent, makes `amount` with it."""
    first = (amount / (1 + rate / 100)).quantize(CENT, rounding=ROUND_HALF_UP)
    for step in (0, -1, 1, -2, 2):
        net = first + step * CENT
        if net + (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP) == amount:
            return net
    return first


def _close(data: dict, remaining: dict, *, tolerance: Decimal) -> None:
    """Make the credit note `data` credit exactly what remains of its invoice: per rate, the
    net and VAT left, the rounding cents (at most `tolerance`) going on the rate's last line.
    InvoicingError if the lines ask for more (or less) than that."""
    breakdown = []
    for rate, (net, vat) in sorted(remaining.items()):
        lines = [line for line in data["lines"] if Decimal(line["vat_rate"]) == rate]
        gap = net - sum((Decimal(line["net"]) for line in lines), Decimal("0"))
        if not lines:
            if net or vat:
                raise InvoicingError(_("What remains of this invoice cannot be credited so."))
            continue
        if abs(gap) > tolerance:
            raise InvoicingError(
                _("This credit note would credit more than what remains of invoice %(number)s.")
                % {"number": data["credited_invoice"]["number"]}
            )
        lines[-1]["net"] = money(Decimal(lines[-1]["net"]) + gap)
        breakdown.append({"rate": money(rate), "net": money(net), "vat": money(vat)})
    net = sum((Decimal(item["net"]) for item in breakdown), Decimal("0"))
    vat = sum((Decimal(item["vat"]) for item in breakdown), Decimal("0"))
    data["vat_breakdown"] = breakdown
    data["totals"] = {"net": money(net), "vat": money(vat), "gross": money(net + vat)}


def partial_credit_line(invoice: Invoice, amount: Decimal) -> dict:
    """The one line of a partial credit by amount (including VAT), at the invoice's VAT
    rate. An invoice with several rates is refused rather than split: which rate a refund
    falls under is the organiser's to say, by crediting the registrations' lines."""
    rates = [Decimal(item["rate"]) for item in invoice.data["vat_breakdown"]]
    if len(rates) != 1:
        raise InvoicingError(
            _(
                "Invoice %(number)s has several VAT rates: a partial credit by amount cannot "
                "say which one it falls under. Cancel the registrations to credit instead."
            )
            % {"number": invoice.number}
        )
    [rate] = rates
    net = _net_of(amount, rate)
    with translation.override(invoice.language):
        description = _("Partial credit of invoice %(number)s") % {"number": invoice.number}
    return {
        "description": description,
        "attendees": [],
        "registration_ids": [],
        "payment_ids": [],
        "quantity": 1,
        "unit_price_gross": money(amount),
        "unit_price_net": str(net.quantize(UNIT)),
        "vat_rate": money(rate),
        "net": money(net),
    }


def clean_credit_amount(invoice: Invoice, amount) -> Decimal:
    """A partial credit's amount (including VAT), checked: positive, in cents, never more
    than what remains of the invoice. Raises InvoicingError with the reason."""
    try:
        amount = Decimal(str(amount))
    except ArithmeticError as error:
        raise InvoicingError(_("Enter an amount, such as 20.00.")) from error
    if not amount.is_finite() or amount <= 0:
        raise InvoicingError(_("Enter an amount greater than zero."))
    if amount != amount.quantize(CENT):
        raise InvoicingError(_("Enter an amount in cents at most, such as 20.50."))
    remaining = uncredited_amount(invoice)
    if amount > remaining:
        raise InvoicingError(
            _("At most %(remaining)s %(currency)s of invoice %(number)s remains to credit.")
            % {
                "remaining": money(remaining),
                "currency": invoice.currency,
                "number": invoice.number,
            }
        )
    return amount


def credit_invoice(
    *, invoice: Invoice, payments=None, amount=None, now=None, action="invoice.credit_note"
) -> Invoice | None:
    """Issue a credit note of `invoice` and email it to the payer:
    - by default, for `payments` (all its payments not yet credited when None): the lines the
      invoice printed for them. Returns None when they are all credited already: a second
      call, or a second cancellation racing the first, issues nothing more;
    - with `amount` (including VAT), one line "Partial credit of invoice F…" at the invoice's
      VAT rate (refused with several rates), at most what remains uncredited. When it credits
      all that remains, it also credits the payments still open.
    The invoice becomes "partially credited", or "credited" once nothing remains. Raises
    InvoicingError on a document that is not an invoice, a bad amount, or more than remains.

    Locks the invoice's row first, so that two cancellations credit a payment once; then the
    payments', then the organisation's credit note counter. The trail records it as `action`
    on the invoice (the invoice's cancellation names its own)."""
    now = now or timezone.now()
    if amount is not None and payments is not None:
        raise ValueError("credit_invoice takes payments or an amount, not both")
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
        still_open = list(open_payments)
        if amount is not None:
            amount = clean_credit_amount(invoice, amount)
            to_credit, lines = [], [partial_credit_line(invoice, amount)]
        else:
            if payments is not None:
                wanted = {payment.pk for payment in payments}
                to_credit = [payment for payment in still_open if payment.pk in wanted]
            else:
                to_credit = still_open
            if not to_credit:
                return None
            lines = None
        remaining = uncredited_by_rate(invoice)
        remaining_gross = sum((net + vat for net, vat in remaining.values()), Decimal("0"))
        organisation = Organisation.objects.get(pk=invoice.organisation_id)
        data = document_data(
            kind=Invoice.Kind.CREDIT_NOTE,
            number=next_number(
                organisation=organisation, kind=Invoice.Kind.CREDIT_NOTE, issued_at=now
            ),
            issued_at=now,
            organisation=organisation,
            event=invoice.event,
            payments=to_credit,
            language=invoice.language,
            credited_invoice=invoice,
            lines=lines,
        )
        closing = (
            amount == remaining_gross if amount is not None else len(to_credit) == len(still_open)
        )
        if closing:
            notes = Invoice.objects.filter(credited_invoice=invoice).count()
            # A closing amount is what remains to the cent: its net and VAT are what remain.
            tolerance = remaining_gross if amount is not None else CENT * max(notes, 1)
            _close(data, remaining, tolerance=tolerance)
            to_credit = still_open
        elif Decimal(data["totals"]["gross"]) > remaining_gross:
            raise InvoicingError(
                _("This credit note would credit more than what remains of invoice %(number)s.")
                % {"number": invoice.number}
            )
        credit_note = _save(
            data,
            organisation=organisation,
            event=invoice.event,
            issued_at=now,
            credited=invoice,
        )
        Payment.objects.filter(pk__in=[payment.pk for payment in to_credit]).update(
            credit_note=credit_note
        )
        status_before = invoice.status
        invoice.status = Invoice.Status.CREDITED if closing else Invoice.Status.PARTIALLY_CREDITED
        invoice.save(update_fields=["status"])
        audit.record(
            action,
            invoice,
            changes={
                "status": [status_before, invoice.status],
                "credit_note": [None, credit_note.number],
                "amount": [None, credit_note.total_gross],
            },
        )
        addressee = (to_credit or still_open or [None])[0]
        if addressee is None:
            addressee = invoice.payments.select_related("registration").order_by("pk").first()
        if addressee is not None and addressee.registration.email:
            queue_email(OutgoingEmail.Kind.CREDIT_NOTE, registration=addressee.registration)
    return credit_note
