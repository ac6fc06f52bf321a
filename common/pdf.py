"""The house style of the printed documents (invoices, attendance certificates): A4 pages and
their margins."""

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

LEFT = 20 * mm
RIGHT = A4[0] - 20 * mm
