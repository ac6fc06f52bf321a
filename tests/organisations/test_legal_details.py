"""Who sets an organisation's legal and bank details, who hears when they change, and what the
back office says while they keep the organisation from invoicing (issue 12)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from organisations.models import Membership, Organisation
from organisations.services import save_organisation
from registrations.models import OutgoingEmail
from tests.events.admin_forms import admin_form_data
from tests.factories import MembershipFactory, OrganisationFactory, TicketTypeFactory

OLD_IBAN = "FR7630001007941234567890185"
NEW_IBAN = "FR7630006000011234567890189"


def change_url(organisation) -> str:
    return reverse("admin:organisations_organisation_change", args=[organisation.pk])


def member(organisation, role, **user):
    return MembershipFactory(organisation=organisation, role=role, user__is_staff=True, **user).user


def logged_in(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_an_organiser_posting_a_new_iban_leaves_it_unchanged(client):
    organisation = OrganisationFactory(iban=OLD_IBAN, legal_name="Université Lyon 2")
    organiser = logged_in(client, member(organisation, Membership.Role.ORGANISER))
    page = organiser.get(change_url(organisation))
    data = admin_form_data(page)
    assert "iban" not in data  # shown, not offered for editing
    assert OLD_IBAN in page.content.decode()

    response = organiser.post(
        change_url(organisation),
        {**data, "name": "Chaire renommée", "iban": NEW_IBAN, "legal_name": "Escroquerie SA"},
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Chaire renommée"  # what an organiser may change, changes
    assert (organisation.iban, organisation.legal_name) == (OLD_IBAN, "Université Lyon 2")
    assert OutgoingEmail.objects.count() == 0


@pytest.mark.django_db
def test_an_owner_changes_the_iban_and_every_owner_gets_one_french_email(client):
    organisation = OrganisationFactory(name="Chaire PST", iban=OLD_IBAN)
    owner = member(
        organisation, Membership.Role.OWNER, user__first_name="Inès", user__last_name="Moreau"
    )
    other_owner = member(organisation, Membership.Role.OWNER)
    organiser = member(organisation, Membership.Role.ORGANISER)
    door = member(organisation, Membership.Role.DOOR_STAFF)
    elsewhere = member(OrganisationFactory(), Membership.Role.OWNER)
    data = admin_form_data(logged_in(client, owner).get(change_url(organisation)))
    assert data["iban"] == OLD_IBAN

    response = client.post(change_url(organisation), {**data, "iban": NEW_IBAN})

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.iban == NEW_IBAN
    emails = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.BANK_DETAILS_CHANGED)
    assert sorted(email.user_id for email in emails) == sorted([owner.pk, other_owner.pk])
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [owner.email, other_owner.email]
    )
    for user in (organiser, door, elsewhere):
        assert all(message.to != [user.email] for message in mail.outbox)
    [message] = [message for message in mail.outbox if message.to == [other_owner.email]]
    assert message.subject == "Coordonnées bancaires de Chaire PST modifiées"
    assert f"par Inès Moreau ({owner.username})." in message.body
    assert "IBAN\u00a0: •••• 0185 → •••• 0189" in message.body
    assert OLD_IBAN not in message.body
    assert NEW_IBAN not in message.body
    assert "vérifiez sans tarder" in message.body
    html = message.alternatives[0][0]
    assert "•••• 0189" in html
    assert NEW_IBAN not in html
    assert "reset" not in message.body  # no password link in an email about bank details


@pytest.mark.django_db
def test_the_email_says_when_and_what_changed_among_iban_bic_and_legal_name():
    organisation = OrganisationFactory(
        name="Chaire PST", legal_name="Chaire PST", bic="BDFEFRPPCCT"
    )
    owner = member(organisation, Membership.Role.OWNER)
    organisation.legal_name = "Université Lumière Lyon 2"
    organisation.bic = "CEPAFRPP313"
    organisation.website = "https://example.org"  # not a bank detail

    changes = save_organisation(
        organisation=organisation,
        changed_by=None,
        now=datetime(2027, 3, 4, 13, 5, tzinfo=UTC),
    )

    assert [change.field for change in changes] == ["bic", "legal_name"]
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert "modifiées le 4 mars 2027 à 14:05." in message.body
    assert "BIC\u00a0: BDFEFRPPCCT → CEPAFRPP313" in message.body
    assert "Raison sociale\u00a0: Chaire PST → Université Lumière Lyon 2" in message.body


@pytest.mark.django_db
def test_no_email_when_no_bank_detail_changed(client):
    organisation = OrganisationFactory()
    owner = member(organisation, Membership.Role.OWNER)
    data = admin_form_data(logged_in(client, owner).get(change_url(organisation)))

    response = client.post(
        change_url(organisation),
        {**data, "city": "Villeurbanne", "payment_terms_days": "50", "iban": organisation.iban},
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.city, organisation.payment_terms_days) == ("Villeurbanne", 50)
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_invalid_iban_from_an_owner_is_refused_and_nobody_is_emailed(client):
    organisation = OrganisationFactory(iban=OLD_IBAN)
    owner = member(organisation, Membership.Role.OWNER)
    data = admin_form_data(logged_in(client, owner).get(change_url(organisation)))

    response = client.post(change_url(organisation), {**data, "iban": "FR76 1234"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["iban"] == [
        "Cet IBAN n’est pas valide\u00a0: vérifiez sa longueur et ses chiffres."
    ]
    assert Organisation.objects.get(pk=organisation.pk).iban == OLD_IBAN
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_organiser_cannot_change_the_payment_terms_either(client):
    organisation = OrganisationFactory(payment_terms_days=30)
    organiser = logged_in(client, member(organisation, Membership.Role.ORGANISER))
    data = admin_form_data(organiser.get(change_url(organisation)))

    organiser.post(
        change_url(organisation),
        {**data, "payment_terms_days": "60", "late_payment_rate": "1.00", "siret": ""},
    )

    organisation.refresh_from_db()
    assert (organisation.payment_terms_days, organisation.late_payment_rate) == (30, None)
    assert organisation.siret == "19691774400019"


@pytest.mark.django_db
def test_the_organisation_page_warns_while_details_keep_it_from_invoicing(client):
    incomplete = OrganisationFactory(iban="", siret="12345678901234")
    owner = member(incomplete, Membership.Role.OWNER)

    response = logged_in(client, owner).get(change_url(incomplete))

    [warning] = messages_of(response)
    assert warning.startswith(
        "Cette organisation ne peut pas encore émettre de factures, ses billets ne peuvent donc "
        "pas être payés sur facture\u00a0:"
    )
    assert "IBAN" in warning
    assert "Ce numéro SIRET n’est pas valide" in warning
    assert "Ce numéro SIRET n’est pas valide" in response.content.decode()


@pytest.mark.django_db
def test_a_complete_organisation_page_shows_no_warning(client):
    organisation = OrganisationFactory()
    owner = member(organisation, Membership.Role.OWNER)

    response = logged_in(client, owner).get(change_url(organisation))

    assert messages_of(response) == []


@pytest.mark.django_db
def test_the_event_and_ticket_pages_warn_when_a_ticket_allows_invoice_but_details_are_missing(
    client,
):
    ticket = TicketTypeFactory(
        event__organisation=OrganisationFactory(bic=""),
        price=Decimal("80.00"),
        allows_invoice=True,
    )
    organiser = logged_in(client, member(ticket.event.organisation, Membership.Role.ORGANISER))

    event_page = organiser.get(reverse("admin:events_event_change", args=[ticket.event.pk]))
    ticket_page = organiser.get(reverse("admin:registrations_tickettype_change", args=[ticket.pk]))

    for page in (event_page, ticket_page):
        [warning] = messages_of(page)
        assert warning == (
            "Le formulaire public ne propose pas le paiement sur facture tant que les "
            "informations légales de l’organisation sont incomplètes\u00a0: "
            "Champ manquant\u00a0: BIC."
        )


@pytest.mark.django_db
def test_no_warning_on_an_event_none_of_whose_tickets_is_paid_on_invoice(client):
    ticket = TicketTypeFactory(
        event__organisation=OrganisationFactory(bic=""), allows_invoice=False
    )
    organiser = logged_in(client, member(ticket.event.organisation, Membership.Role.ORGANISER))

    response = organiser.get(reverse("admin:events_event_change", args=[ticket.event.pk]))

    assert messages_of(response) == []
