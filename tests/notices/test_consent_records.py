"""A registration and an invitation's answer record which privacy notice and which consent
wording were accepted, and when; the forms link to the notice and say where the rights are
exercised."""

import pytest
from django.utils import timezone

from notices.services import publish_privacy_notice
from registrations.models import Registration
from tests.factories import InvitationFactory, MembershipFactory
from tests.notices.test_pages import text_of
from tests.registrations.attendee_steps import colloquium_ticket, form_data, register_url

pytestmark = pytest.mark.django_db


def test_the_form_links_to_the_notice_and_says_the_rights_are_on_the_personal_page(client):
    ticket = colloquium_ticket()
    organisation = ticket.event.organisation

    page = client.get(register_url(ticket.event))

    assert f'<a href="/confidentialite/{organisation.slug}/">politique de confidentialité</a>' in (
        page.content.decode()
    )
    text = text_of(page)
    assert "Depuis votre page personnelle (son lien vous parvient par courriel)" in text
    assert "corrected or deleted at any time" not in text
    english = client.get(register_url(ticket.event, "en")).content.decode()
    assert f'<a href="/en/confidentialite/{organisation.slug}/">privacy notice</a>' in english


def test_a_registration_after_a_new_version_records_that_version_and_the_wording(client):
    ticket = colloquium_ticket()
    organisation = ticket.event.organisation
    owner = MembershipFactory(organisation=organisation, role="owner").user
    client.get(f"/confidentialite/{organisation.slug}/")  # version 1, the default, is in force
    version_2 = publish_privacy_notice(
        organisation=organisation, text_fr="## Nouveau\nTexte.", text_en="", user=owner
    )
    before = timezone.now()

    client.post(
        register_url(ticket.event),
        form_data(ticket, consent_photos="on", consent_news="on"),
    )

    registration = Registration.objects.get(email="camille.durand@example.org")
    assert registration.privacy_notice == version_2
    assert version_2.version == 2
    assert registration.consent_processing_at >= before
    assert registration.consent_wording == (
        "J’accepte que les organisateurs traitent mes données pour gérer mon inscription et ma "
        "participation.\n"
        "J’accepte d’apparaître sur les photos prises pendant l’événement.\n"
        "Je souhaite être informé(e) des prochains événements des organisateurs."
    )
    assert text_of(client.get(f"/confidentialite/{organisation.slug}/")).count("Nouveau") == 1


def test_an_english_registration_records_the_english_wording_without_unticked_boxes(client):
    ticket = colloquium_ticket()

    client.post(register_url(ticket.event, "en"), form_data(ticket))

    registration = Registration.objects.get()
    assert registration.privacy_notice.version == 1
    assert registration.consent_wording == (
        "I agree that the organisers process my data to manage my registration and my attendance."
    )


def test_a_guest_answering_records_the_notice_for_them_and_their_plus_one(client):
    invitation = InvitationFactory(plus_ones_allowed=1, language="fr")
    organisation = invitation.event.organisation
    url = invitation.get_personal_url()

    page = client.get(url)
    assert f'<a href="/confidentialite/{organisation.slug}/">' in page.content.decode()

    client.post(
        url,
        {
            "answer": "accept",
            "first_name": "Hélène",
            "last_name": "Martin",
            "consent_processing": "on",
            "consent_photos": "on",
            "plus_one_1_first_name": "Paul",
            "plus_one_1_last_name": "Martin",
        },
    )

    guest, companion = Registration.objects.order_by("pk")
    assert guest.privacy_notice.organisation == organisation
    assert companion.privacy_notice == guest.privacy_notice
    assert guest.consent_wording.splitlines() == [
        "J’accepte que les organisateurs traitent mes données (et celles de mes accompagnants) "
        "pour l’organisation de cet événement.",
        "J’accepte d’être photographié·e pendant l’événement.",
    ]
    assert companion.consent_wording == guest.consent_wording.splitlines()[0]
