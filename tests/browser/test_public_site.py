"""A visitor reads the colloquium's programme in a real browser, in French then in English."""

# ruff: noqa: RUF001 - the pages show time and date ranges with a typographic en dash.

import pytest
from playwright.sync_api import expect

from tests.browser.colloquium import build_colloquium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}


def _horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _programme_line(page, title: str):
    return page.locator(".programme__item").filter(has_text=title)


def test_a_visitor_reads_the_programme_in_french_then_switches_to_english(
    page, live_server, axe_violations, foreign_requests
):
    colloquium = build_colloquium()
    slug = colloquium.event.slug

    page.goto(f"/events/{slug}/")

    expect(page).to_have_title("Protection sociale et territoires · Colloque")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Protection sociale et territoires")
    expect(page.locator(".programme-day__title")).to_have_text(
        ["jeudi 20 mai 2027", "vendredi 21 mai 2027"]
    )
    expect(_programme_line(page, "Ouverture du colloque").locator(".programme__time")).to_have_text(
        "09:00–09:45"
    )
    expect(
        _programme_line(page, "Atelier : les solidarités locales").locator(".programme__time")
    ).to_have_text("10:00–11:30")
    expect(_programme_line(page, "Clôture").locator(".programme__time")).to_have_text("16:00–16:30")
    expect(_programme_line(page, "Atelier reporté").locator("del")).to_have_text("Atelier reporté")
    expect(page.locator(".speaker-card__name")).to_have_text(
        ["Bruno Aubert", "Claire Martin", "Inès Benali", "Paul Roche"]
    )
    assert axe_violations(page) == []

    page.locator("nav.language-switch a[hreflang='en']").click()

    expect(page).to_have_url(f"{live_server.url}/en/events/{slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Social protection and territories")
    expect(page.locator(".programme-day__title")).to_have_text(
        ["Thursday 20 May 2027", "Friday 21 May 2027"]
    )
    expect(
        _programme_line(page, "Opening of the colloquium").locator(".programme__time")
    ).to_have_text("09:00–09:45")
    expect(_programme_line(page, "Health and territories")).to_contain_text("Leclair lecture hall")
    expect(page.locator("nav.language-switch a[aria-current='true']")).to_have_text("English")
    assert axe_violations(page) == []
    assert foreign_requests == []


@pytest.mark.parametrize("path", ["/events/{slug}/", "/en/events/{slug}/"])
def test_the_programme_fits_a_360_pixel_wide_phone(page, path, axe_violations, foreign_requests):
    colloquium = build_colloquium()
    page.set_viewport_size({"width": 360, "height": 780})

    page.goto(path.format(slug=colloquium.event.slug))

    expect(page.locator(".programme__item").first).to_be_visible()
    assert _horizontal_overflow(page) == 0
    assert axe_violations(page) == []
    assert foreign_requests == []


@pytest.mark.parametrize("language_prefix", ["", "/en"])
def test_the_home_and_speaker_pages_pass_axe_and_fit_a_phone(
    page, language_prefix, axe_violations, foreign_requests
):
    colloquium = build_colloquium()
    home = f"{language_prefix}/"
    speaker = f"{language_prefix}/events/{colloquium.event.slug}/speakers/claire-martin/"

    for path in (home, speaker):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        assert axe_violations(page) == [], path
        page.set_viewport_size(PHONE)
        assert _horizontal_overflow(page) == 0, path

    expect(page.locator(".speaker-profile__photo")).to_be_visible()
    assert foreign_requests == []


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page):
    colloquium = build_colloquium()
    page.goto(f"/en/events/{colloquium.event.slug}/sessions/{colloquium.opening.pk}/")

    page.keyboard.press("Tab")
    skip_link = page.locator(".skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()
    expect(page.locator("main h1")).to_have_text("Opening of the colloquium")
