"""The back office's view of invoices: the list filtered by event (scoped), the totals of an
event, the sales journal (CSV and XLSX) and the ZIP of an event's documents. The totals, the
journal and the ZIP hold the same documents and the same sums; another organisation's
documents never appear."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from payments.invoicing import credit_invoice
from payments.journal import journal_csv, journal_documents, journal_lines
from payments.models import Invoice
from payments.selectors import invoice_totals
from payments.services import mark_invoice_paid
from tests.factories import MembershipFactory, OrganisationFactory
from tests.payments.invoice_steps import group_invoice, invoice_ticket, pdf_text

pytestmark = pytest.mark.django_db

JOURNAL = "admin:payments_invoice_journal"
CHANGELIST = "admin:payments_invoice_changelist"


@pytest.fixture
def colloquium():
    """One organisation's event with a paid invoice, an unpaid one, and a credit note for one
    of its two attendees; and another organisation's invoice on the side."""
    organisation = OrganisationFactory()
    ticket = invoice_ticket(organisation, price=Decimal("120.00"))
    paid = group_invoice(ticket, "Martin", "Petit")
    mark_invoice_paid(invoice=paid)
    unpaid = group_invoice(ticket, "Durand", "Nguyễn")
    credit_note = credit_invoice(invoice=unpaid, payments=[unpaid.payments.order_by("pk")[0]])
    other = group_invoice(invoice_ticket(price=Decimal("999.00")), "Étranger")
    return {
        "organisation": organisation,
        "event": ticket.event,
        "paid": paid,
        "unpaid": unpaid,
        "credit_note": credit_note,
        "other": other,
    }


@pytest.fixture
def organiser(client, colloquium):
    client.force_login(MembershipFactory(organisation=colloquium["organisation"]).user)
    return client


def read_csv(content: bytes) -> list[dict]:
    assert content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def french_amount(text: str) -> Decimal:
    assert "." not in text
    return Decimal(text.replace(",", "."))


def download(client, **query):
    response = client.get(reverse(JOURNAL), query)
    assert response.status_code == 200, response.content[:500]
    return response


def test_the_totals_of_an_event_count_invoiced_paid_credited_and_outstanding(colloquium):
    totals = invoice_totals(Invoice.objects.filter(event=colloquium["event"]))

    assert totals.invoiced == Decimal("480.00")
    assert totals.paid == Decimal("240.00")
    assert totals.credited == Decimal("120.00")
    assert totals.outstanding == Decimal("120.00")


def test_the_invoice_list_shows_the_events_totals_and_offers_only_the_organisers_events(
    organiser, colloquium, django_assert_max_num_queries
):
    event = colloquium["event"]

    with django_assert_max_num_queries(20):
        page = organiser.get(reverse(CHANGELIST), {"event__id__exact": event.pk})
    page = page.content.decode()
    whole = organiser.get(reverse(CHANGELIST)).content.decode()

    assert "480,00" in page
    assert "240,00" in page
    assert "120,00" in page
    assert colloquium["paid"].number in page
    assert colloquium["credit_note"].number in page
    assert colloquium["other"].number not in whole
    assert str(colloquium["other"].event) not in whole
    assert str(event) in whole  # offered by the "by event" filter


