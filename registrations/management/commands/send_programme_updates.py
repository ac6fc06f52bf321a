from django.core.management.base import BaseCommand

from registrations.programme_updates import send_programme_updates


class Command(BaseCommand):
    help = (
        "Email the programme changes that have settled (none for PROGRAMME_UPDATE_DELAY "
        "seconds) to the attendees and speakers concerned: one email per person. The worker "
        "does it already; schedule this every few minutes as a safety net."
    )

    def handle(self, *args, **options):
        queued = send_programme_updates()
        self.stdout.write(f"{queued} programme update email(s) queued.")
