"""The PDF of an invoice or a credit note: a pure builder that takes the document's frozen data
(payments.invoicing.document_data) and returns the bytes of a Factur-X PDF, in the document's
language.

- Every legal mention (payments/mentions.py), French labels for a French document, English for
  an English one.
- Every name prints: DejaVu Sans (shipped with Colloque, embedded as subsets); long texts wrap
  (platypus paragraphs), never cut; the lines' table goes on over as many pages as it needs,
  its header repeated, the totals after it.
- Factur-X (EN 16931 profile): the CII XML of payments/facturx.py embedded by the factur-x
  library, which writes the PDF/A-3 XMP metadata; the sRGB output intent PDF/A asks for is
  added here (common/color/sRGB.icc, made with Pillow's ImageCms).
- The same data gives the same bytes: reportlab runs "invariant" and every date the PDF
  carries (information dictionary, XMP, the embedded file's) is the document's date of issue.
"""

import io
import re
from datetime import date
from xml.sax.saxutils import escape

import facturx
from django.utils import formats, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus import TableStyle as Style

from common.pdf import FONT_DIR, LEFT, RIGHT
from payments.facturx import build_xml
from payments.mentions import (
    early_payment_mention,
    format_amount,
    format_percent,
    late_payment_mention,
    payment_terms_mention,
    recovery_indemnity_mention,
    vat_mention,
)

# Re-exported: the mentions' helpers were first defined here.
__all__ = ["build_document", "format_amount", "vat_mention"]

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
for _name in (REGULAR, BOLD):
    if _name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_name, str(FONT_DIR / f"{_name}.ttf")))
pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)

SRGB_PROFILE = (FONT_DIR.parent / "color" / "sRGB.icc").read_bytes()
# What the page's frame leaves between its margins (platypus frames pad 6 points a side).
WIDTH = RIGHT - LEFT - 12
GREY = colors.Color(0.45, 0.45, 0.45)
LIGHT = colors.Color(0.85, 0.85, 0.85)

BODY = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10.5)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=11)
CELL_RIGHT = ParagraphStyle("cell-right", parent=CELL, alignment=2)
CELL_BOLD = ParagraphStyle("cell-bold", parent=CELL, fontName=BOLD)
ATTENDEE = ParagraphStyle("attendee", parent=CELL, textColor=GREY, leftIndent=4 * mm)
SELLER = ParagraphStyle("seller", parent=BODY, fontName=BOLD, fontSize=12, leading=15)
TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=16, leading=20)
# Tables draw their plain-string cells (the empty ones of a spanned row) in Helvetica unless
# told otherwise.
FONT = [("FONT", (0, 0), (-1, -1), REGULAR)]
HEADING = ParagraphStyle("heading", parent=BODY, fontName=BOLD, fontSize=10, spaceBefore=4)


def _text(value) -> str:
    """Text for a paragraph: escaped, its line breaks kept."""
    return "<br/>".join(escape(part.strip()) for part in str(value or "").splitlines())


def _para(value, style=BODY) -> Paragraph:
    return Paragraph(_text(value), style)


def _labelled(label: str, value, style=BODY) -> Paragraph:
    label = _("%(label)s:") % {"label": capfirst(label)}
    return Paragraph(f"<b>{escape(label)}</b> {_text(value)}", style)


def _date(value: str | None) -> str:
    return formats.date_format(date.fromisoformat(value), "DATE_FORMAT") if value else ""


def _pdf_date(value: str) -> str:
    return "D:" + value.replace("-", "") + "000000+00'00'"


def build_document(data: dict) -> bytes:
    """The Factur-X PDF of the document `data` describes, in its language."""
    with translation.override(data["language"]):
        drawn = _draw(data)
        xml = build_xml(data)
        title = _title(data)
        return _factur_x(drawn, xml, data, title)


def _title(data: dict) -> str:
    label = _("Credit note") if data["kind"] == "credit_note" else _("Invoice")
    return f"{label} {data['number']}"


