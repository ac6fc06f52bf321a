from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        # The attendee's agenda feed is forgotten when their registration or sign-ups change,
        # programme changes enqueue their emails (signals.py), and an update email gets its
        # changes and invitations from programme_updates.py.
        from registrations import emails, programme_updates, signals  # noqa: PLC0415 — ready() hook
        from registrations.models import OutgoingEmail  # noqa: PLC0415 — ready() hook

        signals.connect()
        emails.register_builder(
            OutgoingEmail.Kind.PROGRAMME_UPDATE, programme_updates.update_extras
        )
