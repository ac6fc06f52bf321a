from django.core.management.base import BaseCommand

from payments import services as payments


class Command(BaseCommand):
    help = (
        "Remind unpaid invoices after INVOICE_REMINDER_DAYS and release their seats after "
        "INVOICE_RELEASE_DAYS. Run it daily."
    )

    def handle(self, *args, **options):
        report = payments.process_unpaid_invoices()
        self.stdout.write(f"{report.reminded} reminded, {report.released} released.")
