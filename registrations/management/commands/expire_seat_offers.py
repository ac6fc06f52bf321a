from django.core.management.base import BaseCommand

from registrations import services


class Command(BaseCommand):
    help = "Close the seat offers whose time is up and offer the seats to the next in line."

    def handle(self, *args, **options):
        count = services.expire_offers()
        self.stdout.write(f"{count} offer(s) expired.")
