"""The registrations' CSV opens in a French Excel as it should, and never runs a formula."""

import csv
import io
from datetime import datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext

from registrations.exports import BOM, COLUMNS, neutralise, registrations_csv
from registrations.selectors import registrations_with_details
from tests.factories import PARIS, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def _read(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :], newline=""), delimiter=";"))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example","Cliquez")',
            '\'=HYPERLINK("http://evil.example","Cliquez")',
        ),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Durand", "Durand"),
        ("Jean-Pierre", "Jean-Pierre"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_cell_that_starts_like_a_formula_is_prefixed_with_an_apostrophe(value, cell):
    assert neutralise(value) == cell


def test_the_export_is_utf8_with_bom_semicolons_and_french_headers():
    ticket = TicketTypeFactory(name_fr="Élu·e", category="elected")
    RegistrationFactory(
        ticket_type=ticket,
        first_name="Hélène",
        last_name="Dupont; Martin",
        email="helene@example.org",
        organisation='Conseil "régional"',
        mandate="Vice-présidente",
        accessibility_needs="Fauteuil roulant\nPlace près de la scène",
        consent_photos=True,
        created_at=datetime(2027, 1, 10, 9, 30, tzinfo=PARIS),
        confirmed_at=datetime(2027, 1, 10, 9, 31, tzinfo=PARIS),
    )

    with translation.override("fr"):
        text = registrations_csv(registrations_with_details())
        headers = [str(header) for header, _value in COLUMNS]
        expected = {
            gettext("Last name"): "Dupont; Martin",
            gettext("First name"): "Hélène",
            gettext("Email"): "helene@example.org",
            gettext("Organisation"): 'Conseil "régional"',
            gettext("Mandate"): "Vice-présidente",
            gettext("Ticket type"): "Élu·e",
            gettext("Status"): gettext("confirmed"),
            gettext("Accessibility needs"): "Fauteuil roulant\nPlace près de la scène",
            gettext("Agrees to be photographed"): gettext("yes"),
            gettext("Wants news"): gettext("no"),
            gettext("Registered at"): "10/01/2027 09:30",
            gettext("Confirmed at"): "10/01/2027 09:31",
            gettext("Cancelled at"): "",
        }

    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert text.splitlines()[0].count(";") == len(COLUMNS) - 1
    header, row = _read(text)
    assert header == headers
    assert header[2] == "Courriel"  # already in the French catalogue
    values = dict(zip(header, row, strict=True))
    assert {name: values[name] for name in expected} == expected


def test_formulas_hidden_anywhere_in_a_registration_are_neutralised():
    RegistrationFactory(
        first_name="=1+1",
        last_name="+1",
        organisation="-1",
        job_title="@A1",
        institution="=cmd|' /C calc'!A0",
    )

    _header, row = _read(registrations_csv(registrations_with_details()))

    assert row[:7] == ["'+1", "'=1+1", row[2], "'-1", "'@A1", "'=cmd|' /C calc'!A0", ""]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_the_export_costs_one_query_whatever_the_number_of_rows(django_assert_num_queries):
    ticket = TicketTypeFactory()
    RegistrationFactory.create_batch(30, ticket_type=ticket)

    with django_assert_num_queries(1):
        text = registrations_csv(registrations_with_details())

    assert len(_read(text)) == 31
