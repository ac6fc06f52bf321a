"""Credit notes (avoirs): cancelling an invoiced registration credits its lines, once; the
organiser cancels an unpaid invoice to issue a corrected one, or credits part of a paid one by
amount; credit notes' own numbers; the attendee page lists both documents."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse

from payments import services as payments
from payments.invoicing import (
    InvoicingError,
    credit_invoice,
    issue_invoice,
    next_number,
    uncredited_amount,
)
from payments.models import Invoice, InvoiceCounter, Payment
from registrations import services
from registrations.models import OutgoingEmail, Registration
from tests.factories import MembershipFactory, OrganisationFactory, TicketTypeFactory
from tests.payments.test_invoices import (
    billing,
    invoice_ticket,
    invoiced,
    organiser_api,
    pdf_text,
)

VAT_NUMBER = "FR61196917744"  # the VAT number of the factories' SIRET


def attendee(ticket, number):
    return services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(
            first_name="Dominique",
            last_name=f"Martin {number}",
            email=f"dominique{number}@example.org",
            consent_processing=True,
        ),
    )


def group_invoice(ticket, size=2, *, now=None) -> Invoice:
    """A hospital sends `size` agents: one invoice covers them all."""
    group = [
        payments.start_invoice(
            registration=attendee(ticket, number),
            billing=payments.clean_billing(billing()),
            group=True,
        )
        for number in range(size)
    ]
    return issue_invoice(payments=group, now=now)


def vat_ticket(**fields):
    """A ticket of an organisation subject to VAT: 120.00 € including 20 % VAT."""
    organisation = OrganisationFactory(vat_regime="subject", vat_number=VAT_NUMBER)
    fields.setdefault("price", Decimal("120.00"))
    fields.setdefault("vat_rate", Decimal("20.00"))
    return TicketTypeFactory(event__organisation=organisation, allows_invoice=True, **fields)


def credit_notes_of(invoice):
    return Invoice.objects.filter(credited_invoice=invoice).order_by("pk")


# --- Cancelling an invoiced registration ----------------------------------------------------


@pytest.mark.django_db
def test_cancelling_an_invoiced_registration_emails_its_credit_note_in_french():
    payment = invoiced(invoice_ticket())
    invoice = payment.invoice
    mail.outbox.clear()

    services.cancel_registration(registration=payment.registration)

    [credit_note] = credit_notes_of(invoice)
    invoice.refresh_from_db()
    payment.refresh_from_db()
    organisation = invoice.organisation
    assert credit_note.number == f"A{organisation.pk}-{credit_note.issued_at.year}-0001"
    assert invoice.status == Invoice.Status.CREDITED
    assert invoice.get_status_display() == "annulée par avoir"
    assert (payment.credit_note, payment.status) == (credit_note, Payment.Status.EXPIRED)
    assert credit_note.total_gross == invoice.total_gross == Decimal("80.00")
    text = pdf_text(bytes(credit_note.pdf))
    assert credit_note.data["lines"][0]["attendees"] == ["Camille Durand 1"]
    for expected in ("Avoir", credit_note.number, invoice.number, "80,00 €"):
        assert expected in text
    [message] = [email for email in mail.outbox if email.subject.startswith("Avoir")]
    assert message.to == [payment.registration.email]
    assert message.subject == f"Avoir {credit_note.number}\u00a0: {invoice.event.title}"
    assert f"L’avoir {credit_note.number} annule 80,00\u00a0€ de la facture {invoice.number}" in (
        message.body
    )
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"credit-note-{credit_note.number}.pdf", "application/pdf")
    assert content == bytes(credit_note.pdf)


@pytest.mark.django_db
def test_cancelling_twice_issues_one_credit_note():
    payment = invoiced(invoice_ticket())

    services.cancel_registration(registration=payment.registration)
    services.cancel_registration(registration=payment.registration)
    payments.credit_cancelled_registration(payment.registration)

    assert credit_notes_of(payment.invoice).count() == 1
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.CREDIT_NOTE).count() == 1


@pytest.mark.django_db
def test_cancelling_one_agent_of_a_group_invoice_credits_their_line_only():
    ticket = invoice_ticket()
    invoice = group_invoice(ticket, 3)
    first, second, third = (
        payment.registration for payment in invoice.payments.order_by("pk").select_related()
    )

    services.cancel_registration(registration=second)

    [credit_note] = credit_notes_of(invoice)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PARTIALLY_CREDITED
    assert credit_note.total_gross == Decimal("80.00")
    assert [line["attendees"] for line in credit_note.data["lines"]] == [["Dominique Martin 1"]]
    text = pdf_text(bytes(credit_note.pdf))
    assert "Dominique Martin 1" in text
    assert "Dominique Martin 0" not in text
    assert "Dominique Martin 2" not in text
    assert "80,00 €" in text.replace("\u00a0", " ").replace("\u202f", " ")
    # The others still owe their part, and do not see another's credit note.
    assert first.payments.get().credit_note is None
    assert payments.registration_documents(registration=first) == [invoice]
    assert payments.registration_documents(registration=second) == [invoice, credit_note]

    services.cancel_registration(registration=first)
    services.cancel_registration(registration=third)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED
    assert sum(note.total_gross for note in credit_notes_of(invoice)) == invoice.total_gross
    assert uncredited_amount(invoice) == 0
    assert [note.number[-4:] for note in credit_notes_of(invoice)] == ["0001", "0002", "0003"]


@pytest.mark.django_db
def test_credit_notes_of_a_group_add_up_to_the_invoice_to_the_cent():
    # 100.00 € including 20 % VAT: 83.3333 € excluding VAT each; three lines credited apart
    # would round to 83.33 + 83.33 + 83.33 = 249.99, against 250.00 on the invoice.
    ticket = vat_ticket(price=Decimal("100.00"))
    invoice = group_invoice(ticket, 3)
    registrations = [payment.registration for payment in invoice.payments.order_by("pk")]

    for registration in registrations:
        services.cancel_registration(registration=registration)

    notes = list(credit_notes_of(invoice))
    assert invoice.total_net == Decimal("250.00")
    assert sum(note.total_net for note in notes) == invoice.total_net
    assert sum(note.total_vat for note in notes) == invoice.total_vat
    assert sum(note.total_gross for note in notes) == invoice.total_gross == Decimal("300.00")
    for note in notes:
        lines = note.data["lines"]
        assert sum(Decimal(line["net"]) for line in lines) == note.total_net


@pytest.mark.django_db
def test_cancelling_after_the_invoice_was_paid_credits_it_and_flags_the_refund_due():
    payment = invoiced(invoice_ticket())
    payments.mark_invoice_paid(invoice=payment.invoice)
    mail.outbox.clear()

    services.cancel_registration(registration=payment.registration)

    [credit_note] = credit_notes_of(payment.invoice)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.flag == Payment.Flag.REFUND_DUE
    assert credit_note.number in payment.flag_note
    assert "80.00 EUR by bank transfer" in payment.flag_note
    kinds = set(OutgoingEmail.objects.values_list("kind", flat=True))
    assert {OutgoingEmail.Kind.CREDIT_NOTE, OutgoingEmail.Kind.PAYMENT_FLAGGED} <= kinds


@pytest.mark.django_db
def test_a_payment_awaiting_its_group_invoice_just_expires_on_cancellation():
    ticket = invoice_ticket()
    payment = payments.start_invoice(
        registration=attendee(ticket, 1), billing=payments.clean_billing(billing()), group=True
    )

    services.cancel_registration(registration=payment.registration)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert not Invoice.objects.exists()
    assert not OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.CREDIT_NOTE).exists()


# --- The organiser cancels an invoice ---------------------------------------------------------


@pytest.mark.django_db
def test_cancelling_an_invoice_in_the_admin_leaves_the_group_awaiting_a_corrected_invoice(client):
    ticket = invoice_ticket()
    invoice = group_invoice(ticket, 2)
    old = list(invoice.payments.order_by("pk"))
    membership = MembershipFactory(organisation=ticket.event.organisation)
    client.force_login(membership.user)

    response = client.post(
        reverse("admin:payments_invoice_changelist"),
        {"action": "cancel_invoices", "_selected_action": [str(invoice.pk)]},
        follow=True,
    )

    [credit_note] = credit_notes_of(invoice)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED
    assert credit_note.total_gross == Decimal("160.00")
    assert "1 facture annulée par un avoir" in response.content.decode()
    assert LogEntry.objects.get(object_id=str(invoice.pk)).get_change_message() == (
        f"Facture annulée par l’avoir {credit_note.number}."
    )
    fresh = []
    for payment in old:
        payment.refresh_from_db()
        registration = payment.registration
        registration.refresh_from_db()
        assert payment.status == Payment.Status.EXPIRED
        assert registration.status == Registration.Status.PENDING_PAYMENT
        new = registration.payments.get(status=Payment.Status.CREATED)
        assert new.invoice is None
        assert (new.billing_name, new.billing_address, new.purchase_order_number) == (
            payment.billing_name,
            payment.billing_address,
            payment.purchase_order_number,
        )
        assert new.amount == payment.amount
        fresh.append(new)

    corrected = issue_invoice(payments=fresh)

    assert corrected.number.endswith("-0002")
    assert corrected.total_gross == Decimal("160.00")


@pytest.mark.django_db
def test_cancelling_an_invoice_through_the_api_and_its_refusals():
    ticket = invoice_ticket()
    payment = invoiced(ticket)
    api = organiser_api(ticket.event.organisation)
    url = f"/api/v1/invoices/{payment.invoice_id}/cancel/"

    first = api.post(url)
    again = api.post(url)
    stranger = organiser_api(OrganisationFactory()).post(url)

    assert first.status_code == 200
    assert first.json()["status"] == "credited"
    payment.registration.refresh_from_db()
    assert payment.registration.status == "pending_payment"
    assert again.status_code == 400
    assert again.json()["detail"] == (
        f"La facture {payment.invoice_number} est déjà annulée par un avoir."
    )
    assert stranger.status_code == 404
    assert credit_notes_of(payment.invoice).count() == 1

    paid = invoiced(ticket, 2)
    payments.mark_invoice_paid(invoice=paid.invoice)
    refused = api.post(f"/api/v1/invoices/{paid.invoice_id}/cancel/")
    assert refused.status_code == 400
    assert paid.invoice_number in refused.json()["detail"]
    assert not credit_notes_of(paid.invoice).exists()

    credit_note = credit_notes_of(payment.invoice).get()
    not_an_invoice = api.post(f"/api/v1/invoices/{credit_note.pk}/cancel/")
    assert not_an_invoice.status_code == 400
    assert set(not_an_invoice.json()) == {"detail"}


# --- Partial credit by amount -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_partial_credit_by_amount_keeps_a_cancellation_fee_then_credits_the_rest():
    payment = invoiced(vat_ticket())
    invoice = payment.invoice
    payments.mark_invoice_paid(invoice=invoice)
    mail.outbox.clear()

    refund = credit_invoice(invoice=invoice, amount=Decimal("90.00"))

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PARTIALLY_CREDITED
    [line] = refund.data["lines"]
    assert line["description"] == f"Avoir partiel de la facture {invoice.number}"
    assert (line["vat_rate"], line["net"]) == ("20.00", "75.00")
    assert (refund.total_net, refund.total_vat, refund.total_gross) == (
        Decimal("75.00"),
        Decimal("15.00"),
        Decimal("90.00"),
    )
    # The line's description may wrap in its column.
    assert f"Avoir partiel de la facture {invoice.number}" in " ".join(
        pdf_text(bytes(refund.pdf)).split()
    )
    [message] = mail.outbox
    assert message.attachments[0][1] == bytes(refund.pdf)
    assert uncredited_amount(invoice) == Decimal("30.00")
    with pytest.raises(InvoicingError, match=r"Au plus 30\.00 EUR"):
        credit_invoice(invoice=invoice, amount=Decimal("30.01"))

    rest = credit_invoice(invoice=invoice, amount=Decimal("30.00"))

    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED
    assert (rest.total_net + refund.total_net, rest.total_vat + refund.total_vat) == (
        invoice.total_net,
        invoice.total_vat,
    )
    assert payment.credit_note == rest
    assert payments.registration_documents(registration=payment.registration) == [
        invoice,
        refund,
        rest,
    ]


@pytest.mark.django_db
def test_a_partial_credit_of_an_invoice_with_several_vat_rates_is_refused():
    ticket = vat_ticket()
    reduced = TicketTypeFactory(
        event=ticket.event, price=Decimal("55.00"), vat_rate=Decimal("10.00"), allows_invoice=True
    )
    group = [
        payments.start_invoice(
            registration=attendee(kind, number),
            billing=payments.clean_billing(billing()),
            group=True,
        )
        for number, kind in enumerate((ticket, reduced))
    ]
    invoice = issue_invoice(payments=group)

    with pytest.raises(InvoicingError, match="plusieurs taux de TVA"):
        credit_invoice(invoice=invoice, amount=Decimal("10.00"))

    assert not credit_notes_of(invoice).exists()
    assert not InvoiceCounter.objects.filter(series="A").exclude(last_number=0).exists()


@pytest.mark.django_db
def test_a_cancellation_after_a_partial_credit_is_left_to_the_organisers():
    payment = invoiced(invoice_ticket())
    payments.mark_invoice_paid(invoice=payment.invoice)
    credit_invoice(invoice=payment.invoice, amount=Decimal("20.00"))

    services.cancel_registration(registration=payment.registration)

    payment.refresh_from_db()
    assert credit_notes_of(payment.invoice).count() == 1
    assert payment.flag == Payment.Flag.REFUND_DUE
    assert "plus que ce qui reste" in payment.flag_note


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Assurez-vous que cette valeur est supérieure ou égale à 0.01."),
        ("-5", "Assurez-vous que cette valeur est supérieure ou égale à 0.01."),
        ("abc", "Saisissez un nombre."),
        ("12.345", "Assurez-vous qu’il n’y a pas plus de 2 chiffres après la virgule."),
        ("80.01", "Au plus 80.00 EUR de la facture {number} reste à créditer."),
    ],
)
def test_the_partial_credit_form_refuses_bad_amounts_and_issues_nothing(client, amount, message):
    payment = invoiced(invoice_ticket())
    invoice = payment.invoice
    membership = MembershipFactory(organisation=invoice.organisation)
    client.force_login(membership.user)
    url = reverse("admin:payments_invoice_credit", args=[invoice.pk])

    response = client.post(url, {"amount": amount})

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [message.format(number=invoice.number)]
    assert not credit_notes_of(invoice).exists()


@pytest.mark.django_db
def test_an_organiser_credits_part_of_an_invoice_in_the_admin(client):
    payment = invoiced(invoice_ticket())
    invoice = payment.invoice
    membership = MembershipFactory(organisation=invoice.organisation)
    client.force_login(membership.user)
    change = client.get(reverse("admin:payments_invoice_change", args=[invoice.pk]))
    url = reverse("admin:payments_invoice_credit", args=[invoice.pk])
    assert url in change.content.decode()
    assert "80,00 EUR" in client.get(url).content.decode().replace("80.00", "80,00")

    response = client.post(url, {"amount": "30.00"})

    [credit_note] = credit_notes_of(invoice)
    assert response.status_code == 302
    assert credit_note.total_gross == Decimal("30.00")
    assert credit_note.number in LogEntry.objects.get(object_id=str(invoice.pk)).change_message
    stranger = MembershipFactory(organisation=OrganisationFactory())
    client.force_login(stranger.user)
    assert client.post(url, {"amount": "10.00"}).status_code == 404
    assert credit_notes_of(invoice).count() == 1


# --- Numbers ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_ten_thousandth_credit_note_follows_the_9999th_then_a_new_year_starts_again():
    ticket = invoice_ticket()
    organisation = ticket.event.organisation
    june = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
    InvoiceCounter.objects.create(
        organisation=organisation, series="A", year=2027, last_number=9998
    )
    prefix = f"A{organisation.pk}-2027-"
    invoices = [invoiced(ticket, number, now=june).invoice for number in (1, 2, 3, 4)]

    numbers = [credit_invoice(invoice=invoice, now=june).number for invoice in invoices[:3]]
    # 23:30 UTC on 31 December is 00:30 on 1 January in Paris.
    new_year = credit_invoice(
        invoice=invoices[3], now=datetime(2027, 12, 31, 23, 30, tzinfo=UTC)
    ).number

    assert numbers == [f"{prefix}9999", f"{prefix}10000", f"{prefix}10001"]
    assert new_year == f"A{organisation.pk}-2028-0001"
    # The invoices' series went on its own way.
    assert [invoice.number[-4:] for invoice in invoices] == ["0001", "0002", "0003", "0004"]


@pytest.mark.django_db
def test_an_invoice_and_a_credit_note_issued_in_the_same_second_each_open_their_series():
    ticket = invoice_ticket()
    organisation = ticket.event.organisation
    moment = datetime(2027, 3, 1, 9, 0, 0, tzinfo=UTC)
    payment = invoiced(ticket, now=moment)

    credit_note = credit_invoice(invoice=payment.invoice, now=moment)

    assert payment.invoice_number == f"F{organisation.pk}-2027-0001"
    assert credit_note.number == f"A{organisation.pk}-2027-0001"
    assert next_number(
        organisation=organisation, kind=Invoice.Kind.CREDIT_NOTE, issued_at=moment
    ) == (f"A{organisation.pk}-2027-0002")


# --- The attendee's page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_after_cancelling_the_attendee_page_lists_and_serves_both_documents(client):
    ticket = invoice_ticket()
    payment = invoiced(ticket)
    other = invoiced(ticket, 2)
    registration = payment.registration
    services.cancel_registration(registration=registration)
    [credit_note] = credit_notes_of(payment.invoice)
    invoice = Invoice.objects.get(pk=payment.invoice_id)

    page = client.get(registration.get_personal_url()).content.decode()

    assert f"Facture {invoice.number} (PDF)" in page
    assert f"Avoir {credit_note.number} (PDF)" in page
    assert "annulée par avoir" in page
    for document in (invoice, credit_note):
        path = f"/r/{registration.manage_token}/documents/{document.number}.pdf"
        download = client.get(path)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download.content == bytes(document.pdf)
        stolen = client.get(f"/r/{other.registration.manage_token}/documents/{document.number}.pdf")
        assert stolen.status_code == 404
