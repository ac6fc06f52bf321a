from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, no_translations

from audit.context import as_command
from registrations import services
from registrations.management.options import event_by_slug


class Command(BaseCommand):
    help = (
        "Remind the invited guests who have not answered and whose deadline is still ahead; "
        "nobody is reminded twice within the interval. Safe to schedule (e.g. daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", help="Only this event's guests (its slug).")
        parser.add_argument(
            "--min-interval-hours",
            type=float,
            default=48,
            help="At least this many hours between two reminders to one guest (default 48).",
        )

    @no_translations
    def handle(self, *args, **options):
        # Entries of the audit trail it writes are by the system, through this command.
        with as_command("send_invitation_reminders"):
            return self.change(*args, **options)

    def change(self, *args, **options):
        event = None
        if options["event"]:
            event = event_by_slug(options["event"])
        hours = options["min_interval_hours"]
        if not hours > 0:
            raise CommandError("--min-interval-hours must be more than 0.")
        count = services.send_invitation_reminders(event=event, min_interval=timedelta(hours=hours))
        self.stdout.write(f"{count} reminder(s) sent.")
