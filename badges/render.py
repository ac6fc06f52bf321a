"""Badges: the QR code, one badge as a PNG, sheets of badges as a vector PDF.

Pure builders: registrations in, bytes out. Nothing here reads a request or writes to the
database; callers pass registrations with `event` and `ticket_type` loaded (select_related),
and the labels come out in the active language.

The QR code holds the registration's `badge_token` and nothing else (24 characters: version 2
at error correction level M, 25 x 25 modules, the smallest that holds it; M rather than Q
because Q would need version 3, whose smaller modules a phone reads less easily from the
same badge, and a badge is printed, flat and indoors). It is surrounded by the standard quiet
zone of four modules, never drawn over.

One composition (`compose_badge`) places the text, the category band and the QR code on a
badge of any size, in millimetres turned into the output's units (pixels for the PNG, points
for the PDF); each renderer measures text with its own engine. A name is set at the largest
size at which it fits its box on one line or, split at a space, on two; it gets smaller
rather than ever being clipped.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import qrcode
import qrcode.util
from django.utils import translation
from PIL import Image, ImageDraw, ImageFont
from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from common.pdf import FONT_DIR

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"

# Loaded once per process: reportlab parses the TrueType files when they are registered, and
# embeds in each PDF only the glyphs it uses; Pillow keeps the bytes and makes sizes from them.
_FONT_BYTES = {
    REGULAR: (FONT_DIR / "DejaVuSans.ttf").read_bytes(),
    BOLD: (FONT_DIR / "DejaVuSans-Bold.ttf").read_bytes(),
}
for _name, _data in _FONT_BYTES.items():
    if _name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_name, io.BytesIO(_data)))

# Vertical metrics of DejaVu Sans, in ems: ascender 0.928, descender 0.236; a line advances by
# 1.17 so that two lines of a name never touch.
ASCENT = 0.93
LINE_HEIGHT = 1.17
# A text goes on two lines only if that sets it at least this much larger than on one.
TWO_LINES_GAIN = 1.15

# PNG badges: a 90 x 55 mm card at 300 dpi, the resolution of an office printer, so that the
# attendee can print it at its size; on a phone it is sharp at any zoom.
PNG_DPI = 300
PNG_SIZE_MM = (90.0, 55.0)

INK = "#1e1e1e"
TITLE_INK = "#1b3a6b"
MUTED_INK = "#4f5663"
QR_INK = "#000000"

# One colour per ticket category, for the band at the bottom of the badge (the door staff
# recognise a category from afar), and the colour of the label on it (contrast ≥ 4.5:1).
CATEGORY_COLOURS = {
    "student": ("#2e7d32", "#ffffff"),
    "professional": ("#1b3a6b", "#ffffff"),
    "elected": ("#b71c1c", "#ffffff"),
    "academic": ("#6a1b9a", "#ffffff"),
    "partner": ("#b33c00", "#ffffff"),
    "press": ("#f9c80e", "#1e1e1e"),
    "guest": ("#00695c", "#ffffff"),
}
OTHER_CATEGORY_COLOURS = ("#4f5663", "#ffffff")


# --- QR code --------------------------------------------------------------------------------

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
# Mask 2 (every third column inverted), the same for every code: any of the eight masks makes a
# valid symbol, and scoring all eight is most of the work of qrcode's own choice. Over random
# badge tokens, mask 2 has the lowest mean penalty and is the one that choice picks most often.
MASK_PATTERN = 2
QUIET_ZONE = 4  # modules, on every side


def _byte_data(data: bytes) -> qrcode.util.QRData:
    # Byte mode always: a token's code then has one version per length, whatever its letters.
    return qrcode.util.QRData(data, mode=qrcode.util.MODE_8BIT_BYTE)


@functools.cache
def _version_for(length: int) -> int:
    """The smallest version that holds `length` bytes at level M, as qrcode fits it."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION)
    code.add_data(_byte_data(bytes(length)))
    return code.best_fit()


