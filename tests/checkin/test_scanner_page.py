"""The scanner page `/checkin/`: who gets it, in which language, and that it carries no
attendee data (everything comes from the check-in API, with the same permissions)."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from organisations.models import Membership
from tests.factories import EventFactory, MembershipFactory, TicketTypeFactory, UserFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    now = timezone.now()
    return EventFactory(
        start=now - timedelta(hours=1), end=now + timedelta(hours=6), time_zone="Europe/Paris"
    )


@pytest.fixture
def attendee(event):
    ticket = TicketTypeFactory(event=event, name_fr="Universitaire", name_en="Academic")
    return RegistrationFactory(
        ticket_type=ticket, first_name="Alessia", last_name="Lefébure", organisation="EN3S"
    )


def json_block(response, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


def h1(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


def test_anonymous_visitor_gets_the_pairing_form_and_a_sign_in_link(client, attendee):
    response = client.get("/checkin/")

    assert response.status_code == 200
    page = response.content.decode()
    assert h1(response) == "Contrôle des entrées"
    assert 'id="pairing-form"' in page
    assert 'href="/admin/login/?next=%2Fcheckin%2F"' in page
    config = json_block(response, "scanner-config")
    assert config["mode"] == "device"
    assert config["csrfToken"] == ""
    assert config["eventTimeZones"] == {}
    assert config["api"] == {
        "checkpoints": "/api/v1/checkin/checkpoints/",
        "bundle": "/api/v1/checkin/bundle/",
        "checkin": "/api/v1/checkin/",
        "annul": "/api/v1/checkin/{id}/annul/",
        "override": "/api/v1/checkin/{id}/override/",
    }
    assert config["jsqrUrl"] == "/static/vendor/jsqr/jsQR.js"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", ["door_staff", "organiser", "owner"])
def test_members_of_any_role_scan_with_their_session(client, event, attendee, role):
    member = MembershipFactory(organisation=event.organisation, role=role)
    client.force_login(member.user)

    response = client.get("/checkin/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="pairing-form"' not in page
    config = json_block(response, "scanner-config")
    assert config["mode"] == "session"
    assert config["csrfToken"]
    assert config["eventTimeZones"] == {str(event.pk): "Europe/Paris"}


def test_the_page_carries_no_attendee_data(client, event, attendee):
    client.force_login(MembershipFactory(organisation=event.organisation, role="owner").user)

    page = client.get("/checkin/").content.decode()

    assert "Lefébure" not in page
    assert "Lef\\u00e9bure" not in page
    assert attendee.badge_token not in page
    assert "EN3S" not in page


def test_superuser_scans_with_the_session_and_sees_every_events_zone(client, event):
    other = EventFactory(time_zone="America/Martinique")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.get("/checkin/")

    assert response.status_code == 200
    assert json_block(response, "scanner-config")["eventTimeZones"] == {
        str(event.pk): "Europe/Paris",
        str(other.pk): "America/Martinique",
    }


def test_signed_in_user_of_no_organisation_is_refused(client, event):
    client.force_login(UserFactory(username="visiteur"))

    response = client.get("/checkin/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Votre compte n’appartient à aucune organisation" in page
    assert 'href="/admin/login/?next=%2Fcheckin%2F"' in page
    assert "scanner-config" not in page


def test_english_page_and_english_script_strings(client, event):
    client.force_login(
        MembershipFactory(organisation=event.organisation, role=Membership.Role.DOOR_STAFF).user
    )

    response = client.get("/en/checkin/")

    assert response.status_code == 200
    assert h1(response) == "Door check-in"
    config = json_block(response, "scanner-config")
    assert (config["language"], config["scope"]) == ("en", "/en/checkin/")
    assert config["serviceWorkerUrl"] == "/en/checkin/sw.js"
    strings = json_block(response, "scanner-strings")
    assert strings["cameraStart"] == "Start the camera"
    assert strings["messages"]["ok"] == "Welcome"
    assert 'href="/admin/login/' not in response.content.decode()


def test_french_script_strings(client):
    strings = json_block(client.get("/checkin/"), "scanner-strings")

    assert strings["cameraStart"] == "Démarrer la caméra"
    assert strings["queueMany"] == "{count} scans en attente d’envoi."
    assert strings["messages"]["already_checked_in"] == "Entrée déjà enregistrée"
    assert strings["reasonClosed"] == "Ce point de contrôle est fermé."


def test_the_page_only_answers_get(client):
    assert client.post("/checkin/").status_code == 405


@pytest.mark.parametrize(
    ("address", "page"), [("/checkin/sw.js", "/checkin/"), ("/en/checkin/sw.js", "/en/checkin/")]
)
def test_service_worker_is_served_beside_the_page_with_the_files_to_keep(client, address, page):
    response = client.get(address)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    first_line, _, rest = body.partition("\n")
    header = json.loads(first_line.removeprefix("const SCANNER = ").removesuffix(";"))
    assert header["page"] == page
    assert header["assets"] == [
        "/static/css/site.css",
        "/static/css/scanner.css",
        "/static/img/logo.svg",
        "/static/js/sha256.js",
        "/static/js/scanner.js",
        "/static/vendor/jsqr/jsQR.js",
    ]
    assert re.fullmatch(r"[0-9a-f]{16}", header["version"])
    assert 'self.addEventListener("fetch"' in rest


def test_the_qr_decoder_is_served_from_this_site(client):

    path = finders.find("vendor/jsqr/jsQR.js")

    assert path is not None
    with open(path, encoding="utf-8") as script:
        assert "jsQR" in script.read(2000)


def test_the_page_costs_a_fixed_number_of_queries(client, event, django_assert_max_num_queries):
    member = MembershipFactory(organisation=event.organisation, role=Membership.Role.DOOR_STAFF)
    for _ in range(3):
        EventFactory(organisation=event.organisation)
    client.force_login(member.user)

    # The session, the user, the memberships, the events' zones.
    with django_assert_max_num_queries(4):
        assert client.get("/checkin/").status_code == 200


def test_the_page_carries_the_words_of_its_corrections_in_french(client, attendee):
    strings = json_block(client.get("/checkin/"), "scanner-strings")

    assert strings["annulButton"] == "Annuler cette entrée"
    assert strings["overrideButton"] == "Faire entrer quand même"
    assert strings["overrideReason"] == "Motif pour faire entrer quand même (obligatoire)"
    assert strings["annulNamed"] == "Annuler cette entrée\u00a0: {name}"
