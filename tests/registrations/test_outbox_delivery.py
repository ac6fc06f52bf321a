"""The outbox delivers every email once, through a mail server that hangs, goes down, or loses
a worker in the middle of a message; and nobody's request waits on it.

Tasks run with the database backend of production; `run_worker` does in this process what
`db_worker --batch` does. The mail server is a real SMTP server on 127.0.0.1
(tests/registrations/mail_server.py) reached through Django's SMTP backend."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import stripe
from django.conf import settings as django_settings
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from registrations import emails, services
from registrations.models import OutgoingEmail, Registration
from tests.factories import MembershipFactory
from tests.payments.stripe_fake import WEBHOOK_SECRET, FakeStripe
from tests.payments.test_payments_stripe import (
    deliver as post_webhook,
)
from tests.payments.test_payments_stripe import (
    paid_ticket,
    register_and_checkout,
)
from tests.registrations.attendee_steps import (
    colloquium_ticket,
    form_data,
    page_text,
    register_url,
)
from tests.registrations.mail_server import MailServer, free_port

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    """Card payments through the stripe library, its HTTP client playing Stripe's side."""
    settings.STRIPE_SECRET_KEY = "sk_test_colloque"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_colloque"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripe()
    monkeypatch.setattr(stripe, "default_http_client", fake)
    return fake