def test_the_french_csv_journal_holds_each_document_once_with_french_decimals(
    organiser, colloquium
):
    response = download(organiser, event=colloquium["event"].pk, format="csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response.content)
    assert [row["Numéro"] for row in rows] == [
        colloquium["paid"].number,
        colloquium["unpaid"].number,
        colloquium["credit_note"].number,
    ]
    credit = rows[2]
    assert credit["Type"] == "avoir"
    assert credit["Facture créditée"] == colloquium["unpaid"].number
    assert french_amount(credit["Total TTC"]) == Decimal("-120.00")
    assert french_amount(credit["HT à 0\u00a0%"]) == Decimal("-120.00")
    assert rows[0]["Payeur"] == "Centre hospitalier d’Arles"
    assert rows[0]["SIRET du payeur"] == "26130001600019"
    assert rows[0]["N° de bon de commande ou d’engagement"] == "BC-2027-0042"
    assert rows[0]["Payé le"] == timezone.localdate().isoformat()
    assert rows[1]["Payé le"] == ""
    assert colloquium["other"].number not in response.content.decode("utf-8-sig")


def test_the_journal_sums_are_the_events_totals(organiser, colloquium):
    rows = read_csv(download(organiser, event=colloquium["event"].pk, format="csv").content)
    totals = invoice_totals(Invoice.objects.filter(event=colloquium["event"]))

    gross = [french_amount(row["Total TTC"]) for row in rows]
    invoiced = sum(amount for amount in gross if amount > 0)
    credited = -sum(amount for amount in gross if amount < 0)
    paid = sum(
        french_amount(row["Total TTC"])
        for row in rows
        if row["Payé le"] and row["Type"] == "facture"
    )

    assert (invoiced, paid, credited) == (totals.invoiced, totals.paid, totals.credited)
    assert sum(gross) == totals.paid + totals.outstanding


def test_the_english_journal_uses_decimal_points(colloquium):
    documents = journal_documents(Invoice.objects.all(), event=colloquium["event"])

    with translation.override("en"):
        rows = read_csv(journal_csv(journal_lines(documents)))

    assert rows[2]["Total including VAT"] == "-120.00"
    assert rows[2]["Kind"] == "credit note"


def test_the_zip_holds_the_stored_pdfs_of_exactly_the_journals_documents(organiser, colloquium):
    response = download(organiser, event=colloquium["event"].pk, format="zip")

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    rows = read_csv(archive.read("journal.csv"))
    documents = [colloquium["paid"], colloquium["unpaid"], colloquium["credit_note"]]
    assert sorted(archive.namelist()) == sorted(
        ["journal.csv", *(document.filename for document in documents)]
    )
    assert [row["Numéro"] for row in rows] == [document.number for document in documents]
    for document in documents:
        stored = bytes(Invoice.objects.get(pk=document.pk).pdf)
        assert archive.read(document.filename) == stored
        assert document.number in pdf_text(stored)
    totals = invoice_totals(Invoice.objects.filter(event=colloquium["event"]))
    assert sum(french_amount(row["Total TTC"]) for row in rows) == (
        totals.invoiced - totals.credited
    )


def test_the_xlsx_journal_has_numbers_and_the_same_lines(organiser, colloquium):
    response = download(organiser, format="xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headings, lines = rows[0], rows[1:]
    column = headings.index("Total TTC")
    assert [line[headings.index("Numéro")] for line in lines] == [
        colloquium["paid"].number,
        colloquium["unpaid"].number,
        colloquium["credit_note"].number,
    ]
    assert [Decimal(str(line[column])) for line in lines] == [
        Decimal("240"),
        Decimal("240"),
        Decimal("-120"),
    ]


def test_a_period_keeps_only_the_documents_issued_in_it(organiser, colloquium):
    today = timezone.localdate()
    Invoice.objects.filter(pk=colloquium["paid"].pk).update(
        issued_at=timezone.now() - timezone.timedelta(days=40)
    )

    rows = read_csv(download(organiser, start=today.isoformat(), format="csv").content)

    assert colloquium["paid"].number not in [row["Numéro"] for row in rows]
    assert len(rows) == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"format": "zip"}, "Choisissez l’événement"),
        ({"format": "csv", "start": "2027-02-01", "end": "2027-01-01"}, "précède son début"),
        ({"format": "csv", "start": "demain"}, "Saisissez une date valide"),
        ({"format": "pdf"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_journal_requests_show_the_form_with_the_reason(organiser, colloquium, query, message):
    response = organiser.get(reverse(JOURNAL), query)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


def test_another_organisations_event_cannot_be_exported(organiser, colloquium):
    response = organiser.get(
        reverse(JOURNAL), {"event": colloquium["other"].event_id, "format": "zip"}
    )

    assert response["Content-Type"].startswith("text/html")
    assert colloquium["other"].number not in response.content.decode()


def test_door_staff_get_no_journal(client, colloquium):
    client.force_login(
        MembershipFactory(organisation=colloquium["organisation"], role="door_staff").user
    )

    response = client.get(reverse(JOURNAL), {"format": "csv"})

    assert response.status_code in (302, 403)
