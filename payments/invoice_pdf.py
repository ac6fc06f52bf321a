"""The invoice of a payment by bank transfer, as a PDF: a pure builder that takes the Payment
and returns bytes (reportlab, standard fonts: nothing loaded from elsewhere).

It carries what a French public body's accounts department needs: the organisation's legal
name, address, SIRET and VAT number or mention, the invoice number and date, the paying body
and its purchase-order number, the line (ticket, event, dates), the amounts in euros, the bank
details and the payment reference (the invoice number), and the due date."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from common.pdf import LEFT, RIGHT


def format_amount(amount: Decimal, currency: str = "EUR") -> str:
    """French formatting: "1 280,00 €"."""
    text = f"{Decimal(amount):,.2f}".replace(",", " ").replace(".", ",")
    symbol = "€" if currency.upper() == "EUR" else currency.upper()
    return f"{text} {symbol}"


def _date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def build_invoice(payment) -> bytes:
    """The invoice of an invoice Payment, in the attendee's language, as PDF bytes."""
    registration = payment.registration
    language = registration.language if registration.language in ("fr", "en") else "fr"
    with translation.override(language):
        return _draw(payment, registration)


def _draw(payment, registration) -> bytes:
    event = registration.event
    organisation = event.organisation
    issued = payment.created_at
    due = payment.due_at or issued + timedelta(days=settings.INVOICE_RELEASE_DAYS)
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{_('Invoice')} {payment.invoice_number}")
    pdf.setAuthor(organisation.legal_name or organisation.name)
    y = A4[1] - 25 * mm

    def line(text, *, size=10, bold=False, x=LEFT, step=5 * mm):
        nonlocal y
        pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        pdf.drawString(x, y, str(text))
        y -= step

    def lines(text, **kwargs):
        for part in str(text or "").splitlines():
            if part.strip():
                line(part.strip(), **kwargs)

    # Seller.
    line(organisation.legal_name or organisation.name, size=12, bold=True)
    lines(organisation.address)
    if organisation.siret:
        line(f"{_('SIRET')} : {organisation.siret}")
    if organisation.vat_number:
        line(f"{_('VAT number')} : {organisation.vat_number}")
    y -= 6 * mm
    line(f"{_('Invoice')} {payment.invoice_number}", size=16, bold=True, step=7 * mm)
    line(f"{_('Invoice date')} : {_date(issued)}")
    line(f"{_('Due date')} : {_date(due)}")
    y -= 4 * mm
    # Buyer.
    line(_("Billed to"), bold=True)
    line(payment.billing_name)
    lines(payment.billing_address)
    if payment.purchase_order_number:
        line(f"{_('Purchase order number')} : {payment.purchase_order_number}")
    line(f"{_('Attendee')} : {registration.full_name}")
    y -= 6 * mm
    # The line.
    columns = (LEFT, LEFT + 100 * mm, LEFT + 120 * mm, RIGHT)
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(columns[0], y, _("Description"))
    pdf.drawString(columns[1], y, _("Quantity"))
    pdf.drawString(columns[2], y, _("Unit price"))
    pdf.drawRightString(columns[3], y, _("Total"))
    y -= 6 * mm
    pdf.setFont("Helvetica", 10)
    unit = format_amount(payment.amount, payment.currency)
    pdf.drawString(columns[0], y, str(registration.ticket_type.name)[:60])
    pdf.drawString(columns[1], y, "1")
    pdf.drawString(columns[2], y, unit)
    pdf.drawRightString(columns[3], y, unit)
    y -= 5 * mm
    line(str(event.title)[:80])
    line(f"{_date(event.start)} - {_date(event.end)}")
    y -= 4 * mm
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(columns[2], y, _("Total due"))
    pdf.drawRightString(columns[3], y, unit)
    y -= 6 * mm
    if organisation.vat_mention:
        line(organisation.vat_mention, size=9)
    y -= 6 * mm
    # Payment.
    line(_("Payment by bank transfer"), bold=True)
    if organisation.iban:
        line(f"IBAN : {organisation.iban}")
    if organisation.bic:
        line(f"BIC : {organisation.bic}")
    line(f"{_('Payment reference')} : {payment.invoice_number}")
    line(f"{_('To be paid by')} : {_date(due)}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
