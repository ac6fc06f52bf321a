"""The house style of the printed documents (invoices, attendance certificates, badges): A4
pages, their margins, and the fonts shipped with Colloque (DejaVu Sans, see fonts/LICENSE)."""

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

LEFT = 20 * mm
RIGHT = A4[0] - 20 * mm

FONT_DIR = Path(__file__).resolve().parent / "fonts"
