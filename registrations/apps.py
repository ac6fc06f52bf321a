from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        # The attendee's agenda feed is forgotten when their registration or sign-ups change.
        from registrations import signals

        signals.connect()
