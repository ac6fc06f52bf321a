"""A member of staff who forgot their password gets a link by email (through the outbox, like
every email: the request does not wait for the mail server) and chooses a new one; a lockout
after too many failed logins is lifted by it."""

import re
import smtplib

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from registrations.models import OutgoingEmail
from tests.accounts.pages import page_text
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a new and long passphrase"


@pytest.fixture
def organiser():
    return MembershipFactory(user__username="camille", user__email="camille@example.org").user


def log_in(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password})


def ask_for_a_reset(client, email):
    return client.post("/admin/password_reset/", {"email": email})


def reset_link(message) -> str:
    return re.search(r"http://testserver(/reset/\S+/)", message.body).group(1)


def choose_new_password(client, link, password=NEW_PASSWORD):
    form_page = client.get(link)  # Django swaps the token for a session and redirects
    assert form_page.status_code == 302
    return client.post(
        form_page.url, {"new_password1": password, "new_password2": password}, follow=True
    )


def test_the_login_page_links_to_the_password_reset(client):
    response = client.get("/admin/login/")

    assert '<a href="/admin/password_reset/">' in response.content.decode()
    assert "Identifiants de connexion oubliés ?" in page_text(response)


def test_a_forgotten_password_is_replaced_through_a_link_sent_by_email(client, settings, organiser):
    settings.SITE_URL = "http://testserver"

    response = ask_for_a_reset(client, "Camille@Example.org")

    assert response.status_code == 302
    assert response.url == "/admin/password_reset/done/"
    [message] = mail.outbox
    assert message.to == ["camille@example.org"]
    assert message.subject == "Choisissez un nouveau mot de passe pour Colloque"
    assert "Bonjour camille," in message.body
    assert "Votre identifiant\u00a0: camille" in message.body
    assert "Si vous ne l’avez pas demandé, ignorez cet e-mail" in message.body
    html = message.alternatives[0][0]
    assert reset_link(message) in html
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.user, email.status) == ("password_reset", organiser, "sent")

    done = choose_new_password(client, reset_link(message))

    assert "Votre mot de passe a été défini." in page_text(done)
    assert log_in(Client(), "camille", NEW_PASSWORD).status_code == 302
    assert log_in(Client(), "camille", PASSWORD).status_code == 200


def test_the_link_works_once(client, settings, organiser):
    settings.SITE_URL = "http://testserver"
    ask_for_a_reset(client, "camille@example.org")
    link = reset_link(mail.outbox[0])
    choose_new_password(client, link)

    again = Client().get(link, follow=True)

    assert (
        "Le lien de mise à jour du mot de passe n’était pas valide, probablement en raison de "
        "sa précédente utilisation."
    ) in page_text(again)


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, organiser):
    response = ask_for_a_reset(client, "nobody@example.org")

    assert response.status_code == 302
    assert response.url == "/admin/password_reset/done/"
    assert mail.outbox == []
    assert not OutgoingEmail.objects.exists()


def test_a_bad_address_is_refused_in_the_form(client, organiser):
    response = ask_for_a_reset(client, "not an address")

    assert response.status_code == 200
    assert "Saisissez une adresse e-mail valide." in page_text(response)
    assert not OutgoingEmail.objects.exists()


class MailServerDown(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_server_outage_does_not_fail_the_request_and_the_email_is_retried(
    client, settings, organiser
):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"

    response = ask_for_a_reset(client, "camille@example.org")

    assert response.status_code == 302
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.status, email.attempts) == ("password_reset", "queued", 1)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.update(next_attempt_at=timezone.now())
    call_command("send_queued_emails")

    [message] = mail.outbox
    assert message.to == ["camille@example.org"]
    assert "/reset/" in message.body


def test_a_password_reset_lifts_the_lockout(client, settings, organiser):
    settings.SITE_URL = "http://testserver"
    for n in range(5):
        log_in(client, "camille", f"guess {n}")
    assert log_in(client, "camille", PASSWORD).status_code == 429

    ask_for_a_reset(client, "camille@example.org")
    choose_new_password(client, reset_link(mail.outbox[0]))

    assert not AccessAttempt.objects.exists()
    assert log_in(client, "camille", NEW_PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_asking_for_resets_again_and_again_is_rate_limited(client, settings, organiser):
    settings.RATE_LIMITS = {"password_reset": "3/h"}
    answers = [ask_for_a_reset(client, "camille@example.org").status_code for _ in range(5)]

    assert answers == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3


def test_a_password_reset_shows_in_the_outbox_to_superusers_only_and_without_its_link(
    client, organiser
):
    colleague = MembershipFactory(organisation=organiser.memberships.get().organisation).user
    ask_for_a_reset(Client(), "camille@example.org")
    email = OutgoingEmail.objects.get()

    client.force_login(colleague)
    assert "camille@example.org" not in page_text(client.get("/admin/registrations/outgoingemail/"))
    hidden = client.get(f"/admin/registrations/outgoingemail/{email.pk}/change/")
    assert hidden.status_code == 302  # the admin's "no such object" redirect

    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    listing = page_text(client.get("/admin/registrations/outgoingemail/?q=camille"))
    assert "réinitialisation du mot de passe (équipe) camille@example.org" in listing
    detail = client.get(f"/admin/registrations/outgoingemail/{email.pk}/change/")
    assert "/reset/" not in detail.content.decode()
