"""A visitor registers for the demo colloquium in a real browser; the calendar invitation of
the email is read by Mozilla's ical.js (the parser Thunderbird uses) at the right UTC instant,
for the colloquium in May (summer time) and for the ceremony in January (winter time)."""

import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from events.models import Event
from registrations import services
from registrations.models import Registration, TicketType
from tests.registrations.attendee_steps import ics_attached, link_in
from tests.registrations.icaljs import read_with_icaljs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLOQUIUM = "protection-sociale-et-territoires-2027"
CEREMONY = "ceremonie-des-voeux-fhf-paca-2027"


def utc_instant(moment: datetime) -> str:
    """How JavaScript's toISOString() writes an instant: 2027-05-20T06:30:00.000Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def demo_colloquium_with_tickets() -> Event:
    """The demo as `make run` loads it: its ticket types and a few registrations."""
    call_command("seed_demo", stdout=StringIO())
    # The tests' immediate tasks backend delivered the demo invoices to their payers at once.
    mail.outbox.clear()
    return Event.objects.get(slug=COLLOQUIUM)


def test_a_visitor_registers_for_the_demo_colloquium_and_ical_js_reads_the_invitation(
    page, live_server, axe_violations, foreign_requests
):
    event = demo_colloquium_with_tickets()
    registered_before = Registration.objects.count()
    workshop = event.sessions.filter(requires_signup=True).order_by("start", "pk").first()
    assert event.start == datetime(2027, 5, 20, 6, 30, tzinfo=UTC)  # 08:30 in Paris (CEST)

    page.goto(f"/events/{COLLOQUIUM}/")
    page.get_by_role("link", name="S’inscrire").click()

    expect(page).to_have_url(f"{live_server.url}/events/{COLLOQUIUM}/register/")
    expect(page.locator("h1")).to_have_text("S’inscrire à « Protection sociale et territoires »")
    assert axe_violations(page) == []

    page.get_by_role("button", name="S’inscrire").click()  # nothing filled in yet

    expect(page.locator("#error-summary")).to_contain_text("Prénom : Ce champ est obligatoire.")
    assert Registration.objects.count() == registered_before
    assert axe_violations(page) == []

    page.get_by_label(re.compile(r"^Prénom")).fill("Camille")
    page.get_by_label(re.compile(r"^Nom")).fill("Durand")
    page.get_by_label(re.compile(r"^Courriel")).fill("camille.durand@example.org")
    page.get_by_label("Organisme", exact=True).fill("CPAM du Rhône")
    page.get_by_label("Fonction").fill("Chargée de mission")
    page.get_by_role("radio", name=re.compile("Professionnel")).check()
    page.get_by_role("checkbox", name=workshop.title_fr).check()
    page.get_by_label(re.compile("J’accepte que les organisateurs traitent mes données")).check()
    page.get_by_role("button", name="S’inscrire").click()

    expect(page.locator("h1")).to_have_text("Votre inscription est confirmée")
    registration = Registration.objects.get(email="camille.durand@example.org")
    assert (registration.status, registration.language) == ("confirmed", "fr")
    assert list(registration.sessions.all()) == [workshop]

    [message] = mail.outbox
    assert message.to == ["camille.durand@example.org"]
    assert message.subject == "Inscription confirmée\u00a0: Protection sociale et territoires"
    calendar = read_with_icaljs(ics_attached(message))
    assert calendar["method"] == "REQUEST"
    [invite] = calendar["events"]
    assert invite["start"] == "2027-05-20T06:30:00.000Z"
    assert invite["end"] == utc_instant(event.end)
    assert invite["start_timezone"] == "Europe/Paris"
    assert invite["summary"] == "Protection sociale et territoires"
    assert invite["attendees"] == [
        {"value": "mailto:camille.durand@example.org", "cn": "Camille Durand"}
    ]

    page.goto(link_in(message.body, "/r/"))

    expect(page.locator("h1")).to_have_text("Mon inscription")
    expect(page.locator(".details")).to_contain_text(workshop.title_fr)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Annuler mon inscription…").click()
    expect(page.locator("#confirm-cancel")).to_contain_text("Voulez-vous vraiment annuler ?")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Oui, annuler mon inscription").click()

    expect(page.locator(".messages")).to_have_text("Votre inscription est annulée.")
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert foreign_requests == []


def test_a_guest_accepts_the_january_ceremony_and_ical_js_reads_it_in_winter_time(
    page, live_server
):
    call_command("seed_demo", stdout=StringIO())
    mail.outbox.clear()  # the demo invoices, delivered at once by the immediate backend
    ceremony = Event.objects.get(slug=CEREMONY)
    assert ceremony.start == datetime(2027, 1, 15, 17, 0, tzinfo=UTC)  # 18:00 in Paris (CET)
    guest_ticket = TicketType.objects.get(event=ceremony, category=TicketType.Category.GUEST)
    invitation = services.create_invitation(
        event=ceremony,
        ticket_type=guest_ticket,
        data={
            "first_name": "Hélène",
            "last_name": "Martin",
            "email": "helene.martin@example.org",
            "organisation": "CHU de Nice",
            "language": "en",
        },
        deadline=datetime(2027, 1, 8, 17, 0, tzinfo=UTC),
    )
    services.accept_invitation(
        invitation=invitation,
        attendee=services.AttendeeDetails(
            first_name="Hélène",
            last_name="Martin",
            email="helene.martin@example.org",
            language="en",
            consent_processing=True,
        ),
        plus_ones=[],
    )

    invitation_email, confirmation = mail.outbox
    assert invitation_email.subject == f"Invitation: {ceremony.title_en}"
    assert confirmation.subject == f"Registration confirmed: {ceremony.title_en}"
    calendar = read_with_icaljs(ics_attached(confirmation))
    [invite] = calendar["events"]
    assert calendar["method"] == "REQUEST"
    assert invite["start"] == "2027-01-15T17:00:00.000Z"
    assert invite["end"] == utc_instant(ceremony.end)
    assert invite["attendees"] == [
        {"value": "mailto:helene.martin@example.org", "cn": "Hélène Martin"}
    ]

    page.goto(link_in(confirmation.body, "/en/r/"))

    expect(page.locator("h1")).to_have_text("My registration")
    expect(page.locator(".page-intro")).to_contain_text("Friday 15 January 2027, 18:00")
