"""The sales journal: one line per invoice and credit note, as issued (read from the frozen
data, never from today's tickets or organisation), for the accountant.

Columns: date of issue, number, kind, credited invoice, event, payer, payer's SIRET, purchase
order or commitment number, then net / VAT / gross for each VAT rate found among the
documents, the totals, the state and the date of payment. Credit notes count negative, so that
a column's sum is what the organisation is owed in the end.

Formats (pure builders, no request):
- CSV as the registrations export writes it for a French Excel: UTF-8 with a byte order mark,
  `;` between cells, amounts with the decimal separator of the user's language (a comma in
  French: 1234,50; a point in English: 1234.50), no thousands separator, dates as YYYY-MM-DD
  (which every spreadsheet reads as a date), text that looks like a formula neutralised;
- XLSX (openpyxl) with real numbers and dates;
- ZIP: every document's stored PDF and the journal's CSV, for the same documents.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from payments.models import Invoice
from registrations.exports import BOM, neutralise

ZERO = Decimal("0.00")
JOURNAL_CSV = "journal.csv"


def journal_documents(invoices, *, event=None, start: date | None = None, end: date | None = None):
    """`invoices` (already scoped to the user's organisations) of `event`, issued from
    `start` to `end` included (days in the site's time zone), in the order of issue."""
    if event is not None:
        invoices = invoices.filter(event=event)
    zone = ZoneInfo(settings.TIME_ZONE)
    if start is not None:
        invoices = invoices.filter(issued_at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end is not None:
        after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        invoices = invoices.filter(issued_at__lt=after)
    return invoices.order_by("issued_at", "pk")


@dataclass
class RateAmounts:
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO


@dataclass
class JournalLine:
    issued_on: date
    number: str
    kind: str
    credited_invoice: str
    event: str
    payer: str
    payer_siret: str
    purchase_order_number: str
    by_rate: dict[Decimal, RateAmounts] = field(default_factory=dict)
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO
    state: str = ""
    paid_on: date | None = None


def journal_line(document: Invoice) -> JournalLine:
    data = document.data
    sign = -1 if document.is_credit_note else 1
    by_rate = {}
    for item in data.get("vat_breakdown", []):
        net, vat = Decimal(item["net"]) * sign, Decimal(item["vat"]) * sign
        by_rate[Decimal(item["rate"])] = RateAmounts(net=net, vat=vat, gross=net + vat)
    buyer = data.get("buyer", {})
    return JournalLine(
        issued_on=date.fromisoformat(data["issued_on"]),
        number=document.number,
        kind=document.get_kind_display(),
        credited_invoice=(data.get("credited_invoice") or {}).get("number", ""),
        event=data.get("event", {}).get("title", ""),
        payer=buyer.get("name", "") or document.buyer_name,
        payer_siret=buyer.get("siret", ""),
        purchase_order_number=buyer.get("purchase_order_number", ""),
        by_rate=by_rate,
        net=document.total_net * sign,
        vat=document.total_vat * sign,
        gross=document.total_gross * sign,
        state=document.get_status_display(),
        paid_on=(
            document.paid_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
            if document.paid_at
            else None
        ),
    )


def journal_lines(documents) -> list[JournalLine]:
    return [journal_line(document) for document in documents]


def _rate_label(rate: Decimal) -> str:
    text = format(rate.normalize(), "f")
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


def journal_table(lines: list[JournalLine]) -> tuple[list[str], list[list]]:
    """The journal's headings (in the active language) and rows (dates, Decimals, text)."""
    rates = sorted({rate for line in lines for rate in line.by_rate})
    headings = [
        _("Date"),
        _("Number"),
        _("Kind"),
        _("Credited invoice"),
        _("Event"),
        _("Payer"),
        _("Payer’s SIRET"),
        _("Purchase order or commitment number"),
    ]
    for rate in rates:
        label = _rate_label(rate)
        headings += [
            _("Net at %(rate)s %%") % {"rate": label},
            _("VAT at %(rate)s %%") % {"rate": label},
            _("Gross at %(rate)s %%") % {"rate": label},
        ]
    headings += [
        _("Total excluding VAT"),
        _("Total VAT"),
        _("Total including VAT"),
        _("State"),
        _("Paid on"),
    ]
    rows = []
    for line in lines:
        row = [
            line.issued_on,
            line.number,
            line.kind,
            line.credited_invoice,
            line.event,
            line.payer,
            line.payer_siret,
            line.purchase_order_number,
        ]
        for rate in rates:
            amounts = line.by_rate.get(rate, RateAmounts())
            row += [amounts.net, amounts.vat, amounts.gross]
        row += [line.net, line.vat, line.gross, line.state, line.paid_on]
        rows.append(row)
    return headings, rows


def _csv_cell(value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", get_format("DECIMAL_SEPARATOR"))
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def journal_csv(lines: list[JournalLine]) -> bytes:
    headings, rows = journal_table(lines)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(heading) for heading in headings])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def journal_xlsx(lines: list[JournalLine]) -> bytes:
    headings, rows = journal_table(lines)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Sales journal")[:31]
    sheet.append(headings)
    for row in rows:
        sheet.append(
            [value if isinstance(value, Decimal | date) else neutralise(value) for value in row]
        )
    for column, heading in enumerate(headings, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = max(12, min(len(heading) + 2, 40))
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def journal_zip(documents) -> bytes:
    """The stored PDF of each document and the journal of exactly these documents."""
    documents = list(documents)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JOURNAL_CSV, journal_csv(journal_lines(documents)))
        for document in documents:
            archive.writestr(document.filename, bytes(document.pdf))
    return buffer.getvalue()
