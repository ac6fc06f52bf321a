"""The Factur-X XML of an invoice or a credit note (UN/CEFACT CII, EN 16931 profile), built
with drafthorse from the document's frozen data (payments.invoicing.document_data) alone, in
the document's language: what `payments.invoice_pdf.build_document` embeds in the PDF/A-3.

How the French cases map onto EN 16931:
- TypeCode 380 for an invoice, 381 for a credit note, which references the invoice it
  credits (BT-25, BT-26); amounts of a credit note are positive, as the norm wants.
- Seller: legal name, SIRET as legal registration identifier (schemeID 0002), VAT number
  (VA) when the organisation has one, accounts email as electronic address (EM), postal
  address. Buyer: name, SIRET (0002) when given, postal address; the Chorus Pro service code
  is the buyer reference (BT-10), the purchase order / commitment number the order reference
  (BT-13).
- VAT categories: S (standard, with its rate) for an organisation subject to VAT; E (exempt)
  with its reason text (BT-120) and code (BT-121) for art. 293 B (VATEX-FR-FRANCHISE) and
  art. 261-4-4° (VATEX-FR-CGI261-4); O (not subject to VAT, VATEX-EU-O) for art. 256 B, a
  public body's non-economic activity, which then carries no seller VAT number (BR-O-02). An
  exempt seller without a VAT number gives its SIREN as tax registration (FC), which BR-E-02
  requires.
- Payment: SEPA credit transfer (58) to the organisation's IBAN/BIC, remittance information
  = the invoice number, due date and terms text; the late-payment and recovery-indemnity
  mentions as notes (subject codes PMD, PMT, AAB as the French practice has them).
- The event's dates are the invoicing period (BG-14), the date of the service.
"""

from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem

from payments.mentions import (
    early_payment_mention,
    late_payment_mention,
    payment_terms_mention,
    recovery_indemnity_mention,
    vat_mention,
)

PROFILE = "urn:cen.eu:en16931:2017"
SCHEMA = "FACTUR-X_EN16931"
# VAT category and exemption reason code (BT-118, BT-121) per regime.
CATEGORIES = {
    "subject": ("S", ""),
    "293B": ("E", "VATEX-FR-FRANCHISE"),
    "261-4-4": ("E", "VATEX-FR-CGI261-4"),
    "256B": ("O", "VATEX-EU-O"),
}
SIRET_SCHEME = "0002"
UNIT = "C62"  # "one": a seat


def _amount(value) -> Decimal:
    return Decimal(value)


def _date(value: str) -> date:
    return date.fromisoformat(value)


def _address(party, *, lines: list[str], postcode: str = "", city: str = "", country="FR"):
    lines = [line.strip() for line in lines if line.strip()]
    if lines:
        party.address.line_one = lines[0]
    if len(lines) > 1:
        party.address.line_two = lines[1]
    if len(lines) > 2:  # CII has three address lines
        party.address.line_three = ", ".join(lines[2:])
    if postcode:
        party.address.postcode = postcode
    if city:
        party.address.city_name = city
    party.address.country_id = country or "FR"


def build_xml(data: dict) -> bytes:
    """The CII XML (EN 16931) of the document `data` describes, in its language."""
    with translation.override(data["language"]):
        return _build(data)