@functools.lru_cache(maxsize=16)  # a card tries two layouts for a long name: one code
def qr_rows(token: str) -> tuple[int, ...]:
    """The QR code of `token` (no quiet zone), a row per integer, bit c for column c."""
    data = token.encode()
    code = qrcode.QRCode(
        version=_version_for(len(data)),
        error_correction=ERROR_CORRECTION,
        border=0,
        mask_pattern=MASK_PATTERN,
    )
    code.add_data(_byte_data(data))
    code.make(fit=False)
    return tuple(
        sum(1 << column for column, dark in enumerate(row) if dark) for row in code.get_matrix()
    )


def qr_matrix(token: str) -> list[list[bool]]:
    """The QR code of `token` as rows of booleans (True: dark), without the quiet zone."""
    rows = qr_rows(token)
    size = len(rows)
    return [[bool(row >> column & 1) for column in range(size)] for row in rows]


@dataclass(frozen=True)
class QRPath:
    """A QR code for an inline SVG: `modules` wide, quiet zone included, and the path data
    of its dark modules (one rectangle per run), in module units."""

    modules: int
    path: str


def qr_svg_path(token: str) -> QRPath:
    rows = qr_rows(token)
    path = "".join(
        f"M{QUIET_ZONE + column} {QUIET_ZONE + r}h{length}v1h-{length}z"
        for r, row in enumerate(rows)
        for column, length in dark_runs(row)
    )
    return QRPath(len(rows) + 2 * QUIET_ZONE, path)


def dark_runs(row: int) -> list[tuple[int, int]]:
    """(first column, length) of each run of dark modules in a row: one rectangle each."""
    runs = []
    while row:
        start = (row & -row).bit_length() - 1
        shifted = row >> start
        length = (~shifted & (shifted + 1)).bit_length() - 1  # trailing ones
        runs.append((start, length))
        row &= ~(((1 << length) - 1) << start)
    return runs


# --- What a badge says ----------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeData:
    name: str
    organisation: str
    category: str
    category_label: str
    event_title: str
    token: str


def badge_data(registration) -> BadgeData:
    """What the badge of `registration` shows, labels in the active language."""
    category = registration.ticket_type.category
    return BadgeData(
        name=" ".join(registration.full_name.split()) or "—",
        organisation=" ".join((registration.organisation or "").split()),
        category=category,
        category_label=_category_label(
            type(registration.ticket_type).Category, category, translation.get_language()
        ),
        event_title=" ".join(str(registration.event.title).split()),
        token=registration.badge_token,
    )


@functools.lru_cache(maxsize=64)
def _category_label(choices, category: str, language: str | None) -> str:
    label = choices(category).label if category in choices.values else category
    return str(label).upper()


# --- Composition ----------------------------------------------------------------------------

# width of `text` set at size 1, in the same units as the size
Measure = Callable[[str, bool], float]


@dataclass(frozen=True)
class TextBox:
    """Lines set at `size` in a box (x, y: its top left corner; y grows downwards)."""

    lines: tuple[str, ...]
    size: float
    bold: bool
    x: float
    y: float
    width: float
    height: float
    colour: str
    centred: bool = False
    middle: bool = False  # centred vertically in the box

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def baselines(self) -> list[float]:
        used = len(self.lines) * self.size * LINE_HEIGHT
        top = self.y + ((self.height - used) / 2 if self.middle else 0)
        return [
            top + self.size * (ASCENT + index * LINE_HEIGHT) for index in range(len(self.lines))
        ]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class QRBox:
    """The QR code with its quiet zone: a square of `side` at (x, y)."""

    x: float
    y: float
    side: float
    rows: tuple[int, ...]

    @property
    def modules(self) -> int:
        return len(self.rows) + 2 * QUIET_ZONE


@dataclass(frozen=True)
class BadgeLayout:
    width: float
    height: float
    title: TextBox | None
    name: TextBox
    organisation: TextBox | None
    band: Box
    category: TextBox
    qr: QRBox

    @property
    def texts(self) -> list[TextBox]:
        boxes = [self.title, self.name, self.organisation, self.category]
        return [box for box in boxes if box is not None]