def _draw(data: dict) -> bytes:
    buffer = io.BytesIO()
    title = _title(data)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=A4[0] - RIGHT,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=title,
        author=data["seller"]["legal_name"],
        invariant=1,
        # Pages open in DejaVu Sans, not reportlab's default Helvetica, a font PDF/A would
        # need embedded.
        initialFontName=REGULAR,
    )

    def footer(page, doc):
        page.saveState()
        page.setFont(REGULAR, 7.5)
        page.setFillColor(GREY)
        text = _("%(title)s — page %(page)s") % {"title": title, "page": doc.page}
        page.drawRightString(RIGHT, 12 * mm, text)
        page.restoreState()

    document.build(_story(data, title), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _seller_block(seller: dict) -> list:
    flow = [_para(seller["legal_name"], SELLER)]
    flow.append(_para(seller["address"]))
    flow.append(_para(f"{seller['postcode']} {seller['city']}".strip()))
    if seller["country"] and seller["country"] != "FR":
        flow.append(_para(seller["country"]))
    flow.append(_labelled(_("SIRET"), seller["siret"]))
    if seller["vat_number"]:
        flow.append(_labelled(_("VAT number"), seller["vat_number"]))
    if seller.get("email"):
        flow.append(_labelled(_("Accounting contact"), seller["email"]))
    return flow


def _buyer_block(buyer: dict) -> list:
    flow = [Paragraph(escape(_("Billed to")), HEADING), _para(buyer["name"], CELL_BOLD)]
    flow.append(_para(buyer["address"]))
    if buyer.get("siret"):
        flow.append(_labelled(_("SIRET"), buyer["siret"]))
    if buyer.get("service_code"):
        flow.append(_labelled(_("Chorus Pro service code"), buyer["service_code"]))
    if buyer.get("purchase_order_number"):
        flow.append(
            _labelled(_("Purchase order / commitment number"), buyer["purchase_order_number"])
        )
    return flow


def _dates_block(data: dict) -> list:
    event, terms = data["event"], data["terms"]
    if event["start"] == event["end"]:
        when = _date(event["start"])
    else:
        when = _("from %(start)s to %(end)s") % {
            "start": _date(event["start"]),
            "end": _date(event["end"]),
        }
    flow = [
        _labelled(_("Date of issue"), _date(data["issued_on"])),
        _labelled(_("Service"), f"{event['title']} ({when})"),
    ]
    if data["credited_invoice"]:
        credited = data["credited_invoice"]
        flow.append(
            _labelled(
                _("Credits invoice"),
                _("%(number)s of %(date)s")
                % {"number": credited["number"], "date": _date(credited["issued_on"])},
            )
        )
    if terms["due_on"]:
        flow.append(_labelled(_("Due date"), _date(terms["due_on"])))
        flow.append(_labelled(_("Payment terms"), payment_terms_mention(terms)))
    return flow


def _lines_table(data: dict) -> Table:
    currency = data["currency"]
    rows = [
        [
            _para(_("Description"), CELL_BOLD),
            _para(_("Quantity"), CELL_RIGHT),
            _para(_("Unit price excl. VAT"), CELL_RIGHT),
            _para(_("VAT rate"), CELL_RIGHT),
            _para(_("Amount excl. VAT"), CELL_RIGHT),
        ]
    ]
    style = [
        *FONT,
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    vat_applies = data["seller"]["vat_regime"] == "subject"
    for item in data["lines"]:
        if len(rows) > 1:
            style.append(("LINEABOVE", (0, len(rows)), (-1, len(rows)), 0.3, LIGHT))
        rate = format_percent(item["vat_rate"]) if vat_applies else "—"
        rows.append(
            [
                _para(item["description"], CELL_BOLD),
                _para(item["quantity"], CELL_RIGHT),
                _para(format_amount(item["unit_price_net"], currency), CELL_RIGHT),
                _para(rate, CELL_RIGHT),
                _para(format_amount(item["net"], currency), CELL_RIGHT),
            ]
        )
        # One row per attendee, so that a group of any size breaks across pages.
        for attendee in item["attendees"]:
            style.append(("SPAN", (0, len(rows)), (-1, len(rows))))
            rows.append([_para(attendee, ATTENDEE), "", "", "", ""])
    widths = [WIDTH - 100 * mm, 19 * mm, 29 * mm, 20 * mm, 32 * mm]
    return Table(rows, colWidths=widths, repeatRows=1, style=Style(style))


def _totals_block(data: dict) -> list:
    currency, totals = data["currency"], data["totals"]
    seller = data["seller"]
    flow = []
    rows = []
    if seller["vat_regime"] == "subject":
        rows.append(
            [
                _para(_("VAT rate"), CELL_BOLD),
                _para(_("Base excl. VAT"), CELL_RIGHT),
                _para(_("VAT"), CELL_RIGHT),
            ]
        )
        rows.extend(
            [
                _para(format_percent(rate["rate"]), CELL),
                _para(format_amount(rate["net"], currency), CELL_RIGHT),
                _para(format_amount(rate["vat"], currency), CELL_RIGHT),
            ]
            for rate in data["vat_breakdown"]
        )
        flow.append(
            Table(
                rows,
                colWidths=[30 * mm, 35 * mm, 30 * mm],
                hAlign="RIGHT",
                style=Style([*FONT, ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black)]),
            )
        )
        flow.append(Spacer(0, 3 * mm))
    total_label = (
        _("Amount credited incl. VAT")
        if data["kind"] == "credit_note"
        else _("Total including VAT")
    )
    summary = [
        [
            _para(_("Total excluding VAT"), CELL),
            _para(format_amount(totals["net"], currency), CELL_RIGHT),
        ],
        [_para(_("VAT"), CELL), _para(format_amount(totals["vat"], currency), CELL_RIGHT)],
        [
            _para(total_label, CELL_BOLD),
            Paragraph(f"<b>{escape(format_amount(totals['gross'], currency))}</b>", CELL_RIGHT),
        ],
    ]
    flow.append(
        Table(
            summary,
            colWidths=[60 * mm, 35 * mm],
            hAlign="RIGHT",
            style=Style([*FONT, ("LINEABOVE", (0, 2), (-1, 2), 0.6, colors.black)]),
        )
    )
    mention = vat_mention(seller["vat_regime"])
    if mention:
        flow += [Spacer(0, 2 * mm), _para(mention, BODY)]
    return [KeepTogether(flow)]


def _payment_block(data: dict) -> list:
    seller, terms, currency = data["seller"], data["terms"], data["currency"]
    if data["kind"] == "credit_note":
        credited = data["credited_invoice"]
        return [
            _para(
                _(
                    "This credit note cancels %(amount)s of invoice %(number)s of %(date)s: "
                    "the amount is deducted from what the invoice asks, or refunded when it "
                    "was paid."
                )
                % {
                    "amount": format_amount(data["totals"]["gross"], currency),
                    "number": credited["number"],
                    "date": _date(credited["issued_on"]),
                }
            )
        ]
    bank = [
        Paragraph(escape(_("Payment by bank transfer")), HEADING),
        _labelled(_("Account holder"), seller["legal_name"]),
        _labelled("IBAN", seller["iban"]),
        _labelled("BIC", seller["bic"]),
        _labelled(_("Payment reference"), data["payment_reference"]),
        _para(
            _("Please quote the payment reference %(reference)s with your transfer.")
            % {"reference": data["payment_reference"]},
            SMALL,
        ),
    ]
    mentions = [
        _para(late_payment_mention(terms), SMALL),
        _para(recovery_indemnity_mention(terms, currency), SMALL),
        _para(early_payment_mention(terms), SMALL),
    ]
    return [KeepTogether(bank), Spacer(0, 4 * mm), *mentions]


def _story(data: dict, title: str) -> list:
    story = _seller_block(data["seller"])
    story += [Spacer(0, 6 * mm), _para(title, TITLE), Spacer(0, 2 * mm)]
    story += _dates_block(data)
    story.append(Spacer(0, 4 * mm))
    story += _buyer_block(data["buyer"])
    story += [Spacer(0, 6 * mm), _lines_table(data), Spacer(0, 4 * mm)]
    story += _totals_block(data)
    story.append(Spacer(0, 6 * mm))
    story += _payment_block(data)
    return story


# --- Factur-X, PDF/A-3 -----------------------------------------------------------------------

PDF_TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


def _factur_x(drawn: bytes, xml: bytes, data: dict, title: str) -> bytes:
    """`drawn` with `xml` embedded as Factur-X (EN 16931), an sRGB output intent, and the
    date of issue as every date it carries."""
    seller = data["seller"]["legal_name"]
    combined = facturx.generate_from_binary(
        drawn,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={
            "author": seller,
            "keywords": "Factur-X",
            "title": title,
            "subject": _("%(title)s of %(date)s issued by %(seller)s")
            % {"title": title, "date": _date(data["issued_on"]), "seller": seller},
        },
        lang=data["language"],
    )
    writer = PdfWriter(clone_from=io.BytesIO(combined))
    profile = DecodedStreamObject()
    profile.set_data(SRGB_PROFILE)
    profile = profile.flate_encode()
    profile[NameObject("/N")] = NumberObject(3)
    writer.root_object[NameObject("/OutputIntents")] = ArrayObject(
        [
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/OutputIntent"),
                    NameObject("/S"): NameObject("/GTS_PDFA1"),
                    NameObject("/OutputConditionIdentifier"): TextStringObject("sRGB"),
                    NameObject("/Info"): TextStringObject("sRGB IEC61966-2.1"),
                    NameObject("/DestOutputProfile"): profile,
                }
            )
        ]
    )
    # The date of issue wherever factur-x wrote the time of the build.
    issued = data["issued_on"]
    writer.add_metadata({"/CreationDate": _pdf_date(issued), "/ModDate": _pdf_date(issued)})
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    for filespec in names[1::2]:
        params = filespec.get_object()["/EF"]["/F"].get_object()["/Params"]
        params[NameObject("/ModDate")] = TextStringObject(_pdf_date(issued))
    xmp = writer.root_object["/Metadata"].get_object().get_data()
    writer.xmp_metadata = PDF_TIMESTAMP.sub(f"{issued}T00:00:00+00:00".encode(), xmp)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
