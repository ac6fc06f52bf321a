from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    """DRF's command of the same name made a token stored in clear, which the API no longer
    accepts: this one, found first (accounts comes before rest_framework.authtoken in
    INSTALLED_APPS), refuses and says what to use."""

    help = "Replaced by create_api_token: API tokens are stored as digests."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("-r", "--reset", action="store_true")

    def handle(self, *args, **options):
        raise CommandError(
            "DRF's tokens are no longer accepted by the API. Make an API token with "
            '`python manage.py create_api_token <username> --name "…"` or in the back office '
            "(Accounts → API tokens)."
        )
