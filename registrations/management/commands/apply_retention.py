"""`python manage.py apply_retention [--dry-run] [--organisation SLUG]`: anonymise the personal
data past its retention period (registrations/retention.py), daily. The dry run prints what
is due and changes nothing; the real run prints the same report, applies it, and emails each
organisation's owners the report of their organisation. Without `--organisation` it also
deletes what belongs to no organisation (the trail's site-wide entries, the admin history,
the emails tied to no event), reported here only."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.context import as_command
from organisations.models import Organisation
from registrations import retention


class Command(BaseCommand):
    help = "Anonymise the personal data past its retention period (dry run first)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what is due; change nothing."
        )
        parser.add_argument("--organisation", metavar="SLUG", help="Only this organisation.")

    def handle(self, *args, **options):
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    _("No organisation with the identifier “%(slug)s”.")
                    % {"slug": options["organisation"]}
                )
        planned = retention.plan(organisation=organisation)
        self.report(planned)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was changed."))
            return
        # The trail's entries are by the system, through this command.
        with as_command("apply_retention"):
            retention.apply(planned)
            retention.email_owners(planned)
        self.stdout.write(_("Done."))

    def report(self, planned):
        if not planned:
            self.stdout.write(_("Nothing is past its retention period."))
            return
        for organisation in planned.organisations():
            self.stdout.write(f"{organisation.name} ({organisation.slug})")
            for line in retention.report_lines(planned.of(organisation).rows()):
                self.stdout.write("  " + self.line_text(line))
        if planned.site is not None:
            self.stdout.write(_("Site (no organisation)"))
            for line in retention.report_lines(planned.site.rows()):
                self.stdout.write("  " + self.line_text(line))

    def line_text(self, line) -> str:
        values = {
            "event": line["event"],
            "category": line["category"],
            "what": line["what"],
            "date": line["period_ended"],
        }
        if line["written_before"]:
            return _("%(category)s: %(what)s (written before %(date)s)") % values
        return _("%(event)s — %(category)s: %(what)s (period ended %(date)s)") % values
