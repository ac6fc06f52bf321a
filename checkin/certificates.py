"""Attendance certificates (attestations de présence) as PDF: a pure builder that takes
registrations with the hours they attended (see `checkin.attendance`) and returns bytes.

Same house style as the invoice (`payments/invoice_pdf.py`): A4, its margins (`common/pdf.py`),
reportlab's standard Helvetica, nothing loaded from elsewhere. Helvetica only knows Western European
letters (all of French's); a line with others (Łukasz, Dvořák) is drawn in DejaVu Sans, shipped
in `common/fonts/` (or, failing that, Debian's fonts-dejavu-core), not as black boxes.

A certificate states: the organiser, the attendee's full name (made smaller, then wrapped, until
it fits), the event, its venue and dates, the hours attended each day and their total, and
"Fait à <city>, le <date>" over the organiser's name. Everything in one language: the
attendee's for their own certificate, the caller's choice for a batch."""

from collections.abc import Iterable
from datetime import date
from io import BytesIO
from pathlib import Path

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from checkin.attendance import AttendedHours, format_duration
from common.pdf import FONT_DIR, LEFT, RIGHT

EN_DASH = "\u2013"
WIDTH = RIGHT - LEFT
CENTRE = A4[0] / 2
NAME_SIZES = (26, 12)  # largest and smallest size tried for the attendee's name
FONT_FOLDERS = (FONT_DIR, Path("/usr/share/fonts/truetype/dejavu"))
UNICODE_FONTS = {
    False: ("ColloqueSans", "DejaVuSans.ttf"),
    True: ("ColloqueSans-Bold", "DejaVuSans-Bold.ttf"),
}


def build_certificate(
    *, registration, hours: AttendedHours, language: str | None = None, issued_on=None
) -> bytes:
    """One person's certificate, in `language` (default: the attendee's own), as PDF bytes.
    `registration` comes with its event, the event's organisation and venue."""
    return build_certificates(
        [(registration, hours)],
        language=language or registration.language,
        issued_on=issued_on,
    )


def build_certificates(
    entries: Iterable[tuple],
    *,
    language: str = "fr",
    issued_on: date | None = None,
    provisional: bool = False,
) -> bytes:
    """One page per (registration, hours) pair, in `language`, as one PDF. `issued_on` is the
    date of the "Fait à" line: by default the event's last day, or today while it runs.
    `provisional` (the event is not over: hours may still grow) says so under the title."""
    language = language if language in ("fr", "en") else "fr"
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    with translation.override(language):
        title = _("Certificate of attendance")
        pdf.setTitle(title)
        for registration, hours in entries:
            organisation = registration.event.organisation
            pdf.setAuthor(organisation.legal_name or organisation.name)
            _draw_page(pdf, registration, hours, issued_on, provisional=provisional)
            pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _font(text: str, *, bold: bool = False) -> str:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        name, filename = UNICODE_FONTS[bold]
        if name in pdfmetrics.getRegisteredFontNames():
            return name
        for folder in FONT_FOLDERS:
            if (folder / filename).exists():
                pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
                return name
    return "Helvetica-Bold" if bold else "Helvetica"


def _day(moment_or_day, zone=None) -> str:
    if zone is not None:
        moment_or_day = moment_or_day.astimezone(zone)
    return formats.date_format(moment_or_day, "l j F Y")


def _time(moment) -> str:
    return formats.time_format(moment, "H:i")


