"""Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in the test's thread, which makes Django refuse ORM
calls from that thread (the factories, the database flush after each test). The `browser`
fixture therefore sets DJANGO_ALLOW_ASYNC_UNSAFE, only while a browser is open: left set for the
whole run, it would leak into other tests, e.g. the `check --deploy` subprocess refuses it.
"""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module; Playwright's event loop stops with it, so tests
    that run afterwards in the same process get Django's async-safety checks back."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}: install Debian's chromium "
            "(apt-get install chromium).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 — Playwright is loaded only when the browser tests run

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # The browser is Debian's: Playwright must never fetch one of its own.
        patch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def foreign_requests() -> list[str]:
    """Every request the page tried to send to another host (each one is blocked). A test that
    serves another address itself (the faked Stripe Checkout page of test_payment.py) does so
    with its own `page.route`, which comes before this context-wide block, for that test only."""
    return []


@pytest.fixture
def page(browser, live_server, foreign_requests):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)

    def keep_to_the_live_server(route):
        url = route.request.url
        if url.startswith((live_server.url, "data:", "about:")):
            route.continue_()
        else:
            foreign_requests.append(url)
            route.abort()

    context.route("**/*", keep_to_the_live_server)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_violations():
    """Runs axe-core on the page and returns its serious and critical violations."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci`.", pytrace=False)

    source = AXE_SCRIPT.read_text()

    def run(page) -> list[str]:
        # Evaluated by the browser's debugging protocol, which the page's Content-Security-
        # Policy does not govern (a <script> tag added to the page would be refused).
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(f"() => {{ {source}\n}}")
        results = page.evaluate("async () => await axe.run(document)")
        return [
            f"{violation['impact']}: {violation['id']} ({violation['help']}) at "
            + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
            for violation in results["violations"]
            if violation["impact"] in {"serious", "critical"}
        ]

    return run