def fit_text(
    text: str,
    *,
    width: float,
    height: float,
    max_size: float,
    max_lines: int,
    bold: bool,
    measure: Measure,
) -> tuple[float, tuple[str, ...]]:
    """The largest size (up to `max_size`) at which `text` fits `width` x `height` on one
    line or, split at a space, on two (if `max_lines` allows); and those lines. Never cut: a
    long name only gets smaller. Words are measured once each (cached by the measure), lines
    as their sum: a thousand badges of one event share most words."""
    words = _words(text)
    widths = [measure(word, bold) for word in words]
    space = measure(" ", bold)
    total = sum(widths) + space * (len(words) - 1)
    candidates = [((" ".join(words),), total)]
    if max_lines >= 2:
        first = -space
        for cut in range(1, len(words)):
            first += space + widths[cut - 1]
            line_pair = (" ".join(words[:cut]), " ".join(words[cut:]))
            candidates.append((line_pair, max(first, total - first - space)))
    best_size, best_lines = -1.0, candidates[0][0]
    for lines, widest in candidates:
        size = min(max_size, height / (len(lines) * LINE_HEIGHT))
        if widest > 0:
            size = min(size, width / widest)
        # Two lines only for a clearly larger name: "Jean Dupont" stays on one line.
        wanted = best_size * (TWO_LINES_GAIN if len(lines) > len(best_lines) else 1.0001)
        if size > wanted:
            best_size, best_lines = size, lines
    return best_size, best_lines


# French typography puts a space before ":", ";", "!", "?" and "»" and after "«": a line
# never starts or ends with one of them alone.
_CLINGS_TO_PREVIOUS = frozenset(":;!?»")
_CLINGS_TO_NEXT = frozenset("«")


def _words(text: str) -> list[str]:
    """The words of `text` where a line may break: between them."""
    words: list[str] = []
    glue_next = False
    for word in text.split():
        if words and (glue_next or set(word) <= _CLINGS_TO_PREVIOUS):
            words[-1] = f"{words[-1]} {word}"
        else:
            words.append(word)
        glue_next = set(word) <= _CLINGS_TO_NEXT
    return words


def compose_badge(
    data: BadgeData, *, width_mm: float, height_mm: float, unit: float, measure: Measure
) -> BadgeLayout:
    """Where everything goes on a badge of `width_mm` x `height_mm`, in units of `unit` per
    millimetre. Landscape badges (cards) put the text on the left and the QR code on the
    right; portrait ones (A6, A7, to hang from a lanyard) stack text over the QR code."""
    if width_mm > height_mm:
        return _compose_card(data, width_mm, height_mm, unit, measure)
    return _compose_portrait(data, width_mm, height_mm, unit, measure)


def _text(
    text,
    *,
    x,
    y,
    width,
    height,
    max_size,
    max_lines,
    bold,
    colour,
    measure,
    centred=False,
    middle=False,
) -> TextBox | None:
    if not text:
        return None
    size, lines = fit_text(
        text,
        width=width,
        height=height,
        max_size=max_size,
        max_lines=max_lines,
        bold=bold,
        measure=measure,
    )
    return TextBox(lines, size, bold, x, y, width, height, colour, centred, middle)


def _band(data: BadgeData, box: Box, unit: float, measure: Measure) -> tuple[Box, TextBox]:
    fill, ink = CATEGORY_COLOURS.get(data.category, OTHER_CATEGORY_COLOURS)
    band = replace(box, colour=fill)
    inset = 2 * unit
    label = _text(
        data.category_label,
        x=band.x + inset,
        y=band.y,
        width=band.width - 2 * inset,
        height=band.height,
        max_size=band.height * 0.55,
        max_lines=1,
        bold=True,
        colour=ink,
        measure=measure,
        centred=True,
        middle=True,
    )
    return band, label


def _compose_card(data, width_mm, height_mm, unit, measure) -> BadgeLayout:
    """A card: the name beside the QR code; a long name that this would set small spans the
    whole width instead, above a smaller QR code."""
    beside = _compose_card_beside(data, width_mm, height_mm, unit, measure)
    if beside.name.size >= CARD_NAME_BESIDE_MIN * unit:
        return beside
    across = _compose_card_across(data, width_mm, height_mm, unit, measure)
    return across if across.name.size > beside.name.size else beside