def _draw_page(pdf, registration, hours: AttendedHours, issued_on, *, provisional=False) -> None:
    event = registration.event
    organisation = event.organisation
    venue = event.venue
    zone = event.zone
    y = A4[1] - 25 * mm

    def text(value, *, size=11, bold=False, centred=False, x=LEFT, step=None):
        nonlocal y
        value = str(value)
        font = _font(value, bold=bold)
        pdf.setFont(font, size)
        if centred:
            pdf.drawCentredString(CENTRE, y, value)
        else:
            pdf.drawString(x, y, value)
        y -= step if step is not None else size * 1.5

    def paragraph(value, *, size=11, bold=False, max_lines=4):
        value = str(value)
        for part in _wrap(value, _font(value, bold=bold), size)[:max_lines]:
            text(part, size=size, bold=bold, centred=True)

    # The organiser, as its letterhead.
    text(organisation.name, size=13, bold=True)
    for part in str(organisation.address or "").splitlines():
        if part.strip():
            text(part.strip(), size=9)
    y -= 22 * mm

    if provisional:
        text(_("Certificate of attendance").upper(), size=22, bold=True, centred=True)
        pdf.setFillColorRGB(0.7, 0, 0)
        text(
            _("Provisional: the event is not over yet."),
            size=13,
            bold=True,
            centred=True,
            step=12 * mm,
        )
        pdf.setFillColorRGB(0, 0, 0)
    else:
        text(_("Certificate of attendance").upper(), size=22, bold=True, centred=True, step=16 * mm)
    paragraph(_("%(organisation)s certifies that") % {"organisation": organisation.name}, size=12)
    y -= 4 * mm
    y -= _draw_name(pdf, registration.full_name, y) + 6 * mm
    paragraph(_("attended the event"), size=12)
    y -= 2 * mm
    title = _("“%(title)s”") % {"title": event.title}
    paragraph(title, size=15, bold=True, max_lines=3)
    if venue is not None:
        paragraph(venue.address, size=11)
    start_day, end_day = event.start.astimezone(zone).date(), event.end.astimezone(zone).date()
    if start_day == end_day:
        dates = _("on %(date)s") % {"date": _day(start_day)}
    else:
        dates = _("from %(start)s to %(end)s") % {"start": _day(start_day), "end": _day(end_day)}
    paragraph(dates, size=11)
    y -= 10 * mm

    text(_("Hours attended"), size=12, bold=True, step=8 * mm)
    for span in hours.days:
        pdf.setFont("Helvetica", 11)
        pdf.drawString(LEFT, y, _day(span.day))
        pdf.drawString(LEFT + 75 * mm, y, f"{_time(span.start)} {EN_DASH} {_time(span.end)}")
        pdf.drawRightString(RIGHT, y, format_duration(span.duration))
        y -= 6.5 * mm
    pdf.setLineWidth(0.5)
    pdf.line(LEFT, y + 4 * mm, RIGHT, y + 4 * mm)
    y -= 1 * mm
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(LEFT, y, _("Total"))
    pdf.drawRightString(RIGHT, y, format_duration(hours.total))
    y -= 22 * mm

    # "Fait à …, le …" over the organiser's name, on the right as a signature block.
    issued_on = issued_on or min(end_day, timezone.now().astimezone(zone).date())
    city = venue.city if venue is not None else ""
    if city:
        done = _("Issued in %(city)s on %(date)s") % {
            "city": city,
            "date": formats.date_format(issued_on, "j F Y"),
        }
    else:
        done = _("Issued on %(date)s") % {"date": formats.date_format(issued_on, "j F Y")}
    signature_x = LEFT + WIDTH / 2
    text(done, size=11, x=signature_x, step=7 * mm)
    text(_("For the organiser"), size=10, x=signature_x, step=5.5 * mm)
    text(organisation.legal_name or organisation.name, size=11, bold=True, x=signature_x)

    pdf.setFont("Helvetica", 8)
    pdf.drawString(
        LEFT,
        15 * mm,
        _("Hours recorded at the event's entrance. Reference: %(reference)s")
        % {"reference": f"{event.slug}-{registration.pk}"},
    )


def _wrap(text: str, font: str, size: float) -> list[str]:
    """`text` in lines no wider than the page's text, between words where possible, within a
    word too long for a line otherwise."""
    lines = []
    for line in simpleSplit(text, font, size, WIDTH):
        while pdfmetrics.stringWidth(line, font, size) > WIDTH:
            cut = len(line) - 1
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > WIDTH:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


def _draw_name(pdf, name: str, y: float) -> float:
    """The attendee's name centred on one line, as large as fits; a name too long even at the
    smallest size is wrapped. Returns the height used."""
    font = _font(name, bold=True)
    largest, smallest = NAME_SIZES
    size = largest
    while size > smallest and pdfmetrics.stringWidth(name, font, size) > WIDTH:
        size -= 1
    lines = _wrap(name, font, size)
    pdf.setFont(font, size)
    for index, line in enumerate(lines):
        pdf.drawCentredString(CENTRE, y - index * size * 1.2, line)
    return len(lines) * size * 1.2
