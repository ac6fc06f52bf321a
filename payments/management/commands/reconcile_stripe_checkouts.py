from django.core.management.base import BaseCommand

from payments import services as payments


class Command(BaseCommand):
    help = (
        "Ask Stripe about card checkouts past their expiry and act as the webhook would "
        "(a lost or unconfigured webhook). Schedule it every few minutes."
    )

    def handle(self, *args, **options):
        changed = payments.reconcile_checkouts()
        self.stdout.write(f"{changed} payment(s) updated from Stripe.")
