from django.core.management.base import BaseCommand

from audit.context import as_command
from payments import services as payments


class Command(BaseCommand):
    help = (
        "Remind unpaid invoices after INVOICE_REMINDER_DAYS and release their seats after "
        "INVOICE_RELEASE_DAYS. Run it daily."
    )

    def handle(self, *args, **options):
        # Entries of the audit trail it writes are by the system, through this command.
        with as_command("process_unpaid_invoices"):
            return self.change(*args, **options)

    def change(self, *args, **options):
        report = payments.process_unpaid_invoices()
        self.stdout.write(f"{report.reminded} reminded, {report.released} released.")
