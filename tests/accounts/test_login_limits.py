"""The back office's login refuses a guesser: after LOGIN_FAILURE_LIMIT wrong passwords for an
account, or from an address, even the right password is refused for LOGIN_COOLOFF_MINUTES, with
a page that says so and shows the owner the way back (a password reset by email)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from tests.accounts.pages import page_text
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery"


@pytest.fixture
def organiser():
    return MembershipFactory(user__username="camille", user__email="camille@example.org").user


def log_in(client, username, password, **headers):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **headers
    )


def is_logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_thirty_wrong_passwords_then_the_right_one_does_not_get_in(client, organiser):
    answers = [log_in(client, "camille", f"guess {n}").status_code for n in range(30)]

    response = log_in(client, "camille", PASSWORD)

    # The login form again, with its error, four times; the fifth failure locks.
    assert answers[:4] == [200] * 4
    assert set(answers[4:]) == {429}
    assert response.status_code == 429
    assert not is_logged_in(client)
    text = page_text(response)
    assert "Trop de tentatives de connexion" in text
    assert (
        "La connexion est refusée pour le moment : 5 mots de passe erronés ont été saisis "
        "pour ce compte ou depuis cette adresse." in text
    )
    assert "Réessayez dans 15 minutes." in text
    assert "Réinitialiser mon mot de passe par e-mail" in text
    assert 'href="/admin/password_reset/"' in response.content.decode()


def test_four_typos_then_the_right_password_gets_in_and_the_count_starts_again(client, organiser):
    for n in range(4):
        assert log_in(client, "camille", f"typo {n}").status_code == 200

    assert log_in(client, "camille", PASSWORD).status_code == 302
    assert is_logged_in(client)

    client.logout()
    for n in range(4):
        assert log_in(client, "camille", f"typo {n}").status_code == 200
    assert log_in(client, "camille", PASSWORD).status_code == 302


def test_an_account_guessed_at_from_many_addresses_is_locked_for_every_address(organiser):
    for n in range(5):
        log_in(Client(REMOTE_ADDR=f"203.0.113.{n}"), "camille", f"guess {n}")

    owner = Client(REMOTE_ADDR="198.51.100.7")

    assert log_in(owner, "camille", PASSWORD).status_code == 429
    assert not is_logged_in(owner)


def test_an_address_guessing_many_accounts_is_locked_and_other_addresses_are_not(organiser):
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        log_in(guesser, f"someone{n}", "password")

    assert log_in(guesser, "camille", PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    assert log_in(colleague, "camille", PASSWORD).status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_address_limit(settings, organiser):
    settings.TRUSTED_PROXIES = 0
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        log_in(guesser, f"someone{n}", "password", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    response = log_in(guesser, "camille", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.99")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_one_limited(settings, organiser):
    settings.TRUSTED_PROXIES = 1
    proxy = "192.0.2.1"
    for n in range(5):
        log_in(
            Client(REMOTE_ADDR=proxy),
            f"someone{n}",
            "password",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )

    guesser = Client(REMOTE_ADDR=proxy)
    colleague = Client(REMOTE_ADDR=proxy)

    assert (
        log_in(guesser, "camille", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    )
    assert (
        log_in(colleague, "camille", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code
        == 302
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_after_the_cool_off_the_owner_gets_in_again(client, organiser):
    for n in range(5):
        log_in(client, "camille", f"guess {n}")
    assert log_in(client, "camille", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert log_in(client, "camille", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_the_limit_and_the_wait_come_from_the_settings(client, settings, organiser):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_COOLOFF_MINUTES = 1
    log_in(client, "camille", "guess 1")
    log_in(client, "camille", "guess 2")

    response = log_in(client, "camille", PASSWORD)

    assert response.status_code == 429
    assert "Réessayez dans 1 minute." in page_text(response)


# --- The attempts log ---------------------------------------------------------------------


def test_the_attempts_log_is_for_superusers_only(client, organiser):
    UserFactory(username="dominique")
    log_in(Client(), "dominique", "guess")
    organiser.user_permissions.set(Permission.objects.all())
    client.force_login(organiser)

    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert "/admin/axes/" not in client.get("/admin/").content.decode()

    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(superuser)
    response = client.get("/admin/axes/accessattempt/")
    assert response.status_code == 200
    assert "dominique" in page_text(response)
    assert "/admin/axes/accessattempt/" in client.get("/admin/").content.decode()


def test_a_user_unknown_to_the_site_is_counted_like_any_other(client):
    UserFactory(username="dominique")
    for n in range(5):
        log_in(client, "nobody", f"guess {n}")

    assert AccessAttempt.objects.get().failures_since_start == 5
