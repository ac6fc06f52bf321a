"""A script filling the public forms is slowed down; people are not."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext, ngettext

from notices.selectors import ACCESSIBILITY_STATUS_KEY, forget_accessibility_status
from registrations import ratelimit
from registrations.ratelimit import Rate, check_rate, client_address, parse_rate, rate_limited
from tests.factories import InvitationFactory, TicketTypeFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


# Five seconds into a minute's, ten minutes' and an hour's window alike: a test's requests never
# straddle two windows (the counters are per fixed window).
WINDOW_START = 3600 * 300_000 + 5


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch):
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: WINDOW_START))


@rate_limited("register")
def tiny_form(request):
    return HttpResponse("merci")


@rate_limited("invitation")
def tiny_answer(request):
    return HttpResponse("réponse")


def post(view=tiny_form, address="203.0.113.7", **headers):
    request = RequestFactory().post("/events/colloque/register/", REMOTE_ADDR=address, **headers)
    with translation.override(headers.pop("language", "fr")):
        return view(request)


def test_twenty_attempts_pass_and_the_twenty_first_gets_a_429_page_in_french(settings):
    settings.REGISTRATION_RATE_LIMIT = "20/10m"

    answers = [post() for _ in range(21)]

    assert [answer.status_code for answer in answers] == [200] * 20 + [429]
    wait = int(answers[-1]["Retry-After"])
    assert 0 < wait <= 600
    minutes = max(1, (wait + 59) // 60)
    with translation.override("fr"):
        title = gettext("Too many attempts")
        text = ngettext(
            "Too many attempts, try again in a minute.",
            "Too many attempts, try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
    page = answers[-1].content.decode()
    assert '<html lang="fr">' in page
    assert f"<h1>{title}</h1>" in page
    assert text in page


def test_the_429_page_shows_the_accessibility_status_only_if_cached_and_reads_no_database(
    settings,
):
    """No database access is allowed here (no django_db mark): a client over its limit costs
    no query, even for the footer."""
    settings.REGISTRATION_RATE_LIMIT = "1/h"
    post()
    forget_accessibility_status()  # as when the site starts (tests/conftest.py fills it)

    cold = post().content.decode()
    cache.set(ACCESSIBILITY_STATUS_KEY, "partial")
    warm = post().content.decode()

    assert '<a href="/accessibilite/">Accessibilité</a>' in cold
    assert '<a href="/accessibilite/">Accessibilité\u00a0: partiellement conforme</a>' in warm


def test_the_page_speaks_english_on_the_english_site(settings):
    settings.REGISTRATION_RATE_LIMIT = "1/h"
    request = RequestFactory().post("/en/events/colloque/register/", REMOTE_ADDR="203.0.113.9")

    with translation.override("en"):
        tiny_form(request)
        answer = tiny_form(request)

    assert answer.status_code == 429
    assert '<html lang="en">' in answer.content.decode()
    assert "Too many attempts, try again in" in answer.content.decode()


def test_reading_the_form_is_never_limited(settings):
    settings.REGISTRATION_RATE_LIMIT = "1/h"
    factory = RequestFactory()

    answers = [tiny_form(factory.get("/", REMOTE_ADDR="203.0.113.7")) for _ in range(5)]

    assert {answer.status_code for answer in answers} == {200}


def test_each_client_address_has_its_own_count(settings):
    settings.REGISTRATION_RATE_LIMIT = "2/m"

    first = [post(address="203.0.113.1").status_code for _ in range(3)]
    second = [post(address="2001:db8::1").status_code for _ in range(2)]

    assert first == [200, 200, 429]
    assert second == [200, 200]


def test_the_registration_form_and_invitation_answers_are_counted_apart(settings):
    settings.REGISTRATION_RATE_LIMIT = "1/m"

    assert post(tiny_form).status_code == 200
    assert post(tiny_answer).status_code == 200
    assert post(tiny_form).status_code == 429
    assert post(tiny_answer).status_code == 429


def test_a_scope_may_have_its_own_rate(settings):
    settings.REGISTRATION_RATE_LIMIT = "1/m"
    settings.RATE_LIMITS = {"invitation": "3/m"}

    answers = [post(tiny_answer).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_a_forged_x_forwarded_for_does_not_escape_the_limit(settings):
    settings.REGISTRATION_RATE_LIMIT = "2/m"
    settings.TRUSTED_PROXIES = 0

    answers = [post(HTTP_X_FORWARDED_FOR=f"198.51.100.{number}").status_code for number in range(3)]

    assert answers == [200, 200, 429]


def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(settings):
    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.5"
    )

    # The client wrote 198.51.100.66 itself; the proxy appended what it saw.
    assert client_address(request) == "203.0.113.5"
    settings.TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.2"


def test_behind_a_trusted_proxy_two_visitors_are_counted_apart(settings):
    settings.REGISTRATION_RATE_LIMIT = "1/m"
    settings.TRUSTED_PROXIES = 1

    alice = [post(address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5") for _ in range(2)]
    bob = post(address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert [answer.status_code for answer in alice] == [200, 429]
    assert bob.status_code == 200


def test_the_count_starts_again_in_the_next_window(settings, monkeypatch):
    settings.REGISTRATION_RATE_LIMIT = "2/10m"
    now = [1_800_000_000.0]  # the start of a ten-minute window
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")

    before = [check_rate(request, "register") for _ in range(3)]
    now[0] += 600
    after = check_rate(request, "register")

    assert before == [True, True, False]
    assert after is True


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20/10m", Rate(20, 600)),
        ("60/min", Rate(60, 60)),
        ("5/s", Rate(5, 1)),
        ("1000/day", Rate(1000, 86400)),
        (" 3 / 2h ", Rate(3, 7200)),
    ],
)
def test_rates_are_written_as_in_the_settings(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "20", "twenty/m", "20/10y", "20/0m"])
def test_a_wrong_rate_is_refused_with_a_clear_message(text):
    with pytest.raises(ValueError, match="Not a rate"):
        parse_rate(text)


@pytest.mark.django_db
def test_the_invitation_page_slows_down_a_script_answering_it(client, settings):
    settings.REGISTRATION_RATE_LIMIT = "2/m"
    invitation = InvitationFactory()
    url = invitation.get_personal_url()

    answers = [client.post(url, {"answer": "decline"}) for _ in range(3)]

    assert answers[0].status_code != 429
    assert answers[1].status_code != 429
    assert answers[2].status_code == 429
    assert client.get(url).status_code == 200  # reading it is never limited
    invitation.refresh_from_db()
    assert invitation.answer == "declined"  # the first answer counted, once


@pytest.mark.django_db
def test_the_public_registration_form_stops_a_flood_of_posts(client, settings):
    settings.REGISTRATION_RATE_LIMIT = "3/10m"
    ticket = TicketTypeFactory()
    url = f"/events/{ticket.event.slug}/register/"

    answers = [client.post(url, {"first_name": ""}).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
