"""The outbox of a site upgraded from the time when a seat held awaiting payment was told by a
"confirmation" too: the migration names those emails for what they were."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from registrations.models import OutgoingEmail, Registration
from tests.registrations.attendee_steps import colloquium_ticket

BEFORE = [("registrations", "0009_programme_updates")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def registration(ticket, status: str, email: str) -> Registration:
    return Registration.objects.create(
        event=ticket.event,
        ticket_type=ticket,
        status=status,
        first_name="Camille",
        last_name="Durand",
        email=email,
    )


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_outbox_tells_awaiting_payment_apart_and_keeps_one_confirmation_each():
    ticket = colloquium_ticket()
    paid = registration(ticket, "confirmed", "paid@example.org")
    waiting = registration(ticket, "pending_payment", "waiting@example.org")
    free = registration(ticket, "confirmed", "free@example.org")
    OutgoingEmail.objects.all().delete()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()

    old_apps = migrate(BEFORE)
    OldEmail = old_apps.get_model("registrations", "OutgoingEmail")
    held = OldEmail.objects.create(kind="confirmation", registration_id=paid.pk, status="sent")
    confirmed = OldEmail.objects.create(kind="confirmation", registration_id=paid.pk, status="sent")
    receipt = OldEmail.objects.create(
        kind="payment_receipt", registration_id=paid.pk, status="sent"
    )
    still_held = OldEmail.objects.create(
        kind="confirmation", registration_id=waiting.pk, status="queued"
    )
    only = OldEmail.objects.create(kind="confirmation", registration_id=free.pk, status="queued")
    migrate(latest)

    kinds = dict(OutgoingEmail.objects.values_list("pk", "kind"))
    assert kinds == {
        held.pk: "awaiting_payment",
        confirmed.pk: "confirmation",
        receipt.pk: "payment_receipt",
        still_held.pk: "awaiting_payment",
        only.pk: "confirmation",
    }
