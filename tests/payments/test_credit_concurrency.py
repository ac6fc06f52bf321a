"""Two cancellations of the same invoiced registration at the same instant (the attendee on
their page, an organiser in the back office): exactly one credit note.

Each runs in its own thread with its own connection (tests/concurrency.py), on SQLite by
default and on PostgreSQL with `DATABASE_URL=postgres://…`, where the invoice's row lock is
what keeps the second from crediting the same lines again.
"""

import time

import pytest

from payments import invoicing
from payments import services as payments
from payments.models import Invoice, Payment
from registrations import services
from registrations.models import OutgoingEmail, Registration
from tests.concurrency import run_together
from tests.payments.test_invoices import invoice_ticket, invoiced

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_for_several_connections"),
]


def slow_pdf(monkeypatch):
    """Drawing the credit note takes a while, with the invoice locked: without the lock,
    every racer would have read the payment as not credited yet, and credited it."""
    build = invoicing.build_document

    def build_slowly(data):
        time.sleep(0.2)
        return build(data)

    monkeypatch.setattr(invoicing, "build_document", build_slowly)


def test_two_cancellations_racing_issue_one_credit_note(monkeypatch):
    payment = invoiced(invoice_ticket())
    slow_pdf(monkeypatch)

    outcomes = run_together(
        2, lambda index: services.cancel_registration(registration=payment.registration).status
    )

    assert outcomes == [Registration.Status.CANCELLED] * 2
    [credit_note] = Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE)
    payment.refresh_from_db()
    assert payment.credit_note == credit_note
    assert Invoice.objects.get(pk=payment.invoice_id).status == Invoice.Status.CREDITED
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.CREDIT_NOTE).count() == 1


def test_four_racing_credits_of_a_paid_invoice_credit_and_flag_it_once(monkeypatch):
    payment = invoiced(invoice_ticket())
    payments.mark_invoice_paid(invoice=payment.invoice)
    Registration.objects.filter(pk=payment.registration_id).update(
        status=Registration.Status.CANCELLED
    )
    slow_pdf(monkeypatch)

    outcomes = run_together(
        4, lambda index: payments.credit_cancelled_registration(payment.registration)
    )

    assert outcomes == [None] * 4
    [credit_note] = Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE)
    payment.refresh_from_db()
    assert (payment.credit_note, payment.flag) == (credit_note, Payment.Flag.REFUND_DUE)
    assert credit_note.number.endswith("-0001")
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.PAYMENT_FLAGGED).count() == 1
