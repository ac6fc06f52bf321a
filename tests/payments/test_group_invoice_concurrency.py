"""Two organisers group the same registrations into an invoice at the same instant: one
invoice is issued, the other organiser is told the registrations are invoiced already, and
no payment is left behind. Runs on SQLite (the default) and on PostgreSQL
(`DATABASE_URL=postgres://…`), each organiser in its own thread and connection."""

import pytest

from payments.group_invoices import GroupInvoiceError, invoice_registrations
from payments.models import Invoice, Payment
from payments.services import clean_billing
from tests.concurrency import run_together
from tests.payments.invoice_steps import HOSPITAL, invoice_ticket, pending

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_for_several_connections"),
]


def test_two_organisers_grouping_the_same_agents_at_once_issue_one_invoice():
    ticket = invoice_ticket()
    agents = [pending(ticket, name) for name in ("Martin", "Petit")]
    billing = clean_billing(HOSPITAL)

    outcomes = run_together(
        2, lambda index: invoice_registrations(registrations=agents, billing=billing)
    )

    issued = [outcome for outcome in outcomes if isinstance(outcome, Invoice)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, GroupInvoiceError)]
    assert len(issued) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert "N’attendent pas de facture" in refused[0].message
    assert Invoice.objects.count() == 1
    assert Payment.objects.count() == 2
    assert set(Payment.objects.values_list("invoice_id", flat=True)) == {issued[0].pk}
