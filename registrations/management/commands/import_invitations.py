from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db.models import Q

from audit.context import as_command
from events.models import Event
from registrations import csv_import
from registrations.management.options import event_by_slug
from registrations.models import TicketType


class Command(BaseCommand):
    help = (
        "Invite the guests of a CSV file (columns: prénom/first_name, nom/last_name, "
        "email/courriel, organisation, fonction/title, accompagnants/plus_ones, "
        "langue/language) and email each their personal link. Bad lines are reported and "
        "skipped; the good ones are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8 or Windows-1252, ; or , separated).")
        parser.add_argument("--event", required=True, help="The event's slug.")
        parser.add_argument(
            "--ticket-type", required=True, help="The ticket type's id or name (in the event)."
        )
        parser.add_argument(
            "--deadline",
            required=True,
            help="Answer before: YYYY-MM-DD (end of that day) or YYYY-MM-DDTHH:MM, in the "
            "event's time zone.",
        )

    @no_translations
    def handle(self, *args, **options):
        # Entries of the audit trail it writes are by the system, through this command.
        with as_command("import_invitations"):
            return self.change(*args, **options)

    def change(self, *args, **options):
        event = event_by_slug(options["event"])
        ticket_type = _ticket_type(event, options["ticket_type"])
        try:
            deadline = csv_import.deadline_from_text(options["deadline"], event=event)
        except ValueError as error:
            raise CommandError(str(error)) from None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            with path.open("rb") as guest_list:
                report = csv_import.import_invitations_from_file(
                    event=event,
                    ticket_type=ticket_type,
                    uploaded_file=guest_list,
                    deadline=deadline,
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"{len(report.created)} invitation(s) created, {len(report.errors)} line(s) refused."
        )
        for line, reason in report.errors:
            self.stdout.write(f"Line {line}: {reason}")
        if report.ignored_columns:
            self.stdout.write(f"Columns ignored: {', '.join(report.ignored_columns)}.")


def _ticket_type(event: Event, value: str) -> TicketType:
    query = Q(name__iexact=value) | Q(name_fr__iexact=value) | Q(name_en__iexact=value)
    if value.isdigit():
        query |= Q(pk=int(value))
    matches = list(event.ticket_types.filter(query).distinct()[:2])
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(f"{ticket.pk} ({ticket.name})" for ticket in event.ticket_types.all())
    if not matches:
        raise CommandError(
            f"No ticket type “{value}” in this event. Its ticket types: {names or 'none'}."
        )
    raise CommandError(f"Several ticket types match “{value}”: give its id ({names}).")
