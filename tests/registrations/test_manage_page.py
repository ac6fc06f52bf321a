"""An attendee's own page, reached through the link of their emails: details, calendar, the
way to correct their name (the rights page's form), cancellation, and claiming a seat offered
from the waiting list."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from registrations import emails, services
from registrations.models import Registration
from tests.registrations.attendee_steps import (
    calendar_attached,
    colloquium_ticket,
    form_data,
    link_in,
    page_text,
    register_url,
    sent_to,
)

pytestmark = pytest.mark.django_db


def register_through_the_form(client, ticket, **overrides) -> Registration:
    response = client.post(register_url(ticket.event), form_data(ticket, **overrides))
    assert response.status_code == 302
    return Registration.objects.get(email=form_data(ticket, **overrides)["email"])


def manage_url(registration, language="fr") -> str:
    prefix = "" if language == "fr" else f"/{language}"
    return f"{prefix}/r/{registration.manage_token}/"


def test_the_attendee_page_shows_the_registration_and_stays_private(client):
    ticket = colloquium_ticket()
    registration = register_through_the_form(
        client, ticket, accessibility_needs="Accès en fauteuil roulant"
    )

    response = client.get(manage_url(registration))

    html = page_text(response)
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in html
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "private, no-store"
    assert "Mon inscription" in html
    assert "Camille Durand" in html
    assert "camille.durand@example.org" in html
    assert "CPAM du Rhône" in html
    assert "Professionnel (Gratuit)" in html
    assert "Accès en fauteuil roulant" in html
    assert f"/r/{registration.manage_token}/calendar.ics" in html
    assert "Annuler mon inscription" in html


def test_the_attendee_page_speaks_english_under_en(client):
    ticket = colloquium_ticket()
    registration = register_through_the_form(client, ticket)

    html = page_text(client.get(manage_url(registration, "en")))

    assert '<html lang="en">' in html
    assert "My registration" in html
    assert "Social protection and territories" in html
    assert "Professional (Free)" in html


def test_the_attendee_page_leads_to_the_correction_of_their_name(client):
    ticket = colloquium_ticket()
    registration = register_through_the_form(client, ticket)

    html = page_text(client.get(manage_url(registration)))

    assert "Corriger l’orthographe de mon nom" in html
    assert f'href="/r/{registration.manage_token}/my-data/#correct"' in html
    assert 'name="action" value="rename"' not in html


def test_cancelling_frees_the_seat_and_the_first_in_line_claims_it_from_the_offer_email(client):
    ticket = colloquium_ticket(capacity=1)
    holder = register_through_the_form(client, ticket)
    first_in_line = register_through_the_form(
        client, ticket, first_name="Inès", last_name="Benali", email="ines@example.org"
    )
    second_in_line = register_through_the_form(
        client, ticket, first_name="Paul", last_name="Roche", email="paul@example.org"
    )
    assert [first_in_line.status, second_in_line.status] == ["waitlisted", "waitlisted"]
    mail.outbox.clear()

    asked = client.post(manage_url(holder), {"action": "cancel"})

    assert asked.status_code == 200
    assert "Voulez-vous vraiment annuler\u202f?" in page_text(asked)
    holder.refresh_from_db()
    assert holder.status == "confirmed"
    assert mail.outbox == []

    done = client.post(manage_url(holder), {"action": "cancel", "confirm": "yes"})

    assert done.status_code == 302
    holder.refresh_from_db()
    assert holder.status == "cancelled"
    assert "Votre inscription est annulée." in page_text(client.get(manage_url(holder)))
    [cancellation] = sent_to("camille.durand@example.org")
    assert calendar_attached(cancellation)["METHOD"] == "CANCEL"
    [offer] = sent_to("ines@example.org")
    assert (
        offer.subject
        == "Une place s’est libérée pour vous\u00a0: Protection sociale et territoires"
    )
    first_in_line.refresh_from_db()
    deadline = first_in_line.offer_expires_at.astimezone(ticket.event.zone)
    assert f"{deadline:%H:%M} (Europe/Paris)" in offer.body
    assert sent_to("paul@example.org") == []

    offer_page = client.get(link_in(offer.body, "/r/"))

    assert "Une place s’est libérée pour vous" in page_text(offer_page)
    assert "Réclamer ma place" in page_text(offer_page)
    claimed = client.post(link_in(offer.body, "/r/"), {"action": "claim"})

    assert claimed.status_code == 302
    first_in_line.refresh_from_db()
    assert first_in_line.status == "confirmed"
    assert "La place est à vous\u00a0: votre inscription est confirmée." in page_text(
        client.get(manage_url(first_in_line))
    )
    confirmation = sent_to("ines@example.org")[-1]
    assert confirmation.subject == "Inscription confirmée\u00a0: Protection sociale et territoires"
    assert calendar_attached(confirmation)["METHOD"] == "REQUEST"


def test_an_expired_offer_shows_a_clear_message_and_passes_the_seat_on(client):
    ticket = colloquium_ticket(capacity=1)
    holder = register_through_the_form(client, ticket)
    late = register_through_the_form(
        client, ticket, first_name="Inès", last_name="Benali", email="ines@example.org"
    )
    next_in_line = register_through_the_form(
        client, ticket, first_name="Paul", last_name="Roche", email="paul@example.org"
    )
    services.cancel_registration(registration=holder)
    late.refresh_from_db()
    assert late.status == "offered"
    Registration.objects.filter(pk=late.pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )

    page = page_text(client.get(manage_url(late)))

    assert "Cette offre de place a expiré" in page
    assert "Réclamer ma place" not in page

    response = client.post(manage_url(late), {"action": "claim"})

    assert response.status_code == 302
    assert "Cette offre de place a expiré et a été proposée à la personne suivante." in page_text(
        client.get(manage_url(late))
    )
    late.refresh_from_db()
    next_in_line.refresh_from_db()
    assert (late.status, next_in_line.status) == ("expired", "offered")
    [expired] = [m for m in sent_to("ines@example.org") if "expirée" in m.subject]
    assert expired.subject == "Offre de place expirée\u00a0: Protection sociale et territoires"
    assert len(sent_to("paul@example.org")) == 2  # waiting list, then the offer


def test_unknown_tokens_are_not_found(client):
    ticket = colloquium_ticket()
    register_through_the_form(client, ticket)

    for path in (
        "/r/not-a-token/",
        "/en/r/not-a-token/",
        "/r/not-a-token/calendar.ics",
        f"/events/{ticket.event.slug}/register/done/not-a-token/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/r/not-a-token/", {"action": "cancel", "confirm": "yes"}).status_code == 404
    assert Registration.objects.get().status == "confirmed"


def test_the_calendar_download_is_the_invitation_then_its_cancellation(client):
    ticket = colloquium_ticket()
    registration = register_through_the_form(client, ticket)

    response = client.get(f"/r/{registration.manage_token}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert response["Cache-Control"] == "private, no-store"
    invite = Calendar.from_ical(response.content)
    [vevent] = invite.walk("VEVENT")
    assert invite["METHOD"] == "REQUEST"
    assert str(vevent["UID"]) == emails.registration_uid(registration)
    assert vevent["DTSTART"].dt.astimezone(UTC) == datetime(2027, 5, 20, 6, 30, tzinfo=UTC)
    assert vevent["ATTENDEE"].params["CN"] == "Camille Durand"

    services.cancel_registration(registration=registration)
    cancelled = Calendar.from_ical(
        client.get(f"/r/{registration.manage_token}/calendar.ics").content
    )

    [vevent_after] = cancelled.walk("VEVENT")
    assert cancelled["METHOD"] == "CANCEL"
    assert vevent_after["STATUS"] == "CANCELLED"
    assert str(vevent_after["UID"]) == str(vevent["UID"])
    assert vevent_after["SEQUENCE"] > vevent["SEQUENCE"]


def test_a_cancelled_registration_can_no_longer_be_cancelled_again(client):
    ticket = colloquium_ticket()
    registration = register_through_the_form(client, ticket)
    services.cancel_registration(registration=registration)
    mail.outbox.clear()

    response = client.post(manage_url(registration), {"action": "cancel", "confirm": "yes"})

    assert response.status_code == 302
    assert "Cette inscription ne peut plus être modifiée." in page_text(
        client.get(manage_url(registration))
    )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert mail.outbox == []


def test_the_attendee_page_keeps_csrf_protection_on(client):
    """The page's forms carry a CSRF token; a post from another site without it changes
    nothing. (Its Referrer-Policy is `same-origin`, so browsers send a real Origin.)"""
    ticket = colloquium_ticket()
    registration = register_through_the_form(client, ticket)
    browser = Client(enforce_csrf_checks=True)

    forged = browser.post(
        manage_url(registration),
        {"action": "cancel", "confirm": "yes"},
        HTTP_ORIGIN="https://evil.example",
    )
    page = browser.get(manage_url(registration))
    token = page.context["csrf_token"]
    genuine = browser.post(
        manage_url(registration),
        {"action": "cancel", "confirm": "yes", "csrfmiddlewaretoken": str(token)},
        HTTP_ORIGIN="http://testserver",
    )

    assert forged.status_code == 403
    assert genuine.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled"
