"""In a real browser: the registration form and the RSVP page lead to the organisation's
privacy notice; every page's footer leads to the legal notice and the accessibility statement,
whose link says the compliance status; axe finds no serious violation on the three notices."""

import pytest
from playwright.sync_api import expect

from tests.factories import InvitationFactory
from tests.registrations.attendee_steps import colloquium_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_registration_form_leads_to_the_privacy_notice(
    page, live_server, axe_violations, foreign_requests
):
    ticket = colloquium_ticket()
    organisation = ticket.event.organisation

    page.goto(f"/events/{ticket.event.slug}/register/")
    page.locator(".privacy-hint").get_by_role("link", name="politique de confidentialité").click()

    expect(page).to_have_url(f"{live_server.url}/confidentialite/{organisation.slug}/")
    expect(page.locator("h1")).to_have_text(
        "Politique de confidentialité de Chaire Protection sociale et territoires"
    )
    expect(page.locator("#notice-text h2").first).to_have_text("Qui traite vos données")
    assert axe_violations(page) == []
    assert foreign_requests == []


def test_the_rsvp_page_leads_to_the_privacy_notice_in_english(page, axe_violations):
    invitation = InvitationFactory(plus_ones_allowed=1)

    page.goto(f"/en{invitation.get_personal_url()}")
    expect(page.locator("#plus-ones")).to_be_visible()
    page.locator(".privacy-hint").get_by_role("link", name="privacy notice").click()

    expect(page.locator("h1")).to_have_text(
        f"Privacy notice of {invitation.event.organisation.name}"
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert axe_violations(page) == []


@pytest.mark.parametrize("language_prefix", ["", "/en"])
def test_every_page_footer_leads_to_the_legal_notice_and_the_statement(
    page, language_prefix, axe_violations, foreign_requests
):
    ticket = colloquium_ticket()
    invitation = InvitationFactory()
    # The statement's link says the site's compliance status, as the RGAA asks.
    legal, statement = (
        ("Mentions légales", "Accessibilité\u00a0: non conforme")
        if not language_prefix
        else ("Legal notice", "Accessibility: not compliant")
    )
    pages = [
        "/",
        f"/events/{ticket.event.slug}/",
        f"/events/{ticket.event.slug}/register/",
        invitation.get_personal_url(),
        f"/confidentialite/{ticket.event.organisation.slug}/",
        "/mentions-legales/",
        "/accessibilite/",
    ]

    for path in pages:
        page.goto(f"{language_prefix}{path}")
        footer = page.locator("footer.site-footer")
        expect(footer.get_by_role("link", name=legal)).to_have_attribute(
            "href", f"{language_prefix}/mentions-legales/"
        )
        expect(footer.get_by_role("link", name=statement, exact=True)).to_have_attribute(
            "href", f"{language_prefix}/accessibilite/"
        )

    footer = page.locator("footer.site-footer")
    footer.get_by_role("link", name=legal).click()
    expect(page.locator("h1")).to_have_text(legal)
    assert axe_violations(page) == []
    footer.get_by_role("link", name=statement).click()
    expect(page.locator("h1")).to_have_text(
        "Déclaration d’accessibilité" if not language_prefix else "Accessibility statement"
    )
    assert axe_violations(page) == []
    assert foreign_requests == []
