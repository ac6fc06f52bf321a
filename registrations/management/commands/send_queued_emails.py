from django.core.management.base import BaseCommand

from registrations import emails


class Command(BaseCommand):
    help = "Deliver the outbox emails whose next attempt is due (schedule it every few minutes)."

    def handle(self, *args, **options):
        sent = failed = 0
        for email_id in list(emails.due_emails().values_list("pk", flat=True)):
            email = emails.deliver(email_id)
            if email.status == email.Status.SENT:
                sent += 1
            else:
                failed += 1
        self.stdout.write(f"{sent} email(s) sent, {failed} still waiting.")