def run_worker():
    """Run every task that is due, one at a time, as `db_worker --batch` does: the worker's
    own claim and run, in this process and the test's transaction (the command itself would
    close the test's connection between tasks)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)


def register(client, ticket, **overrides):
    return client.post(register_url(ticket.event), form_data(ticket, **overrides))


# --- What each email was queued for -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_registering_again_with_a_registered_address_sends_the_promised_link_once(client):
    ticket = colloquium_ticket()
    register(client, ticket)
    run_worker()
    mail.outbox.clear()

    response = register(client, ticket, first_name="Camille-Again")
    run_worker()
    run_worker()

    assert (
        "Nous lui avons envoyé un lien pour gérer cette inscription\u00a0: consultez cette boîte "
        "aux lettres." in page_text(response)
    )
    [message] = mail.outbox
    assert message.to == ["camille.durand@example.org"]
    assert message.subject == "Vous êtes déjà inscrit(e)\u00a0: Protection sociale et territoires"
    registration = Registration.objects.get()
    assert registration.first_name == "Camille"
    assert registration.manage_token in message.body


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_an_attendee_who_pays_by_card_while_the_mail_waits_gets_one_confirmation(
    client, fake_stripe
):
    payment = register_and_checkout(paid_ticket())
    session = fake_stripe.pay(payment.stripe_session_id)
    # The mail server was down when the seat was held: that email is still in the outbox
    # when the payment confirms the registration.

    assert post_webhook(client, "checkout.session.completed", session).status_code == 200
    run_worker()

    registration = payment.registration
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == [
        "Inscription confirmée\u00a0: Protection sociale et territoires",
        "Reçu de paiement\u00a0: Protection sociale et territoires",
    ]
    attached = Counter(name for message in mail.outbox for name, _c, _m in message.attachments)
    assert attached["invitation.ics"] == 1
    assert attached["badge.png"] == 1
    assert dict(
        OutgoingEmail.objects.filter(registration=registration).values_list("kind", "status")
    ) == {
        "awaiting_payment": "superseded",
        "confirmation": "sent",
        "payment_receipt": "sent",
    }


@pytest.mark.django_db
def test_an_attendee_whose_seat_awaits_payment_is_told_so_and_not_that_it_is_confirmed(
    fake_stripe,
):
    payment = register_and_checkout(paid_ticket())

    [message] = mail.outbox
    assert (
        message.subject
        == "Place réservée dans l’attente du paiement\u00a0: Protection sociale et territoires"
    )
    assert "Votre inscription sera confirmée à réception du paiement." in message.body
    assert "Inscription confirmée" not in message.body
    assert [name for name, _c, _m in message.attachments] == []
    assert payment.registration.emails.get().kind == "awaiting_payment"


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_an_attendee_who_cancels_before_the_confirmation_left_gets_only_the_cancellation(
    client,
):
    register(client, colloquium_ticket())
    registration = Registration.objects.get()
    services.cancel_registration(registration=registration)

    run_worker()

    [message] = mail.outbox
    assert message.subject == "Inscription annulée\u00a0: Protection sociale et territoires"
    assert dict(registration.emails.values_list("kind", "status")) == {
        "confirmation": "superseded",
        "cancellation": "sent",
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_an_email_deleted_with_its_registration_before_it_left_is_not_an_error(client):
    register(client, colloquium_ticket())
    Registration.objects.get().delete()

    run_worker()

    assert mail.outbox == []
    [task] = DBTaskResult.objects.all()
    assert (task.status, task.return_value) == ("SUCCESSFUL", "deleted")


@pytest.mark.django_db
def test_a_registration_is_confirmed_to_its_attendee_once():
    ticket = colloquium_ticket()
    registration = services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(
            first_name="Camille",
            last_name="Durand",
            email="camille.durand@example.org",
            consent_processing=True,
        ),
    )

    again = emails.queue_email(OutgoingEmail.Kind.CONFIRMATION, registration=registration)

    assert again == registration.emails.get()
    assert len(mail.outbox) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingEmail.objects.create(kind="confirmation", registration=registration)


# --- A mail server that hangs, or is down then back ------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_no_request_waits_on_a_mail_server_that_never_answers(client, settings):
    server = MailServer(silent=True)
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 6
    ticket = colloquium_ticket()
    try:
        started = time.monotonic()
        response = register(client, ticket)
        registered_in = time.monotonic() - started

        email = OutgoingEmail.objects.get()
        organiser = MembershipFactory(organisation=ticket.event.organisation).user
        client.force_login(organiser)
        started = time.monotonic()
        retried = client.post(
            reverse("admin:registrations_outgoingemail_changelist"),
            {"action": "retry_now", "_selected_action": [str(email.pk)]},
            follow=True,
        )
        retried_in = time.monotonic() - started
    finally:
        server.close()

    assert response.status_code == 302
    assert retried.status_code == 200
    assert "1 e-mail remis en file d’attente pour une nouvelle tentative" in page_text(retried)
    assert registered_in < 3  # half the mail server's timeout
    assert retried_in < 3
    assert not server.connected.is_set()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_for_several_connections")
def test_sending_to_a_hanging_mail_server_holds_no_transaction_nor_lock(settings):
    server = MailServer(silent=True)
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 3
    settings.TASKS = DATABASE_TASKS
    ticket = colloquium_ticket()
    registration = services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(
            first_name="Camille",
            last_name="Durand",
            email="camille.durand@example.org",
            consent_processing=True,
        ),
    )
    email = registration.emails.get()

    def send():
        try:
            emails.deliver(email.pk)
        finally:
            connection.close()

    sender = threading.Thread(target=send)
    sender.start()
    try:
        assert server.connected.wait(5)
        started = time.monotonic()
        with transaction.atomic():
            OutgoingEmail.objects.select_for_update(nowait=True).get(pk=email.pk)
            services.rename_attendee(
                registration=registration, first_name="Camille", last_name="Durand-Morel"
            )
        written_in = time.monotonic() - started
    finally:
        sender.join(10)
        server.close()

    assert written_in < 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.leased_until) == ("queued", 1, None)
    assert email.last_error.startswith(("TimeoutError", "SMTPServerDisconnected"))
    assert email.next_attempt_at > timezone.now()


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_an_email_queued_while_the_mail_server_is_down_is_sent_once_it_is_back(client, settings):
    port = free_port()
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    register(client, colloquium_ticket())

    run_worker()  # the server is down

    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == ("queued", 1)
    assert email.last_error.startswith("ConnectionRefusedError")
    retry = DBTaskResult.objects.ready().filter(run_after=email.next_attempt_at)
    assert not retry.exists()  # not before its time...
    assert DBTaskResult.objects.filter(
        status="READY", run_after=email.next_attempt_at, args_kwargs__args=[email.pk]
    ).exists()  # ...but the worker will retry it itself

    server = MailServer(port=port)
    try:
        run_worker()
        assert server.received == []  # still not due

        # The first retry's time (a minute later) has come.
        now = timezone.now()
        OutgoingEmail.objects.update(next_attempt_at=now)
        DBTaskResult.objects.filter(status="READY", run_after__lt=now + timedelta(days=1)).update(
            run_after=now
        )
        run_worker()
        run_worker()
    finally:
        server.close()

    assert server.recipients() == ["camille.durand@example.org"]
    assert server.subjects() == ["Inscription confirmée : Protection sociale et territoires"]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")


# --- A worker killed in the middle of a message --------------------------------------------


def database_url() -> str:
    """The test database, for a worker in another process."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return (
        f"postgres://{credentials}@{database['HOST'] or 'localhost'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def start_worker(server: MailServer, *, lease: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "EMAIL_TIMEOUT": "30",
        "EMAIL_DELIVERY_LEASE": str(lease),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--interval=0",
            "--verbosity=0",
        ],
        cwd=Path(django_settings.BASE_DIR),
        env=environment,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_for_several_connections", "database_tasks")
def test_a_worker_killed_while_sending_leaves_its_email_to_another_once_its_lease_ends():
    ticket = colloquium_ticket()
    for number in range(3):
        services.register_attendee(
            event=ticket.event,
            ticket_type=ticket,
            attendee=services.AttendeeDetails(
                first_name="Camille",
                last_name=f"Durand {number}",
                email=f"camille{number}@example.org",
                consent_processing=True,
            ),
        )
    server = MailServer()
    server.hold.clear()  # the first message's data arrives, its answer never does
    lease = 3
    try:
        first = start_worker(server, lease=lease)
        assert server.data_arrived.wait(60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        [in_flight] = server.recipients()
        server.hold.set()

        time.sleep(lease + 0.5)  # the killed worker's claim runs out

        second = start_worker(server, lease=lease)
        assert second.wait(120) == 0
    finally:
        server.close()

    received = Counter(server.recipients())
    assert received == {
        in_flight: 2,  # the one message being sent when the worker died, sent again
        **{
            f"camille{number}@example.org": 1
            for number in range(3)
            if f"camille{number}@example.org" != in_flight
        },
    }
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert not OutgoingEmail.objects.exclude(leased_until=None).exists()
