from django.core.management.base import BaseCommand, CommandError, no_translations

from audit.context import as_command
from checkin import services as checkin
from checkin.models import Checkpoint
from registrations.management.options import event_by_slug


class Command(BaseCommand):
    help = (
        "Create a scanner device for one event and print its token (shown only now: the "
        "database keeps its digest). The device scans at the event's entrance unless "
        "--checkpoint names another of the event's checkpoints."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", required=True, help="The event's slug.")
        parser.add_argument("--name", required=True, help="The gate, e.g. “Entrée nord”.")
        parser.add_argument("--checkpoint", type=int, help="A checkpoint's id (default: entrance).")

    @no_translations
    def handle(self, *args, **options):
        # Entries of the audit trail it writes are by the system, through this command.
        with as_command("create_scanner_device"):
            return self.change(*args, **options)

    def change(self, *args, **options):
        event = event_by_slug(options["event"])
        checkpoint = None
        if options["checkpoint"] is not None:
            checkpoint = Checkpoint.objects.filter(pk=options["checkpoint"], event=event).first()
            if checkpoint is None:
                raise CommandError(f"The event has no checkpoint {options['checkpoint']}.")
        try:
            device, token = checkin.create_scanner_device(
                event=event, name=options["name"], checkpoint=checkpoint
            )
        except checkin.CheckInError as error:
            raise CommandError(str(error.message)) from None
        self.stderr.write(f"Device “{device.name}” for {event.slug} (id {device.pk}). Token:")
        # The token alone on standard output, for scripts.
        self.stdout.write(token)
