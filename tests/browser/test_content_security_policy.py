"""The site's pages run under their Content-Security-Policy in a real browser without a single
violation: the public pages, the registration form and its submission, the attendee's page, the
back office (login, index, a list, a form), the API's documentation and the scanner page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from organisations.models import Membership
from tests.browser.colloquium import build_colloquium
from tests.browser.conftest import DESKTOP
from tests.factories import MembershipFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any script of the page runs; the browser fires the event for each
# resource, inline script, style or eval it refuses.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `in ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def watched(browser, live_server, foreign_requests):
    """A browser tab that notes every policy violation, from the event and from the console."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)

    def keep_to_the_live_server(route):
        url = route.request.url
        if url.startswith((live_server.url, "data:", "about:", "blob:")):
            route.continue_()
        else:
            foreign_requests.append(url)
            route.abort()

    context.route("**/*", keep_to_the_live_server)
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.console_violations = console
    yield page
    context.close()


def violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    return page.evaluate("() => window.__cspViolations") + page.console_violations


def visit(page, url: str, ready: str) -> list[str]:
    response = page.goto(url)
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    expect(page.locator(ready).first).to_be_visible()
    return violations(page)


def camera_allowed(page) -> bool:
    return page.evaluate("() => document.featurePolicy.allowsFeature('camera')")


def test_public_pages_registration_and_attendee_page_run_with_no_violation(
    watched, foreign_requests
):
    colloquium = build_colloquium()
    event = colloquium.event
    TicketTypeFactory(event=event, name_fr="Universitaire", price=0)
    attendee = RegistrationFactory(ticket_type__event=event)
    page = watched
    seen = {}

    seen["home"] = visit(page, "/", "h1")
    seen["event"] = visit(page, f"/events/{event.slug}/", ".programme__item")
    seen["event (en)"] = visit(page, f"/en/events/{event.slug}/", ".programme__item")
    seen["form"] = visit(page, f"/events/{event.slug}/register/", "form")
    page.get_by_label(re.compile(r"^Prénom")).fill("Camille")
    page.get_by_label(re.compile(r"^Nom")).fill("Durand")
    page.get_by_label(re.compile(r"^Courriel")).fill("camille.durand@example.org")
    page.get_by_role("radio", name=re.compile("Universitaire")).check()
    page.get_by_label(re.compile("J’accepte que les organisateurs traitent mes données")).check()
    page.get_by_role("button", name="S’inscrire").click()
    expect(page.locator("h1")).to_have_text("Votre inscription est confirmée")
    seen["registered"] = violations(page)
    seen["attendee page"] = visit(page, attendee.get_personal_url(), "h1")
    seen["not found"] = visit(page, "/no-such-page/", "h1")

    assert seen == {name: [] for name in seen}
    assert foreign_requests == []


def test_back_office_and_api_docs_run_with_no_violation(watched, live_server, foreign_requests):
    colloquium = build_colloquium()
    get_user_model().objects.create_superuser("root", "root@example.org", "correct horse")
    page = watched
    seen = {}

    seen["login"] = visit(page, "/admin/login/", "#login-form")
    page.get_by_label("Nom d’utilisateur").fill("root")
    page.get_by_label("Mot de passe").fill("correct horse")
    page.locator("#login-form [type=submit]").click()
    seen["index"] = visit(page, "/admin/", "#content-main")
    seen["changelist"] = visit(page, "/admin/events/event/", "#result_list")
    seen["change form"] = visit(
        page, f"/admin/events/event/{colloquium.event.pk}/change/", "#event_form"
    )
    seen["session form"] = visit(
        page, f"/admin/events/session/{colloquium.opening.pk}/change/", "#session_form"
    )
    seen["password reset"] = visit(page, "/admin/password_reset/", "#id_email")
    seen["swagger"] = visit(page, "/api/docs/", ".swagger-ui .information-container")
    redoc = visit(page, "/api/redoc/", ".api-content")

    assert seen == {name: [] for name in seen}
    assert foreign_requests == []
    # Redoc's one refusal is on purpose: the logo of Redocly, from its CDN (see api/docs.py).
    assert {line.split(" in ")[0] for line in redoc if line.startswith("img-src")} == {
        "img-src blocked https://cdn.redoc.ly/redoc/logo-mini.svg"
    }
    assert all("cdn.redoc.ly" in line for line in redoc)


def test_scanner_and_attendance_pages_run_with_no_violation_and_only_the_scanner_has_the_camera(
    watched, live_server
):
    colloquium = build_colloquium()
    organiser = MembershipFactory(
        organisation=colloquium.event.organisation, role=Membership.Role.ORGANISER
    ).user
    page = watched
    seen = {"home": visit(page, "/", "h1")}
    assert not camera_allowed(page)
    seen["scanner (device)"] = visit(page, "/checkin/", "h1")
    assert camera_allowed(page)
    client = Client()
    client.force_login(organiser)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    seen["scanner"] = visit(page, "/checkin/", "#search-input")
    seen["attendance"] = visit(page, f"/checkin/events/{colloquium.event.slug}/attendance/", "h1")

    assert seen == {name: [] for name in seen}
