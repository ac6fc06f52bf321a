"""The legal mentions of invoices and credit notes, in the active language, from a document's
frozen data: the PDF (payments/invoice_pdf.py) prints them and the Factur-X XML
(payments/facturx.py) carries them, word for word.

French law: art. L441-9 of the Code de commerce (dates, parties, lines, payment date, late
penalty rate, fixed recovery indemnity, early-payment terms) and art. 242 nonies A of annex II
to the Code général des impôts (numbers, VAT per rate, exemption mention); the 40 € indemnity
is owed by public buyers too (art. L2192-13 and D2192-35 of the Code de la commande publique).
"""

from decimal import Decimal

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def format_amount(amount, currency: str = "EUR") -> str:
    """An amount as the document's language writes it: "1 280,00 €", "€1,280.00"."""
    value = Decimal(amount)
    symbol = "€" if currency.upper() == "EUR" else currency.upper()
    if translation.get_language() == "en":
        text = f"{value:,.2f}"
        return f"{symbol}{text}" if symbol == "€" else f"{text}\u00a0{symbol}"
    text = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0{symbol}"


def format_rate(rate) -> str:
    """A percentage without its sign: "5,5", "20", "10.75"."""
    value = Decimal(rate).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return formats.number_format(value, use_l10n=True)


def format_percent(rate) -> str:
    """A percentage with its sign: "5,5 %", "20%"."""
    return _("%(rate)s%%") % {"rate": format_rate(rate)}


def vat_mention(regime: str) -> str:
    """The VAT exemption mention an invoice must print (art. 242 nonies A of annex II to the
    CGI); "" for an organisation subject to VAT."""
    return {
        "293B": _("VAT not applicable, art. 293 B of the French General Tax Code (CGI)"),
        "261-4-4": _("VAT exemption, art. 261-4-4° of the French General Tax Code (CGI)"),
        "256B": _("VAT not applicable, art. 256 B of the French General Tax Code (CGI)"),
    }.get(regime, "")


def payment_terms_mention(terms: dict) -> str:
    days = terms["payment_terms_days"]
    return ngettext(
        "Payment within %(days)s day of the invoice date, by bank transfer.",
        "Payment within %(days)s days of the invoice date, by bank transfer.",
        days,
    ) % {"days": days}


def late_payment_mention(terms: dict) -> str:
    if terms["late_payment_rate"] is None:
        return _(
            "Late-payment penalties: the European Central Bank’s refinancing rate plus 10 "
            "points, due from the day after the due date."
        )
    return _("Late-payment penalties: %(rate)s%% a year, due from the day after the due date.") % {
        "rate": format_rate(terms["late_payment_rate"])
    }


def recovery_indemnity_mention(terms: dict, currency: str) -> str:
    return _(
        "Fixed indemnity for recovery costs owed by a professional or public buyer paying "
        "late: %(amount)s (art. L441-10 of the French Commercial Code; art. L2192-13 of the "
        "French Public Procurement Code)."
    ) % {"amount": format_amount(terms["recovery_indemnity"], currency)}


def early_payment_mention(terms: dict) -> str:
    if terms["early_payment_discount"] is None:
        return _("No discount for early payment.")
    return _("Discount for early payment: %(rate)s%%.") % {
        "rate": format_rate(terms["early_payment_discount"])
    }
