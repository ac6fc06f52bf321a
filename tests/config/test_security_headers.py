"""Every HTML page is sent with a strict Content-Security-Policy (scripts and styles from the
site itself; inline code only with the response's nonce) and a Permissions-Policy that turns
the camera off everywhere but on the scanner page. The pages themselves hold no inline script,
style element or style attribute that the policy would refuse."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    SessionFactory,
    SessionSpeakerFactory,
    TicketTypeFactory,
    TrackFactory,
)
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    ticket = TicketTypeFactory(event__slug="protection-sociale")
    event = ticket.event
    session = SessionFactory(event=event, track=TrackFactory(event=event, colour="#b34e00"))
    speaker = SessionSpeakerFactory(session=session).speaker
    registration = RegistrationFactory(ticket_type=ticket)
    invitation = InvitationFactory()
    organiser = MembershipFactory(organisation=event.organisation).user
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    return {
        "event": event,
        "session": session,
        "speaker": speaker,
        "registration": registration,
        "invitation": invitation,
        "organiser": organiser,
        "superuser": superuser,
    }


def public_pages(site):
    event = site["event"]
    return [
        "/",
        "/en/",
        f"/events/{event.slug}/",
        f"/en/events/{event.slug}/",
        site["session"].get_absolute_url(),
        site["speaker"].get_absolute_url(event),
        f"/events/{event.slug}/register/",
        site["registration"].get_personal_url(),
        site["invitation"].get_personal_url(),
        "/checkin/",
        "/no-such-page/",
        "/admin/login/",
        "/admin/password_reset/",
        "/admin/password_reset/done/",
        "/reset/MQ/not-a-token/",
        "/api/docs/",
        "/api/redoc/",
    ]


def staff_pages(site):
    event = site["event"]
    return [
        "/admin/",
        "/admin/events/event/",
        f"/admin/events/event/{event.pk}/change/",
        "/admin/registrations/registration/",
        f"/admin/registrations/registration/{site['registration'].pk}/change/",
        "/admin/registrations/invitation/",
        "/admin/registrations/invitation/import/",
        "/admin/badges/badgesheet/add/",
        "/admin/axes/accessattempt/",
        "/admin/password_change/",
        f"/checkin/events/{event.slug}/attendance/",
        "/checkin/",
    ]


class InlineCode(HTMLParser):
    """What a strict policy refuses: inline scripts and style elements without the nonce,
    style attributes, event-handler attributes, javascript: links."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce = nonce
        self.refused: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        executable = attributes.get("type") in {None, "", "text/javascript", "module"}
        inline = tag == "script" and "src" not in attributes and executable
        if inline and attributes.get("nonce") != self.nonce:
            self.refused.append(self.get_starttag_text())
        if tag == "style" and attributes.get("nonce") != self.nonce:
            self.refused.append(self.get_starttag_text())
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.refused.append(self.get_starttag_text())
            if name in {"href", "src", "action"} and (value or "").startswith("javascript:"):
                self.refused.append(self.get_starttag_text())


def check_page(client, url, *, camera):
    response = client.get(url, follow=True)
    expected = 404 if url == "/no-such-page/" else 200
    assert response.status_code == expected, (url, response.status_code)
    assert response["Content-Type"].startswith("text/html"), url
    policy = response["Content-Security-Policy"]
    directives = dict(
        [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in policy.split(";"))
    )
    assert directives["default-src"] == "'self'", url
    assert re.fullmatch(r"'self'( 'nonce-[A-Za-z0-9+/=]+')?", directives["script-src"]), url
    # Redoc's page allows the style elements its bundle writes, by their hashes (api/docs.py).
    style_sources = r"'self'( 'nonce-[A-Za-z0-9+/=]+')?( 'sha256-[A-Za-z0-9+/=]+')*"
    assert re.fullmatch(style_sources, directives["style-src"]), url
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    reader = InlineCode(nonce.group(1) if nonce else None)
    reader.feed(response.content.decode())
    assert reader.refused == [], url
    features = response["Permissions-Policy"]
    assert f"camera={camera}" in features, url
    for feature in ("microphone", "geolocation", "payment"):
        assert f"{feature}=()" in features, url


def test_every_public_page_carries_the_policies_and_no_inline_code(site):
    client = Client()
    for url in public_pages(site):
        check_page(client, url, camera="(self)" if url == "/checkin/" else "()")


def test_every_back_office_page_carries_the_policies_and_no_inline_code(site):
    client = Client()
    client.force_login(site["superuser"])
    for url in staff_pages(site):
        check_page(client, url, camera="(self)" if url == "/checkin/" else "()")


def test_the_organisers_pages_carry_them_too(site):
    client = Client()
    client.force_login(site["organiser"])
    for url in ["/admin/", "/admin/events/session/", "/checkin/"]:
        check_page(client, url, camera="(self)" if url == "/checkin/" else "()")


def test_the_camera_is_allowed_on_the_scanner_page_only_for_the_site_itself(site):
    response = Client().get("/checkin/")

    assert "camera=(self)" in response["Permissions-Policy"]
    assert "camera=()" in Client().get("/")["Permissions-Policy"]
    assert "camera=()" in Client().get("/api/v1/events/")["Permissions-Policy"]


def test_the_api_docs_script_is_a_file_of_the_site(site):
    page = Client().get("/api/docs/").content.decode()
    [script_url] = re.findall(r'<script src="(/api/docs/\?[^"]*)"', page)

    script = Client().get(script_url.replace("&amp;", "&"))

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_the_scanners_service_worker_runs_under_the_policy_and_json_answers_need_none(site):
    client = Client()

    worker = client.get("/checkin/sw.js")
    events = client.get("/api/v1/events/")

    assert "script-src 'self'" in worker["Content-Security-Policy"]
    assert events["Content-Type"] == "application/json"
    assert "Content-Security-Policy" not in events
