from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils import timezone

from accounts import tokens
from audit.context import as_command


class Command(BaseCommand):
    help = (
        "Create an API token for a user and print its key (shown only now: the database keeps "
        "its digest). Programs send it as `Authorization: Token <key>` and act as that user."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Whose token it is.")
        parser.add_argument(
            "--name", required=True, help="What it is for, e.g. “Site du laboratoire”."
        )
        parser.add_argument(
            "--days", type=int, help="It stops working after this many days (default: never)."
        )

    @no_translations
    def handle(self, *args, **options):
        # Entries of the audit trail it writes are by the system, through this command.
        with as_command("create_api_token"):
            return self.change(*args, **options)

    def change(self, *args, **options):
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: options["username"]}).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"{user.get_username()}'s account is disabled.")
        expires_at = None
        if options["days"] is not None:
            if options["days"] < 1:
                raise CommandError("--days must be at least 1.")
            expires_at = timezone.now() + timedelta(days=options["days"])
        try:
            token, key = tokens.create_token(user=user, name=options["name"], expires_at=expires_at)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(f"Token “{token.name}” for {user.get_username()} (id {token.pk}). Key:")
        # The key alone on standard output, for scripts.
        self.stdout.write(key)
