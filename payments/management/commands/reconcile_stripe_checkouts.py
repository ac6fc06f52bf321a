from django.core.management.base import BaseCommand

from audit.context import as_command
from payments import services as payments


class Command(BaseCommand):
    help = (
        "Ask Stripe about card checkouts past their expiry and act as the webhook would "
        "(a lost or unconfigured webhook). Schedule it every few minutes."
    )

    def handle(self, *args, **options):
        # Entries of the audit trail it writes are by the system, through this command.
        with as_command("reconcile_stripe_checkouts"):
            return self.change(*args, **options)

    def change(self, *args, **options):
        changed = payments.reconcile_checkouts()
        self.stdout.write(f"{changed} payment(s) updated from Stripe.")
