"""Badges as the attendee and the door staff get them: a PNG on the attendee's page and in the
confirmation email, sheets of badges as a PDF; every QR code read back with a real decoder
(zxing-cpp), every name read back from the PDF's text."""

import email
import io
import re
import secrets

import pypdfium2
import pytest
import qrcode
import zxingcpp
from django.core import mail
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from badges import render as badges
from checkin.services import check_in, entrance_checkpoint
from payments.models import Payment
from registrations import emails, services
from registrations.models import OutgoingEmail, Registration, TicketType
from tests.factories import UserFactory
from tests.registrations.attendee_steps import colloquium_ticket, page_text
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

ALESSIA = ("Alessia", "Lefébure")
# 60 characters, with Œ, Æ, Ñ and ø.
LONG_NAME = ("Ænora-Œdilie Ñúñez", "de la Fontaine-Brøndby-Sørensen Castañeda")


# --- Reading badges back ---------------------------------------------------------------------


def qr_codes_in(image: Image.Image) -> list[str]:
    """The text of every QR code zxing-cpp finds in `image`."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in found]


def qr_codes_in_png(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return qr_codes_in(image)


def pdf_pages(pdf: bytes, dpi: int = 150) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    return [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in document]


def qr_codes_in_pdf(pdf: bytes) -> list[list[str]]:
    """Per page, the QR codes read from the page rendered at 150 dpi."""
    return [qr_codes_in(page) for page in pdf_pages(pdf)]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, its lines joined by spaces (a name may take two lines)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def badge_of(first_name="Camille", last_name="Durand", **fields) -> Registration:
    fields.setdefault("ticket_type__event__title_fr", "Protection sociale et territoires")
    return RegistrationFactory(first_name=first_name, last_name=last_name, **fields)


# --- The QR code ----------------------------------------------------------------------------


def matrix_image(matrix: list[list[bool]], scale: int = 4) -> Image.Image:
    """The code drawn in black on white, `scale` pixels a module, with its 4-module quiet zone."""
    side = (len(matrix) + 2 * badges.QUIET_ZONE) * scale
    image = Image.new("L", (side, side), 255)
    pixels = image.load()
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    for dx in range(scale):
                        x, y = (
                            (badges.QUIET_ZONE + c) * scale + dx,
                            (badges.QUIET_ZONE + r) * scale + dy,
                        )
                        pixels[x, y] = 0
    return image


def test_every_badge_token_reads_back_from_its_code():
    tokens = [secrets.token_urlsafe(18) for _ in range(40)]
    # Tokens of digits or capitals only still read back as themselves, in a code of one size.
    tokens += ["0" * 24, "ABCDEFGHIJKLMNOPQRSTUVWX", "-_-_-_-_-_-_-_-_-_-_-_-_"]

    for token in tokens:
        matrix = badges.qr_matrix(token)

        assert len(matrix) == 25, token
        assert qr_codes_in(matrix_image(matrix)) == [token]


@pytest.mark.parametrize("length", [1, 60, 150])
def test_longer_data_gets_a_larger_code_that_still_reads_back(length):
    token = secrets.token_urlsafe(length)[:length]

    matrix = badges.qr_matrix(token)

    # The smallest size qrcode fits at level M; from 45 modules on with version information.
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    reference.add_data(token.encode(), optimize=0)
    reference.make(fit=True)
    assert len(matrix) == len(reference.get_matrix())
    assert qr_codes_in(matrix_image(matrix)) == [token]


def test_a_badge_token_makes_a_version_2_code_of_25_modules():
    registration = badge_of()

    assert len(registration.badge_token) == 24
    assert len(badges.qr_matrix(registration.badge_token)) == 25


# --- One badge as a PNG ---------------------------------------------------------------------


def test_the_badge_png_holds_the_badge_token_and_nothing_else():
    registration = badge_of(*ALESSIA)

    png = badges.badge_png(registration)

    assert qr_codes_in_png(png) == [registration.badge_token]
    image = Image.open(io.BytesIO(png))
    assert image.size == (1063, 650)  # 90 x 55 mm at 300 dpi
    assert round(image.info["dpi"][0]) == 300


@pytest.mark.parametrize("name", [ALESSIA, LONG_NAME])
def test_a_name_is_drawn_whole_at_a_size_that_fits_its_box(name):
    registration = badge_of(*name, organisation="Direction régionale de l'économie, de l'emploi")
    full_name = f"{name[0]} {name[1]}"

    layout = badges.png_layout(registration)

    assert len(full_name) == {ALESSIA: 16, LONG_NAME: 60}[name]
    box = layout.name
    assert box.text == full_name  # every letter, none replaced
    assert 1 <= len(box.lines) <= 2
    for line in box.lines:
        assert badges.pillow_text_width(box, line) <= box.width
    assert len(box.lines) * box.size * badges.LINE_HEIGHT <= box.height + 1
    # Inside the badge, clear of the QR code and its quiet zone, above the band.
    qr = layout.qr
    used_height = len(box.lines) * box.size * badges.LINE_HEIGHT
    assert box.x >= 0
    assert box.x + box.width <= layout.width
    assert box.x + box.width <= qr.x or box.y + used_height <= qr.y
    assert box.y + used_height <= layout.band.y
    assert box.size >= 30  # pixels at 300 dpi: 2.5 mm, legible
    assert qr_codes_in_png(badges.badge_png(registration)) == [registration.badge_token]


def test_the_badge_shows_the_category_in_its_colour_and_language():
    registration = badge_of(ticket_type__category=TicketType.Category.PRESS)

    with timezone.override("UTC"):
        layout = badges.png_layout(registration)

    assert layout.category.text == "PRESSE"
    assert layout.band.colour == badges.CATEGORY_COLOURS["press"][0]
    image = Image.open(io.BytesIO(badges.badge_png(registration))).convert("RGB")
    band_pixel = image.getpixel((5, round(layout.band.y + layout.band.height) - 5))
    assert band_pixel == (0xF9, 0xC8, 0x0E)


def test_every_category_has_its_own_colour():
    colours = {badges.CATEGORY_COLOURS[value][0] for value in TicketType.Category.values}

    assert len(colours) == len(TicketType.Category.values)


# --- Sheets of badges as a PDF --------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "per_page"), [("a6", 4), ("a7", 8), ("card_90x55", 10), ("card_85x54", 10)]
)
def test_every_badge_of_a_sheet_decodes_from_the_printed_page(layout, per_page):
    ticket = colloquium_ticket()
    registrations = [
        badge_of(*ALESSIA, ticket_type=ticket),
        badge_of(*LONG_NAME, ticket_type=ticket),
        *RegistrationFactory.create_batch(per_page, ticket_type=ticket),
    ]

    pdf = badges.badge_sheet_pdf(registrations, layout=layout)

    pages = qr_codes_in_pdf(pdf)
    assert len(pages) == 2
    assert sorted(pages[0]) == sorted(r.badge_token for r in registrations[:per_page])
    assert sorted(pages[1]) == sorted(r.badge_token for r in registrations[per_page:])


def test_names_are_in_the_pdf_whole_in_an_embedded_font():
    ticket = colloquium_ticket()
    registrations = [
        badge_of(*ALESSIA, ticket_type=ticket, organisation="Sciences Po Lyon"),
        badge_of(*LONG_NAME, ticket_type=ticket),
        badge_of("Ἀλέξανδρος", "Παπαδόπουλος", ticket_type=ticket),
        badge_of("Анастасия", "Кузнецова", ticket_type=ticket),
    ]

    pdf = badges.badge_sheet_pdf(registrations, layout="card_90x55")

    text = pdf_text(pdf)
    for registration in registrations:
        assert registration.full_name in text
    assert "Sciences Po Lyon" in text
    assert "Protection sociale et territoires" in text
    assert "PROFESSIONNEL" in text
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    embedded = set()
    for font in fonts.values():
        font = font.get_object()
        if font["/Subtype"] != "/TrueType":
            continue  # reportlab's default Helvetica, listed but never used
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType glyphs travel with the PDF
        embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert embedded == {"DejaVuSans", "DejaVuSans-Bold"}


@pytest.mark.parametrize("layout", list(badges.SHEET_LAYOUTS))
def test_names_are_set_to_fit_their_box_on_every_layout(layout):
    sheet = badges.SHEET_LAYOUTS[layout]
    for name in (ALESSIA, LONG_NAME, ("Jean", "Dupont")):
        data = badges.badge_data(badge_of(*name))
        placed = badges.compose_badge(
            data,
            width_mm=sheet.badge_width,
            height_mm=sheet.badge_height,
            unit=72 / 25.4,
            measure=badges.pdf_text_width,
        )
        box = placed.name
        assert box.text == f"{name[0]} {name[1]}"
        for line in box.lines:
            assert badges.pdf_text_width(line, True) * box.size <= box.width + 1e-6
        assert box.size >= 7  # points


def test_a_short_name_stays_on_one_line():
    data = badges.badge_data(badge_of("Jean", "Dupont"))

    placed = badges.compose_badge(
        data, width_mm=90, height_mm=55, unit=72 / 25.4, measure=badges.pdf_text_width
    )

    assert placed.name.lines == ("Jean Dupont",)


def test_a_line_never_starts_with_the_colon_of_french_typography():
    _size, lines = badges.fit_text(
        "Protection sociale et territoires : quelles solidarités demain ?",
        width=120,
        height=100,
        max_size=20,
        max_lines=2,
        bold=False,
        measure=badges.pdf_text_width,
    )

    assert len(lines) == 2
    assert not any(line.startswith((":", "?")) for line in lines)


def test_the_sheet_draws_qr_codes_as_rectangles_and_stays_small():
    ticket = colloquium_ticket()
    registrations = RegistrationFactory.create_batch(20, ticket_type=ticket)

    pdf = badges.badge_sheet_pdf(registrations, layout="card_90x55")

    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        assert "/XObject" not in page["/Resources"]  # no image anywhere
        assert b" re\n" in page.get_contents().get_data()
    assert len(pdf) < 100_000


def test_cut_marks_are_printed_in_the_margins_at_every_cut():
    registrations = RegistrationFactory.create_batch(10, ticket_type=colloquium_ticket())

    [page] = pdf_pages(badges.badge_sheet_pdf(registrations, layout="card_90x55"), dpi=100)

    def dark(x_mm, y_mm):
        # A hairline: the darkest pixel around the point.
        x, y = round(x_mm / 25.4 * 100), round(y_mm / 25.4 * 100)
        return min(page.getpixel((x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)) < 200

    # Ten 90 x 55 mm cards, 2 x 5, centred on A4: 15 mm beside, 11 mm above and below.
    for y_mm in (11, 66, 121, 176, 231, 286):
        assert dark(12, y_mm)  # in the left margin
        assert dark(198, y_mm)  # in the right margin
        assert not dark(12, y_mm + 10)
    for x_mm in (15, 105, 195):
        assert dark(x_mm, 8)  # in the top margin
        assert dark(x_mm, 289)  # in the bottom margin


def test_progress_is_reported_every_fifty_badges_and_at_the_end():
    ticket = colloquium_ticket()
    registrations = RegistrationFactory.create_batch(120, ticket_type=ticket)
    reports = []

    badges.badge_sheet_pdf(
        registrations, layout="a7", progress=lambda done, total: reports.append((done, total))
    )

    assert reports == [(50, 120), (100, 120), (120, 120)]


# --- Reissuing a badge ----------------------------------------------------------------------


def test_a_reissued_badge_opens_the_door_and_the_old_one_scans_as_unknown():
    registration = badge_of()
    event = registration.event
    old_token = registration.badge_token
    staff = UserFactory(is_staff=True)

    services.reissue_badge(registration=registration)

    registration.refresh_from_db()
    assert registration.badge_token != old_token
    [new_code] = qr_codes_in_png(badges.badge_png(registration))
    assert new_code == registration.badge_token
    assert new_code != old_token
    checkpoint = entrance_checkpoint(event)
    old_scan = check_in(
        checkpoint=checkpoint, nonce="n-old", token=old_token, user=staff, now=event.start
    )
    new_scan = check_in(
        checkpoint=checkpoint, nonce="n-new", token=new_code, user=staff, now=event.start
    )
    assert old_scan.result == "unknown"
    assert new_scan.result == "ok"


def test_a_cancelled_registration_keeps_its_badge_token_so_it_scans_as_cancelled():
    registration = badge_of(status=Registration.Status.CANCELLED)
    token = registration.badge_token

    with pytest.raises(services.RegistrationError):
        services.reissue_badge(registration=registration)

    registration.refresh_from_db()
    assert registration.badge_token == token


# --- The attendee's page --------------------------------------------------------------------


def external_requests(html: str) -> list[str]:
    """Addresses the page would load from elsewhere: scripts, images, styles, frames."""
    sources = re.findall(r'\bsrc="([^"]*)"', html)
    sources += re.findall(r'<link[^>]*\bhref="([^"]*)"', html)
    return [source for source in sources if re.match(r"^(https?:)?//", source)]


def test_the_attendee_page_shows_the_badge_and_its_png_decodes(client):
    registration = badge_of(*LONG_NAME)
    page = f"/en/r/{registration.manage_token}/"

    response = client.get(page)

    html = page_text(response)
    assert "My badge" in html
    assert '<svg class="attendee-badge-qr"' in html
    assert f"/en/r/{registration.manage_token}/badge.png" in html
    assert "Download my badge (PNG)" in html
    assert external_requests(html) == []
    png = client.get(f"/en/r/{registration.manage_token}/badge.png")
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png["Cache-Control"] == "private, no-store"
    assert qr_codes_in_png(png.content) == [registration.badge_token]


def test_the_badge_drawn_in_the_page_is_the_badge_token():
    registration = badge_of()

    drawn = badges.qr_svg_path(registration.badge_token)

    # Redraw the page's SVG path as pixels and read it back.
    scale = 8
    image = Image.new("L", (drawn.modules * scale, drawn.modules * scale), 255)
    pixels = image.load()
    for x, y, length in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", drawn.path):
        for dx in range(int(length) * scale):
            for dy in range(scale):
                pixels[int(x) * scale + dx, int(y) * scale + dy] = 0
    assert qr_codes_in(image) == [registration.badge_token]


@pytest.mark.parametrize(
    "status", [Registration.Status.WAITLISTED, Registration.Status.CANCELLED, "card"]
)
def test_no_badge_without_a_seat_or_while_a_card_payment_is_due(client, status):
    if status == "card":
        registration = badge_of(status=Registration.Status.PENDING_PAYMENT)
        Payment.objects.create(registration=registration, method="card", amount=80, currency="EUR")
    else:
        registration = badge_of(status=status)

    html = page_text(client.get(f"/en/r/{registration.manage_token}/"))

    assert "My badge" not in html
    assert "badge.png" not in html
    assert client.get(f"/en/r/{registration.manage_token}/badge.png").status_code == 404


def test_a_seat_held_against_an_invoice_has_its_badge(client):
    registration = badge_of(status=Registration.Status.PENDING_PAYMENT)
    Payment.objects.create(registration=registration, method="invoice", amount=80, currency="EUR")

    html = page_text(client.get(f"/en/r/{registration.manage_token}/"))

    assert "My badge" in html
    png = client.get(f"/en/r/{registration.manage_token}/badge.png")
    assert qr_codes_in_png(png.content) == [registration.badge_token]


def test_an_unknown_link_has_no_badge(client):
    assert client.get("/r/nobody-here/badge.png").status_code == 404


# --- The confirmation email -----------------------------------------------------------------


def test_the_confirmation_email_shows_the_badge_and_attaches_it(client):
    registration = badge_of(*ALESSIA, language="en", email="alessia@example.org")
    mail.outbox.clear()

    emails.queue_email(OutgoingEmail.Kind.CONFIRMATION, registration=registration)

    [message] = mail.outbox
    [badge] = [item for item in message.attachments if item[0] == "badge.png"]
    assert badge[2] == "image/png"
    assert qr_codes_in_png(badge[1]) == [registration.badge_token]
    assert "Your badge is attached to this email (badge.png)" in message.body
    # As sent: the HTML and its image together in multipart/related, the image named by the
    # Content-ID the HTML shows, and the badge attached as a file too.
    sent = email.message_from_bytes(message.message().as_bytes())
    structure = [part.get_content_type() for part in sent.walk()]
    assert structure[:4] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
    ]
    related = next(part for part in sent.walk() if part.get_content_type() == "multipart/related")
    html_part, image_part = related.get_payload()
    html = html_part.get_payload(decode=True).decode()
    content_id = image_part["Content-ID"].strip("<>")
    assert f'src="cid:{content_id}"' in html
    assert external_requests(html) == []
    assert qr_codes_in_png(image_part.get_payload(decode=True)) == [registration.badge_token]
    attached = [
        part
        for part in sent.walk()
        if part.get_content_disposition() == "attachment" and part.get_filename() == "badge.png"
    ]
    assert [qr_codes_in_png(part.get_payload(decode=True)) for part in attached] == [
        [registration.badge_token]
    ]


def test_a_confirmation_awaiting_a_card_payment_carries_no_badge():
    registration = badge_of(status=Registration.Status.PENDING_PAYMENT, language="en")
    Payment.objects.create(registration=registration, method="card", amount=80, currency="EUR")

    rendered = emails.render(
        OutgoingEmail(kind=OutgoingEmail.Kind.CONFIRMATION, registration=registration)
    )

    assert [name for name, _content, _type in rendered.attachments] == []
    assert "cid:" not in rendered.html
    assert "badge" not in rendered.text
