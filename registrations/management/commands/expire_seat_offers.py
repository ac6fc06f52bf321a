from django.core.management.base import BaseCommand

from audit.context import as_command
from registrations import services


class Command(BaseCommand):
    help = "Close the seat offers whose time is up and offer the seats to the next in line."

    def handle(self, *args, **options):
        # Entries of the audit trail it writes are by the system, through this command.
        with as_command("expire_seat_offers"):
            return self.change(*args, **options)

    def change(self, *args, **options):
        count = services.expire_offers()
        self.stdout.write(f"{count} offer(s) expired.")
