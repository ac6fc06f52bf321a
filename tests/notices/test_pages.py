"""A visitor reads an organisation's privacy notice, the legal notice and the accessibility
statement, in French and in English; every page's footer links to the last two."""

import html
import re

import pytest

from notices.models import AccessibilityStatement
from notices.selectors import accessibility_statement, forget_accessibility_status
from tests.factories import InvitationFactory, OrganisationFactory
from tests.registrations.attendee_steps import colloquium_ticket

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(body).split())


def test_the_default_privacy_notice_names_the_organisation_and_covers_every_heading(client):
    organisation = OrganisationFactory(
        name="Université de Lyon", legal_name="Université de Lyon", invoice_email="dpo@u.fr"
    )

    page = client.get("/confidentialite/%s/" % organisation.slug)  # noqa: UP031

    assert page.status_code == 200
    text = text_of(page)
    assert "Politique de confidentialité de Université de Lyon" in text
    assert "Version 1, en vigueur depuis le" in text
    assert (
        "Université de Lyon, 14 avenue Berthelot, 69007 Lyon, est responsable du traitement" in text
    )
    for heading in (
        "Qui traite vos données",
        "Délégué à la protection des données",
        "Pourquoi nous traitons vos données, et sur quelle base",
        "Qui reçoit vos données",
        "Transferts hors de l’Union européenne",
        "Combien de temps nous les gardons",
        "Vos droits",
        "Réclamation",
    ):
        assert f"<h2>{heading}</h2>" in page.content.decode()
    for words in (
        "Inscription et admission",
        "Badges et contrôle d’accès",
        "Attestations de présence",
        "Facturation et paiement",
        "Nouvelles des prochains événements : uniquement avec votre consentement",
        "Stripe",
        "prestataire d’envoi des courriels",
        "depuis votre page personnelle",
        "CNIL",
        "dpo@u.fr",
    ):
        assert words in text
    assert '<a href="{}"'.format("http://www.cnil.fr") in page.content.decode()


def test_the_privacy_notice_in_english(client):
    organisation = OrganisationFactory(name="Lyon University", legal_name="Lyon University")

    text = text_of(client.get(f"/en/confidentialite/{organisation.slug}/"))

    assert "Privacy notice of Lyon University" in text
    assert "Version 1, in force since" in text
    assert "News of future events: only with your consent" in text
    assert "lodge a complaint with the CNIL" in text


def test_an_unknown_organisation_has_no_notice(client):
    assert client.get("/confidentialite/nobody/").status_code == 404


def test_the_legal_notice_names_publisher_director_and_host_in_both_languages(client):
    french = text_of(client.get("/mentions-legales/"))
    english = text_of(client.get("/en/mentions-legales/"))

    for heading in ("Éditeur", "Directeur de la publication", "Hébergeur", "Données personnelles"):
        assert heading in french
    for heading in ("Publisher", "Director of publication", "Host", "Personal data"):
        assert heading in english


def test_the_accessibility_statement_claims_no_more_than_automated_checks(client):
    french = text_of(client.get("/accessibilite/"))
    english = text_of(client.get("/en/accessibilite/"))

    assert "Ce site est non conforme avec le référentiel général" in french
    assert "Aucun audit n’a encore mesuré" in french
    assert "tests automatisés (axe-core)" in french
    assert "Défenseur des droits" in french
    assert "Contenus non accessibles" in french
    assert "This site is not compliant with the French accessibility framework" in english
    assert "Défenseur des droits" in english


STATUS_LINK = '<a href="/accessibilite/">Accessibilité\u00a0: {}</a>'


def footer_of(response) -> str:
    return response.content.decode().split('<footer class="site-footer">')[1]


def test_every_public_page_links_to_the_legal_notice_and_the_statement_with_its_status(client):
    ticket = colloquium_ticket()
    invitation = InvitationFactory()
    pages = [
        "/",
        f"/events/{ticket.event.slug}/",
        f"/events/{ticket.event.slug}/register/",
        invitation.get_personal_url(),
        "/mentions-legales/",
        "/accessibilite/",
    ]

    for path in pages:
        footer = footer_of(client.get(path))
        assert '<a href="/mentions-legales/">Mentions légales</a>' in footer, path
        assert STATUS_LINK.format("non conforme") in footer, path
    english = footer_of(client.get("/en/"))
    assert '<a href="/en/accessibilite/">Accessibility: not compliant</a>' in english


def test_the_footers_status_costs_one_query_once_then_none(client, django_assert_num_queries):
    accessibility_statement()  # the statement exists
    forget_accessibility_status()  # as when the site starts (tests/conftest.py fills it)

    with django_assert_num_queries(2):  # the events, then the statement's status
        client.get("/")
    with django_assert_num_queries(1):  # the events: the status comes from the cache
        page = client.get("/")

    assert STATUS_LINK.format("non conforme") in footer_of(page)


def test_the_footer_shows_the_new_status_once_the_statement_is_changed(admin_client):
    statement = accessibility_statement()
    assert STATUS_LINK.format("non conforme") in footer_of(admin_client.get("/"))

    changed = admin_client.post(
        f"/admin/notices/accessibilitystatement/{statement.pk}/change/",
        {
            "status": "partial",
            "contact": "accessibilite@example.org",
            "text_fr": statement.text_fr,
            "text_en": statement.text_en,
        },
    )

    assert changed.status_code == 302
    assert STATUS_LINK.format("partiellement conforme") in footer_of(admin_client.get("/"))


def test_a_statement_saved_elsewhere_than_in_the_back_office_is_shown_too(client):
    statement = accessibility_statement()
    client.get("/")  # the status is cached
    statement.status = AccessibilityStatement.Status.PARTIAL
    statement.save()

    assert STATUS_LINK.format("partiellement conforme") in footer_of(client.get("/"))


def test_the_statement_shows_a_change_of_status(admin_client):
    admin_client.get("/accessibilite/")
    statement = AccessibilityStatement.objects.get()
    page = admin_client.post(
        f"/admin/notices/accessibilitystatement/{statement.pk}/change/",
        {
            "status": "partial",
            "audit_date": "",
            "audit_rate": "",
            "audited_by": "",
            "contact": "accessibilite@example.org",
            "text_fr": statement.text_fr,
            "text_en": statement.text_en,
        },
    )

    assert page.status_code == 302
    text = text_of(admin_client.get("/en/accessibilite/"))
    assert "This site is partially compliant with the French accessibility framework" in text
    assert "Contact: accessibilite@example.org" in text


def test_full_compliance_without_an_audit_is_refused(admin_client):
    admin_client.get("/accessibilite/")
    statement = AccessibilityStatement.objects.get()

    page = admin_client.post(
        f"/admin/notices/accessibilitystatement/{statement.pk}/change/",
        {
            "status": "full",
            "contact": "accessibilite@example.org",
            "text_fr": statement.text_fr,
            "text_en": statement.text_en,
        },
    )

    assert page.status_code == 200
    assert "RGAA audit that finds 100" in text_of(page) or "audit RGAA" in text_of(page)
    statement.refresh_from_db()
    assert statement.status == AccessibilityStatement.Status.NON_COMPLIANT