# Below this size (mm) beside the QR code, a card's name goes across the whole card.
CARD_NAME_BESIDE_MIN = 3.5
# The smallest QR code of a card, quiet zone included (mm): modules of 0.75 mm, which a phone
# reads from 15 cm and a door scanner from further.
CARD_QR_MIN = 25


def _card_band(data, width, height, unit, measure):
    band_height = 9 * unit
    return _band(data, Box(0, height - band_height, width, band_height, ""), unit, measure)


def _compose_card_beside(data, width_mm, height_mm, unit, measure) -> BadgeLayout:
    width, height = width_mm * unit, height_mm * unit
    pad = 4 * unit
    band, category = _card_band(data, width, height, unit, measure)
    # The QR code on the right, quiet zone included, centred in the space above the band.
    side = min(band.y - 2 * unit, 0.42 * width)
    qr = QRBox(width - side - unit, (band.y - side) / 2, side, qr_rows(data.token))
    # The text column ends where the quiet zone begins.
    column = qr.x - pad
    title_size = 3.2 * unit
    title = _text(
        data.event_title,
        x=pad,
        y=pad,
        width=column,
        height=2 * title_size * LINE_HEIGHT,
        max_size=title_size,
        max_lines=2,
        bold=False,
        colour=TITLE_INK,
        measure=measure,
    )
    top = pad + _used_height(title) + 2.5 * unit
    name_size = 7 * unit
    name = _text(
        data.name,
        x=pad,
        y=top,
        width=column,
        height=2 * name_size * LINE_HEIGHT,
        max_size=name_size,
        max_lines=2,
        bold=True,
        colour=INK,
        measure=measure,
    )
    top += _used_height(name) + 1.5 * unit
    organisation = _text(
        data.organisation,
        x=pad,
        y=top,
        width=column,
        height=band.y - 2 * unit - top,
        max_size=3.5 * unit,
        max_lines=2,
        bold=False,
        colour=MUTED_INK,
        measure=measure,
    )
    return BadgeLayout(width, height, title, name, organisation, band, category, qr)


def _compose_card_across(data, width_mm, height_mm, unit, measure) -> BadgeLayout:
    width, height = width_mm * unit, height_mm * unit
    pad = 4 * unit
    band, category = _card_band(data, width, height, unit, measure)
    bottom = band.y - unit
    title = _text(
        data.event_title,
        x=pad,
        y=pad,
        width=width - 2 * pad,
        height=3.2 * unit * LINE_HEIGHT,
        max_size=3.2 * unit,
        max_lines=1,
        bold=False,
        colour=TITLE_INK,
        measure=measure,
    )
    top = pad + _used_height(title) + 1.5 * unit
    name_size = 7 * unit
    name = _text(
        data.name,
        x=pad,
        y=top,
        width=width - 2 * pad,
        height=min(2 * name_size * LINE_HEIGHT, bottom - top - 1.5 * unit - CARD_QR_MIN * unit),
        max_size=name_size,
        max_lines=2,
        bold=True,
        colour=INK,
        measure=measure,
    )
    top += _used_height(name) + 1.5 * unit
    side = min(bottom - top, 0.42 * width)
    qr = QRBox(width - side - unit, top, side, qr_rows(data.token))
    organisation = _text(
        data.organisation,
        x=pad,
        y=top,
        width=qr.x - pad,
        height=bottom - top,
        max_size=3.5 * unit,
        max_lines=2,
        bold=False,
        colour=MUTED_INK,
        measure=measure,
    )
    return BadgeLayout(width, height, title, name, organisation, band, category, qr)


def _used_height(box: TextBox | None) -> float:
    return len(box.lines) * box.size * LINE_HEIGHT if box else 0


