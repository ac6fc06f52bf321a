from django.core.management.base import BaseCommand

from registrations import emails
from registrations.models import OutgoingEmail


class Command(BaseCommand):
    help = (
        "Deliver the outbox emails whose next attempt is due, in case a task was lost "
        "(schedule it every few minutes; the worker retries failed emails itself)."
    )

    def handle(self, *args, **options):
        outcomes = [
            email.status
            for email_id in list(emails.due_emails().values_list("pk", flat=True))
            if (email := emails.deliver(email_id)) is not None
        ]
        sent = outcomes.count(OutgoingEmail.Status.SENT)
        waiting = outcomes.count(OutgoingEmail.Status.QUEUED)
        self.stdout.write(f"{sent} email(s) sent, {waiting} still waiting.")
