from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and programme")

    def ready(self):
        from events import checks, signals, triggers  # noqa: F401, PLC0415 — ready() hook; checks registers itself

        signals.connect()
        pre_migrate.connect(triggers.remove, sender=self, dispatch_uid="events-triggers-remove")
        post_migrate.connect(triggers.install, sender=self, dispatch_uid="events-triggers-install")