def _compose_portrait(data, width_mm, height_mm, unit, measure) -> BadgeLayout:
    width, height = width_mm * unit, height_mm * unit
    # At least 5 mm from the edges: A6 and A7 sheets are cut edge to edge, and office
    # printers leave the outer 4 to 5 mm of the paper blank.
    pad = max(5 * unit, 0.06 * width)
    column = width - 2 * pad
    scale = width  # sizes in proportion to the badge's width
    title_size, name_size, organisation_size = 0.045 * scale, 0.1 * scale, 0.05 * scale
    # Fixed slots, so that every badge of a sheet has its QR code at the same place.
    y = pad
    title = _text(
        data.event_title,
        x=pad,
        y=y,
        width=column,
        height=2 * title_size * LINE_HEIGHT,
        max_size=title_size,
        max_lines=2,
        bold=False,
        colour=TITLE_INK,
        measure=measure,
        centred=True,
    )
    y += 2 * title_size * LINE_HEIGHT + 0.03 * scale
    name_height = 2 * name_size * LINE_HEIGHT
    name = _text(
        data.name,
        x=pad,
        y=y,
        width=column,
        height=name_height,
        max_size=name_size,
        max_lines=2,
        bold=True,
        colour=INK,
        measure=measure,
        centred=True,
        middle=True,
    )
    y += name_height + 0.02 * scale
    organisation = _text(
        data.organisation,
        x=pad,
        y=y,
        width=column,
        height=2 * organisation_size * LINE_HEIGHT,
        max_size=organisation_size,
        max_lines=2,
        bold=False,
        colour=MUTED_INK,
        measure=measure,
        centred=True,
    )
    y += 2 * organisation_size * LINE_HEIGHT + 0.02 * scale
    band_height = 0.1 * scale
    band_top = height - pad - band_height
    band, category = _band(data, Box(pad, band_top, column, band_height, ""), unit, measure)
    side = min(0.6 * width, band_top - 0.02 * scale - y)
    qr = QRBox((width - side) / 2, y, side, qr_rows(data.token))
    return BadgeLayout(width, height, title, name, organisation, band, category, qr)


# --- PNG ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _pillow_font(font: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(_FONT_BYTES[font]), size)


@functools.lru_cache(maxsize=8192)
def _pillow_width(text: str, bold: bool) -> float:
    # Measured at a large size, where hinting hardly rounds, then per unit of size.
    return _pillow_font(BOLD if bold else REGULAR, 1000).getlength(text) / 1000


def pillow_text_width(box: TextBox, line: str) -> float:
    """The width Pillow draws `line` of `box` at, in pixels."""
    return _pillow_font(BOLD if box.bold else REGULAR, int(box.size)).getlength(line)


def _whole_pixels(box: TextBox | None) -> TextBox | None:
    """Pillow draws at whole pixel sizes, hinted: round down until every line fits."""
    if box is None:
        return None
    size = max(int(box.size), 1)
    box = replace(box, size=size)
    while size > 1 and max(pillow_text_width(box, line) for line in box.lines) > box.width:
        size -= 1
        box = replace(box, size=size)
    return box


def png_layout(registration) -> BadgeLayout:
    """The layout `badge_png` draws, in pixels (tests check that every text fits its box)."""
    unit = PNG_DPI / 25.4
    layout = compose_badge(
        badge_data(registration),
        width_mm=PNG_SIZE_MM[0],
        height_mm=PNG_SIZE_MM[1],
        unit=unit,
        measure=_pillow_width,
    )
    return replace(
        layout,
        title=_whole_pixels(layout.title),
        name=_whole_pixels(layout.name),
        organisation=_whole_pixels(layout.organisation),
        category=_whole_pixels(layout.category),
    )


def badge_png(registration) -> bytes:
    """One badge as a PNG: a 90 x 55 mm card at 300 dpi (1063 x 650 pixels)."""
    layout = png_layout(registration)
    image = Image.new("RGB", (round(layout.width), round(layout.height)), "#ffffff")
    draw = ImageDraw.Draw(image)
    band = layout.band
    draw.rectangle(
        (
            round(band.x),
            round(band.y),
            round(band.x + band.width) - 1,
            round(band.y + band.height) - 1,
        ),
        fill=band.colour,
    )
    for box in layout.texts:
        font = _pillow_font(BOLD if box.bold else REGULAR, int(box.size))
        for line, baseline in zip(box.lines, box.baselines(), strict=True):
            x = box.x + box.width / 2 if box.centred else box.x
            draw.text(
                (x, baseline),
                line,
                font=font,
                fill=box.colour,
                anchor="ms" if box.centred else "ls",
            )
    _draw_png_qr(draw, layout.qr)
    output = io.BytesIO()
    image.save(output, format="PNG", dpi=(PNG_DPI, PNG_DPI), optimize=False)
    return output.getvalue()


