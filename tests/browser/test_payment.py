"""A visitor buys a paid ticket for the demo colloquium in a real browser: the server sends the
browser to Stripe Checkout (faked: the stripe library talks to FakeStripe, and the browser's
visit to the checkout address is answered by this test), Stripe's signed webhook confirms the
registration, and the attendee's page then shows it confirmed and paid."""

import re
from decimal import Decimal
from io import StringIO

import pytest
import stripe
from django.core.management import call_command
from playwright.sync_api import expect

from events.models import Event
from payments.models import Payment
from registrations.models import Registration, TicketType
from tests.payments.stripe_fake import (
    CHECKOUT_HOST,
    WEBHOOK_SECRET,
    FakeStripe,
    event,
    signature,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLOQUIUM = "protection-sociale-et-territoires-2027"
FAKE_CHECKOUT_PAGE = "<!doctype html><html lang='en'><title>Stripe Checkout (test)</title>"


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    """Stripe keys (test values) and the library's HTTP client replaced by FakeStripe; the
    live server runs in this process, so it talks to the fake too."""
    settings.STRIPE_SECRET_KEY = "sk_test_colloque"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_colloque"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripe()
    monkeypatch.setattr(stripe, "default_http_client", fake)
    return fake


def post_webhook(page, live_server, payload: str) -> int:
    """Stripe's signed delivery, posted to the live server (Playwright's request client)."""
    response = page.request.post(
        f"{live_server.url}/payments/stripe/webhook/",
        data=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature(payload)},
    )
    return response.status


def test_a_paid_registration_goes_to_stripe_checkout_and_a_signed_webhook_confirms_it(
    page, live_server, fake_stripe, foreign_requests
):
    call_command("seed_demo", stdout=StringIO())
    colloquium = Event.objects.get(slug=COLLOQUIUM)
    TicketType.objects.create(
        event=colloquium,
        category=TicketType.Category.PROFESSIONAL,
        name_fr="Professionnel, plein tarif",
        name_en="Professional, full rate",
        price=Decimal("80.00"),
        position=99,
    )
    # Only this test serves the checkout address; the page fixture blocks (and records)
    # every other host. A page route comes before the fixture's context route.
    checkout_visits = []

    def fake_checkout(route):
        checkout_visits.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=FAKE_CHECKOUT_PAGE)

    page.route(f"{CHECKOUT_HOST}/**", fake_checkout)

    page.goto(f"/events/{COLLOQUIUM}/register/")
    page.get_by_label(re.compile(r"^Prénom")).fill("Camille")
    page.get_by_label(re.compile(r"^Nom")).fill("Durand")
    page.get_by_label(re.compile(r"^Courriel")).fill("camille.durand@example.org")
    page.get_by_role("radio", name=re.compile("plein tarif")).check()
    page.get_by_label(re.compile("J’accepte que les organisateurs traitent mes données")).check()
    page.get_by_role("button", name="S’inscrire").click()

    payment = Payment.objects.get(registration__email="camille.durand@example.org")
    checkout_url = f"{CHECKOUT_HOST}/c/pay/{payment.stripe_session_id}"
    expect(page).to_have_url(checkout_url)
    expect(page).to_have_title("Stripe Checkout (test)")
    assert checkout_visits == [checkout_url]
    registration = payment.registration
    assert registration.status == Registration.Status.PENDING_PAYMENT
    assert (payment.amount, payment.currency) == (Decimal("80.00"), "EUR")

    session = fake_stripe.pay(payment.stripe_session_id)
    assert post_webhook(page, live_server, event("checkout.session.completed", session)) == 200

    page.goto(registration.get_personal_url())

    expect(page.locator("h1")).to_have_text("Mon inscription")
    expect(page.locator(".lead")).to_contain_text("Confirmée")
    expect(page.locator("#paid-title + dl")).to_contain_text("80,00 EUR")
    expect(page.locator("#paid-title + dl")).to_contain_text(f"pi_{payment.stripe_session_id}")
    registration.refresh_from_db()
    payment.refresh_from_db()
    assert (registration.status, payment.status) == ("confirmed", "paid")
    assert foreign_requests == []
