"""Owners publish a new version of their organisation's privacy notice in the back office;
organisers read it and cannot change it; the legal notice and the statement belong to
superusers."""

import pytest

from audit.models import AuditEntry
from notices.models import LegalNotice, PrivacyNotice
from notices.selectors import current_privacy_notice
from registrations.models import Registration
from tests.factories import MembershipFactory, OrganisationFactory, SpeakerFactory
from tests.notices.test_pages import text_of
from tests.registrations.attendee_steps import colloquium_ticket, form_data, register_url

pytestmark = pytest.mark.django_db

ADD = "/admin/notices/privacynotice/add/"


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role, user__is_staff=True).user


def test_an_owner_starts_from_the_notice_in_force_and_publishes_version_2(client):
    organisation = OrganisationFactory(name="Université de Lyon")
    owner = member(organisation, "owner")
    client.force_login(owner)

    form = client.get(ADD)
    assert form.status_code == 200
    assert "Délégué à la protection des données" in form.content.decode()  # the default text

    answer = client.post(
        ADD,
        {"organisation": organisation.pk, "text_fr": "## Nouveau\nTexte.", "text_en": "New."},
    )

    assert answer.status_code == 302
    notice = current_privacy_notice(organisation)
    assert (notice.version, notice.published_by, notice.text_en) == (2, owner, "New.")
    assert PrivacyNotice.objects.filter(organisation=organisation).count() == 2
    entry = AuditEntry.objects.get(action="privacy_notice.publish")
    assert (entry.actor_user, entry.channel, entry.organisation, entry.changes) == (
        owner,
        "back_office",
        organisation,
        {"version": [1, 2]},
    )
    page = text_of(client.get(f"/en/confidentialite/{organisation.slug}/"))
    assert "Version 2, in force since" in page
    assert "New." in page


def test_a_published_version_cannot_be_changed_even_by_its_owner(client):
    organisation = OrganisationFactory()
    notice = current_privacy_notice(organisation)
    client.force_login(member(organisation, "owner"))

    client.post(
        f"/admin/notices/privacynotice/{notice.pk}/change/",
        {"organisation": organisation.pk, "text_fr": "Changé", "text_en": "Changed"},
    )

    notice.refresh_from_db()
    assert "Changé" not in notice.text_fr


def test_an_organiser_reads_the_notices_but_cannot_publish(client):
    organisation = OrganisationFactory()
    notice = current_privacy_notice(organisation)
    client.force_login(member(organisation, "organiser"))

    assert client.get(f"/admin/notices/privacynotice/{notice.pk}/change/").status_code == 200
    assert client.get(ADD).status_code == 403
    assert (
        client.post(
            ADD, {"organisation": organisation.pk, "text_fr": "Texte", "text_en": ""}
        ).status_code
        == 403
    )
    assert PrivacyNotice.objects.count() == 1


def test_an_owner_cannot_publish_for_another_organisation(client):
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    client.force_login(member(mine, "owner"))

    answer = client.post(ADD, {"organisation": theirs.pk, "text_fr": "Texte", "text_en": ""})

    assert answer.status_code == 200
    assert "Sélectionnez un choix valide" in text_of(answer)
    assert not PrivacyNotice.objects.filter(organisation=theirs).exists()


def test_an_empty_french_text_is_refused_with_a_message(client):
    organisation = OrganisationFactory()
    client.force_login(member(organisation, "owner"))

    answer = client.post(ADD, {"organisation": organisation.pk, "text_fr": "  ", "text_en": ""})

    assert answer.status_code == 200
    assert "Ce champ est obligatoire" in text_of(answer)
    assert not PrivacyNotice.objects.exists()


def test_only_superusers_edit_the_legal_notice(client, admin_client):
    organisation = OrganisationFactory()
    client.force_login(member(organisation, "owner"))
    admin_client.get("/mentions-legales/")
    notice = LegalNotice.objects.get()
    url = f"/admin/notices/legalnotice/{notice.pk}/change/"

    assert client.get(url).status_code in (302, 403)
    answer = admin_client.post(
        url,
        {
            "publisher": "Université de Lyon, 92 rue Pasteur, 69007 Lyon",
            "publisher_contact": "contact@universite-lyon.fr",
            "publication_director": "La présidente de l’Université de Lyon",
            "host": "OVH, 2 rue Kellermann, 59100 Roubaix",
            "text_fr": notice.text_fr,
            "text_en": notice.text_en,
        },
    )

    assert answer.status_code == 302
    page = text_of(admin_client.get("/mentions-legales/"))
    assert "Directeur de la publication La présidente de l’Université de Lyon" in page
    assert "Hébergeur OVH, 2 rue Kellermann, 59100 Roubaix" in page
    entry = AuditEntry.objects.get(action="site_text.change")
    assert entry.channel == "back_office"
    assert entry.changes["host"][1] == "OVH, 2 rue Kellermann, 59100 Roubaix"


def test_the_speaker_page_in_the_back_office_points_to_the_notice(client):
    speaker = SpeakerFactory()
    client.force_login(member(speaker.organisation, "organiser"))

    page = client.get(f"/admin/speakers/speaker/{speaker.pk}/change/")

    assert f'<a href="/confidentialite/{speaker.organisation.slug}/">' in page.content.decode()


def test_the_registration_page_of_the_back_office_shows_what_was_accepted(client):
    ticket = colloquium_ticket()
    client.post(register_url(ticket.event), form_data(ticket, consent_photos="on"))
    registration = Registration.objects.get()
    client.force_login(member(ticket.event.organisation, "organiser"))

    page = text_of(client.get(f"/admin/registrations/registration/{registration.pk}/change/"))

    assert "Chaire Protection sociale et territoires, version 1" in page
    assert "J’accepte d’apparaître sur les photos prises pendant l’événement." in page
