"""Payment terms: each organisation's (50 days for a public hospital's payer), printed on the
invoice; the reminder comes INVOICE_REMINDER_DAYS before the due date and names it; an unpaid
seat is released `unpaid_seat_release_days` after the due date, never before, never when the
organisation keeps unpaid seats."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.utils.formats import date_format

from payments import services as payments
from payments.models import Payment
from registrations.models import Registration
from tests.payments.test_invoices import invoice_ticket, invoiced, pdf_text

ISSUED = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def hospital_terms(*, grace):
    """An invoice issued on 1 March 2027 by an organisation giving 50 days to pay."""
    ticket = invoice_ticket()
    organisation = ticket.event.organisation
    organisation.payment_terms_days = 50
    organisation.unpaid_seat_release_days = grace
    organisation.save(update_fields=["payment_terms_days", "unpaid_seat_release_days"])
    payment = invoiced(ticket, now=ISSUED)
    mail.outbox.clear()
    return payment


def day(number: int) -> datetime:
    return ISSUED + timedelta(days=number)


def registration_status(payment) -> str:
    return Registration.objects.get(pk=payment.registration_id).status


@pytest.mark.django_db
def test_a_hospital_has_fifty_days_its_seat_is_released_on_the_fifty_first(settings):
    settings.INVOICE_REMINDER_DAYS = 7
    payment = hospital_terms(grace=0)
    invoice = payment.invoice

    assert invoice.due_on == date(2027, 4, 20)
    assert invoice.data["terms"]["due_on"] == "2027-04-20"
    assert date_format(date(2027, 4, 20), "DATE_FORMAT") == "20 avril 2027"
    assert "20 avril 2027" in pdf_text(bytes(invoice.pdf))

    for number in (31, 42, 50):
        report = payments.process_unpaid_invoices(now=day(number))
        assert report.released == 0, f"released on day {number}"
        assert registration_status(payment) == Registration.Status.PENDING_PAYMENT

    released = payments.process_unpaid_invoices(now=day(51))

    payment.refresh_from_db()
    assert released.released == 1
    assert payment.status == Payment.Status.EXPIRED
    assert registration_status(payment) == Registration.Status.EXPIRED
    # Released, it is neither reminded nor released again.
    assert payments.process_unpaid_invoices(now=day(60)).released == 0


@pytest.mark.django_db
def test_the_reminder_comes_a_week_before_the_due_date_and_names_it_in_french(settings):
    settings.INVOICE_REMINDER_DAYS = 7
    payment = hospital_terms(grace=0)

    early = payments.process_unpaid_invoices(now=day(42))
    reminded = payments.process_unpaid_invoices(now=day(43))
    again = payments.process_unpaid_invoices(now=day(44))

    assert (early.reminded, reminded.reminded, again.reminded) == (0, 1, 0)
    [reminder] = mail.outbox
    assert reminder.to == [payment.registration.email]
    assert reminder.subject.startswith("Relance")
    assert payment.invoice_number in reminder.subject
    assert "20 avril 2027" in reminder.body
    assert "libère la place" in reminder.body
    [(_filename, content, _mimetype)] = reminder.attachments
    assert content == bytes(payment.invoice.pdf)


@pytest.mark.django_db
def test_grace_days_after_the_due_date_count_too(settings):
    payment = hospital_terms(grace=10)

    assert payments.process_unpaid_invoices(now=day(60)).released == 0
    assert payments.process_unpaid_invoices(now=day(61)).released == 1
    assert registration_status(payment) == Registration.Status.EXPIRED


@pytest.mark.django_db
def test_an_organisation_that_keeps_unpaid_seats_never_has_them_released():
    payment = hospital_terms(grace=None)

    for number in (51, 120, 400):
        assert payments.process_unpaid_invoices(now=day(number)).released == 0

    assert registration_status(payment) == Registration.Status.PENDING_PAYMENT
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED


@pytest.mark.django_db
def test_the_reminder_of_an_organisation_that_keeps_unpaid_seats_threatens_no_release(settings):
    settings.INVOICE_REMINDER_DAYS = 7
    hospital_terms(grace=None)

    payments.process_unpaid_invoices(now=day(43))

    [reminder] = mail.outbox
    assert "Le paiement est dû au plus tard le 20 avril 2027." in reminder.body
    assert "libère la place" not in reminder.body


@pytest.mark.django_db
def test_new_organisations_take_invoice_release_days_as_their_terms(settings):
    settings.INVOICE_RELEASE_DAYS = 45

    payment = invoiced(invoice_ticket(), now=ISSUED)

    assert payment.invoice.organisation.payment_terms_days == 45
    assert payment.invoice.due_on == date(2027, 4, 15)