def _draw_png_qr(draw: ImageDraw.ImageDraw, qr: QRBox) -> None:
    # Whole pixels per module, or the code blurs; what is left over widens the quiet zone.
    size = len(qr.rows)
    module = int(qr.side // qr.modules)
    left = round(qr.x + (qr.side - size * module) / 2)
    top = round(qr.y + (qr.side - size * module) / 2)
    for r, row in enumerate(qr.rows):
        y = top + r * module
        for column, length in dark_runs(row):
            x = left + column * module
            draw.rectangle((x, y, x + length * module - 1, y + module - 1), fill=QR_INK)


# --- PDF sheets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLayout:
    key: str
    badge_width: float  # mm
    badge_height: float
    columns: int
    rows: int
    page_landscape: bool = False

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def page_size(self) -> tuple[float, float]:
        return landscape(A4) if self.page_landscape else A4

    def cells(self) -> list[tuple[float, float]]:
        """Bottom-left corner of each badge on a page, in points, reading order."""
        page_width, page_height = self.page_size
        left = (page_width - self.columns * self.badge_width * mm) / 2
        top = page_height - (page_height - self.rows * self.badge_height * mm) / 2
        return [
            (left + column * self.badge_width * mm, top - (row + 1) * self.badge_height * mm)
            for row in range(self.rows)
            for column in range(self.columns)
        ]


# The layouts of registrations.models.BadgeSheet.Layout (where their names are).
SHEET_LAYOUTS = {
    layout.key: layout
    for layout in [
        SheetLayout("a6", 105, 148, 2, 2),
        SheetLayout("a7", 74, 105, 4, 2, page_landscape=True),
        SheetLayout("card_90x55", 90, 55, 2, 5),
        SheetLayout("card_85x54", 85, 54, 2, 5),
    ]
}

# How often `badge_sheet_pdf` reports its progress.
PROGRESS_EVERY = 50
# Cut marks: hairlines 5 mm long, beyond the badges where the margin allows, otherwise on
# the cut line itself (it falls off with the cut).
MARK_LENGTH = 5 * mm
MARK_GAP = 1 * mm


@functools.lru_cache(maxsize=8192)
def pdf_text_width(text: str, bold: bool) -> float:
    """The width of `text` set at size 1 in the PDF's font, in points."""
    return pdfmetrics.stringWidth(text, BOLD if bold else REGULAR, 1)


def badge_sheet_pdf(
    registrations: Iterable,
    *,
    layout: str | SheetLayout,
    progress: Callable[[int, int], None] | None = None,
    total: int | None = None,
    title: str = "",
) -> bytes:
    """Badges of `registrations`, in their order, several to an A4 page with cut marks.

    Vector throughout: text in DejaVu Sans (subset-embedded), the QR codes as rectangles (one
    per run of dark modules in a row). `progress(done, total)` is called every PROGRESS_EVERY
    badges and at the end; `total` defaults to len(registrations)."""
    sheet = SHEET_LAYOUTS[layout] if isinstance(layout, str) else layout
    if total is None:
        registrations = list(registrations)
        total = len(registrations)
    output = io.BytesIO()
    with _binary_streams():
        _draw_sheet(output, registrations, sheet, progress, total, title)
    return output.getvalue()


@contextlib.contextmanager
def _binary_streams():
    """Compressed streams stay binary instead of being ASCII85-encoded (reportlab's default,
    for 7-bit channels nobody uses any more): a quarter smaller, and quicker to write. The
    setting is global to reportlab: it is put back at once, and at worst another PDF made at
    the same moment comes out binary too, which is as valid."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def _draw_sheet(output, registrations, sheet: SheetLayout, progress, total: int, title: str):
    canvas = Canvas(output, pagesize=sheet.page_size, pageCompression=1, invariant=1)
    if title:
        canvas.setTitle(title)
    canvas.setCreator("Colloque")
    cells = sheet.cells()
    height = sheet.badge_height * mm
    done = 0
    for done, registration in enumerate(registrations, start=1):
        slot = (done - 1) % sheet.per_page
        if slot == 0:
            if done > 1:
                canvas.showPage()
            _cut_marks(canvas, sheet)
        x, y = cells[slot]
        layout_ = compose_badge(
            badge_data(registration),
            width_mm=sheet.badge_width,
            height_mm=sheet.badge_height,
            unit=mm,
            measure=pdf_text_width,
        )
        _draw_pdf_badge(canvas, layout_, x, y + height)
        if progress is not None and done % PROGRESS_EVERY == 0 and done != total:
            progress(done, total)
    if done == 0:
        _cut_marks(canvas, sheet)
    canvas.showPage()
    canvas.save()
    if progress is not None:
        progress(done, total)


def _draw_pdf_badge(canvas: Canvas, layout: BadgeLayout, left: float, top: float) -> None:
    """Draw `layout` with its top-left corner at (left, top): layout y grows downwards."""
    band = layout.band
    canvas.setFillColor(_colour(band.colour))
    canvas.rect(
        left + band.x, top - band.y - band.height, band.width, band.height, stroke=0, fill=1
    )
    for box in layout.texts:
        canvas.setFillColor(_colour(box.colour))
        canvas.setFont(BOLD if box.bold else REGULAR, box.size)
        for line, baseline in zip(box.lines, box.baselines(), strict=True):
            x = left + box.x
            if box.centred:  # with the width already measured, not measured again
                x += (box.width - pdf_text_width(line, box.bold) * box.size) / 2
            canvas.drawString(x, top - baseline, line)
    qr = layout.qr
    module = qr.side / qr.modules
    # In module units, rows downwards, from the code's top-left corner: one short "re" per
    # run keeps the page's content stream small.
    origin_x = left + qr.x + QUIET_ZONE * module
    origin_y = top - qr.y - QUIET_ZONE * module
    operations = [f"q 0 g {module:.4f} 0 0 {-module:.4f} {origin_x:.3f} {origin_y:.3f} cm"]
    for r, row in enumerate(qr.rows):
        operations.extend(f"{column} {r} {length} 1 re" for column, length in dark_runs(row))
    operations.append("f Q")
    canvas.addLiteral("\n".join(operations))


@functools.lru_cache(maxsize=64)
def _colour(hex_colour: str):

    return HexColor(hex_colour)


def _cut_marks(canvas: Canvas, sheet: SheetLayout) -> None:
    page_width, page_height = sheet.page_size
    cells = sheet.cells()
    xs = sorted({x for x, _ in cells} | {x + sheet.badge_width * mm for x, _ in cells})
    ys = sorted({y for _, y in cells} | {y + sheet.badge_height * mm for _, y in cells})
    left, right, bottom, top = xs[0], xs[-1], ys[0], ys[-1]
    canvas.setStrokeColor(_colour("#000000"))
    canvas.setLineWidth(0.25)
    path = canvas.beginPath()

    def ticks(position, low_edge, high_edge, extent, vertical):
        # Along the line at `position`, at both ends of the grid (low_edge .. high_edge).
        for start, direction, margin in (
            (low_edge, -1, low_edge),
            (high_edge, 1, extent - high_edge),
        ):
            if margin >= MARK_LENGTH + MARK_GAP:
                a, b = start + direction * MARK_GAP, start + direction * (MARK_GAP + MARK_LENGTH)
            else:  # no room outside: on the cut line itself
                a, b = start, start - direction * MARK_LENGTH
            if vertical:
                path.moveTo(position, a)
                path.lineTo(position, b)
            else:
                path.moveTo(a, position)
                path.lineTo(b, position)

    for x in xs:
        if 0.1 < x < page_width - 0.1:  # a cut on the paper's edge needs no mark
            ticks(x, bottom, top, page_height, vertical=True)
    for y in ys:
        if 0.1 < y < page_height - 0.1:
            ticks(y, left, right, page_width, vertical=False)
    canvas.drawPath(path, stroke=1, fill=0)
