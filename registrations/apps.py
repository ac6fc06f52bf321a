from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        # The door's cached devices are forgotten when they, or what they know, change.
        from registrations import (
            checkin,  # noqa: F401
            signals,
        )

        signals.connect()