def _build(data: dict) -> bytes:
    seller, buyer, terms = data["seller"], data["buyer"], data["terms"]
    currency = data["currency"]
    credit_note = data["kind"] == "credit_note"
    category, reason_code = CATEGORIES[seller["vat_regime"]]
    reason = vat_mention(seller["vat_regime"])

    doc = Document()
    doc.context.guideline_parameter.id = PROFILE
    doc.header.id = data["number"]
    doc.header.type_code = "381" if credit_note else "380"
    doc.header.issue_date_time = _date(data["issued_on"])
    notes = [("", f"{data['event']['title']}")]
    if not credit_note:
        notes += [
            ("PMD", late_payment_mention(terms)),
            ("PMT", recovery_indemnity_mention(terms, currency)),
            ("AAB", early_payment_mention(terms)),
        ]
    for subject, content in notes:
        note = IncludedNote(content=content)
        if subject:
            note.subject_code = subject
        doc.header.notes.add(note)

    agreement = doc.trade.agreement
    if buyer.get("service_code"):
        agreement.buyer_reference = buyer["service_code"]
    party = agreement.seller
    party.name = seller["legal_name"]
    party.legal_organization.id = (SIRET_SCHEME, seller["siret"])
    _address(
        party,
        lines=str(seller["address"] or "").splitlines(),
        postcode=seller["postcode"],
        city=seller["city"],
        country=seller["country"],
    )
    if seller.get("email"):
        party.electronic_address.uri_ID = ("EM", seller["email"])
    if category != "O" and seller["vat_number"]:
        party.tax_registrations.add(TaxRegistration(id=("VA", seller["vat_number"])))
    elif category == "E":
        party.tax_registrations.add(TaxRegistration(id=("FC", seller["siret"][:9])))
    party = agreement.buyer
    party.name = buyer["name"]
    if buyer.get("siret"):
        party.legal_organization.id = (SIRET_SCHEME, buyer["siret"])
    _address(party, lines=str(buyer["address"] or "").splitlines(), country=buyer["country"])
    if buyer.get("purchase_order_number"):
        agreement.buyer_order.issuer_assigned_id = buyer["purchase_order_number"]

    for index, item in enumerate(data["lines"], start=1):
        line = LineItem()
        line.document.line_id = str(index)
        line.product.name = item["description"]
        if item["attendees"]:
            line.product.description = ", ".join(item["attendees"])
        line.agreement.net.amount = _amount(item["unit_price_net"])
        line.delivery.billed_quantity = (Decimal(item["quantity"]), UNIT)
        line.settlement.trade_tax.type_code = "VAT"
        line.settlement.trade_tax.category_code = category
        if category != "O":  # S: its rate; E: 0 (BR-E-05); O: none (BR-O-05)
            line.settlement.trade_tax.rate_applicable_percent = _amount(item["vat_rate"])
        line.settlement.monetary_summation.total_amount = _amount(item["net"])
        doc.trade.items.add(line)

    doc.trade.delivery.event.occurrence = _date(data["event"]["end"])  # BT-72
    settlement = doc.trade.settlement
    settlement.currency_code = currency
    settlement.payment_reference = data["payment_reference"]
    settlement.period.start = _date(data["event"]["start"])
    settlement.period.end = _date(data["event"]["end"])
    if not credit_note:
        means = PaymentMeans()
        means.type_code = "58"
        means.payee_account.iban = seller["iban"].replace(" ", "")
        means.payee_institution.bic = seller["bic"]
        settlement.payment_means.add(means)
    for rate in data["vat_breakdown"]:
        tax = ApplicableTradeTax()
        tax.calculated_amount = _amount(rate["vat"])
        tax.basis_amount = _amount(rate["net"])
        tax.type_code = "VAT"
        tax.category_code = category
        if category != "O":
            tax.rate_applicable_percent = _amount(rate["rate"])
        if category != "S":
            tax.exemption_reason = reason
            tax.exemption_reason_code = reason_code
        settlement.trade_tax.add(tax)
    payment_terms = PaymentTerms()
    if credit_note:
        payment_terms.description = _(
            "Credits invoice %(number)s: %(amount)s deducted from what it asks, or refunded "
            "when it was paid."
        ) % {
            "number": data["credited_invoice"]["number"],
            "amount": f"{data['totals']['gross']} {currency}",
        }
    else:
        payment_terms.description = payment_terms_mention(terms)
        payment_terms.due = _date(terms["due_on"])
    settlement.terms.add(payment_terms)
    if credit_note:
        reference = settlement.invoice_referenced_document
        reference.issuer_assigned_id = data["credited_invoice"]["number"]
        reference.issue_date_time = _date(data["credited_invoice"]["issued_on"])
    totals, summation = data["totals"], settlement.monetary_summation
    summation.line_total = _amount(totals["net"])
    summation.charge_total = Decimal("0.00")
    summation.allowance_total = Decimal("0.00")
    summation.tax_basis_total = _amount(totals["net"])
    summation.tax_total = (_amount(totals["vat"]), currency)
    summation.grand_total = _amount(totals["gross"])
    summation.prepaid_total = Decimal("0.00")
    summation.due_amount = _amount(totals["gross"])
    return doc.serialize(schema=SCHEMA)
