"""Organisers act on a registration through the back office, never through the attendee's
link: they get the invoice from the payment's page, and what they do is recorded in the
object's history under their name."""

import html

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from organisations.models import Membership
from registrations.models import Invitation, Registration
from tests.factories import InvitationFactory, MembershipFactory
from tests.payments.test_invoices import invoice_ticket, invoiced, pdf_text
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def _staff(client, organisation, role=Membership.Role.ORGANISER):
    user = MembershipFactory(organisation=organisation, role=role).user
    user.refresh_from_db()
    client.force_login(user)
    return user


def _in_french(message: str) -> str:
    with translation.override("fr"):
        return gettext(message)


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_an_organiser_downloads_an_invoice_from_the_payments_page(client):
    payment = invoiced(invoice_ticket())
    _staff(client, payment.registration.event.organisation)

    page = _page(client.get(reverse("admin:payments_payment_change", args=[payment.pk])))
    download = client.get(reverse("admin:payments_invoice_pdf", args=[payment.invoice_id]))

    assert f"Télécharger la facture {payment.invoice_number}" in page
    assert payment.registration.manage_token not in page
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"].startswith("private")
    assert payment.invoice_number in pdf_text(download.content)


@pytest.mark.parametrize("who", ["another organisation's organiser", "door staff"])
def test_no_one_else_downloads_the_invoice_from_the_back_office(client, who):
    payment = invoiced(invoice_ticket())
    if who == "door staff":
        _staff(client, payment.registration.event.organisation, Membership.Role.DOOR_STAFF)
    else:
        _staff(client, invoice_ticket().event.organisation)

    download = client.get(reverse("admin:payments_invoice_pdf", args=[payment.invoice_id]))

    assert download.status_code == 404


def test_cancelling_from_the_back_office_shows_in_the_registrations_history(client):
    registration = RegistrationFactory()
    organiser = _staff(client, registration.event.organisation)

    client.post(
        reverse("admin:registrations_registration_changelist"),
        {"action": "cancel_registrations", "_selected_action": [str(registration.pk)]},
    )
    history = _page(
        client.get(reverse("admin:registrations_registration_history", args=[registration.pk]))
    )

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert organiser.username in history
    assert _in_french("Cancelled from the back office.") in history


def test_reissuing_a_badge_from_the_back_office_shows_in_the_history(client):
    registration = RegistrationFactory()
    organiser = _staff(client, registration.event.organisation)

    client.post(
        reverse("admin:registrations_registration_changelist"),
        {"action": "reissue_badges", "_selected_action": [str(registration.pk)]},
    )
    history = _page(
        client.get(reverse("admin:registrations_registration_history", args=[registration.pk]))
    )

    assert organiser.username in history
    assert _in_french("Badge reissued from the back office.") in history


def test_withdrawing_an_invitation_shows_in_its_history(client):
    invitation = InvitationFactory()
    organiser = _staff(client, invitation.event.organisation)

    client.post(
        reverse("admin:registrations_invitation_changelist"),
        {"action": "withdraw_invitations", "_selected_action": [str(invitation.pk)]},
    )
    history = _page(
        client.get(reverse("admin:registrations_invitation_history", args=[invitation.pk]))
    )

    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.REVOKED
    assert organiser.username in history
    assert _in_french("Withdrawn from the back office.") in history


def test_marking_an_invoice_paid_from_the_back_office_shows_in_its_history(client):
    payment = invoiced(invoice_ticket())
    organiser = _staff(client, payment.registration.event.organisation)

    client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "mark_paid", "_selected_action": [str(payment.pk)]},
    )
    history = _page(client.get(reverse("admin:payments_payment_history", args=[payment.pk])))

    assert organiser.username in history
    assert _in_french("Invoice marked paid from the back office.") in history
