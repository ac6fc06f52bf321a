"""The PDF of an invoice or a credit note: a pure builder that takes the document's frozen data
(payments.invoicing.document_data) and returns bytes, in the document's language, in DejaVu
Sans (shipped with Colloque, embedded: every name prints)."""

import io
from datetime import date
from decimal import Decimal

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from common.pdf import FONT_DIR, LEFT

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
for _name in (REGULAR, BOLD):
    if _name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_name, str(FONT_DIR / f"{_name}.ttf")))


def format_amount(amount, currency: str = "EUR") -> str:
    """French formatting: "1 280,00 €"."""
    text = f"{Decimal(amount):,.2f}".replace(",", "\u202f").replace(".", ",")
    symbol = "€" if currency.upper() == "EUR" else currency.upper()
    return f"{text}\u00a0{symbol}"


def _date(value: str | None) -> str:
    return formats.date_format(date.fromisoformat(value), "DATE_FORMAT") if value else ""


def vat_mention(regime: str) -> str:
    """The VAT exemption mention an invoice must print (art. 242 nonies A of annex II to the
    CGI), in the document's language; "" for an organisation subject to VAT."""
    return {
        "293B": _("VAT not applicable, art. 293 B of the French General Tax Code (CGI)"),
        "261-4-4": _("VAT exemption, art. 261-4-4° of the French General Tax Code (CGI)"),
        "256B": _("VAT not applicable, art. 256 B of the French General Tax Code (CGI)"),
    }.get(regime, "")


def build_document(data: dict) -> bytes:
    """The PDF of the document `data` describes, in its language."""
    with translation.override(data["language"]):
        return _draw(data)


def _draw(data: dict) -> bytes:
    seller, buyer, terms = data["seller"], data["buyer"], data["terms"]
    credit_note = data["kind"] == "credit_note"
    title = _("Credit note") if credit_note else _("Invoice")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(f"{title} {data['number']}")
    pdf.setAuthor(seller["legal_name"])
    y = A4[1] - 25 * mm

    def line(text, *, size=10, bold=False, x=LEFT, step=5 * mm):
        nonlocal y
        pdf.setFont(BOLD if bold else REGULAR, size)
        pdf.drawString(x, y, str(text))
        y -= step

    def lines(text, **kwargs):
        for part in str(text or "").splitlines():
            if part.strip():
                line(part.strip(), **kwargs)

    line(seller["legal_name"], size=12, bold=True)
    lines(seller["address"])
    line(f"{seller['postcode']} {seller['city']}".strip())
    line(f"{_('SIRET')}\u00a0: {seller['siret']}")
    if seller["vat_number"]:
        line(f"{_('VAT number')}\u00a0: {seller['vat_number']}")
    y -= 6 * mm
    line(f"{title} {data['number']}", size=16, bold=True, step=7 * mm)
    line(f"{_('Date of issue')}\u00a0: {_date(data['issued_on'])}")
    if data["credited_invoice"]:
        line(f"{_('Credits invoice')}\u00a0: {data['credited_invoice']['number']}")
    if terms["due_on"]:
        line(f"{_('Due date')}\u00a0: {_date(terms['due_on'])}")
    y -= 4 * mm
    line(_("Billed to"), bold=True)
    line(buyer["name"])
    lines(buyer["address"])
    if buyer["purchase_order_number"]:
        line(f"{_('Purchase order number')}\u00a0: {buyer['purchase_order_number']}")
    y -= 6 * mm
    for item in data["lines"]:
        line(item["description"], bold=True)
        line(
            f"{item['quantity']} x {format_amount(item['unit_price_net'], data['currency'])}"
            f" — {format_amount(item['net'], data['currency'])}"
        )
    y -= 4 * mm
    totals = data["totals"]
    line(f"{_('Total excluding VAT')}\u00a0: {format_amount(totals['net'], data['currency'])}")
    line(f"{_('VAT')}\u00a0: {format_amount(totals['vat'], data['currency'])}")
    line(
        f"{_('Total including VAT')}\u00a0: {format_amount(totals['gross'], data['currency'])}",
        bold=True,
    )
    mention = vat_mention(seller["vat_regime"])
    if mention:
        line(mention, size=9)
    if not credit_note:
        y -= 4 * mm
        line(_("Payment by bank transfer"), bold=True)
        line(f"IBAN\u00a0: {seller['iban']}")
        line(f"BIC\u00a0: {seller['bic']}")
        line(f"{_('Payment reference')}\u00a0: {data['payment_reference']}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
