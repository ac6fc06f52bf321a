from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and programme")

    def ready(self):
        from events import checks, feed_cache, signals, triggers  # noqa: F401, PLC0415 — ready() hook; checks registers itself
        from speakers.privacy import on_speaker_erasure  # noqa: PLC0415 — ready() hook

        signals.connect()
        # An erased speaker's name leaves the feeds' kept bodies (events/feed_cache.py).
        on_speaker_erasure(feed_cache.forget_after_speaker_erasure)
        pre_migrate.connect(triggers.remove, sender=self, dispatch_uid="events-triggers-remove")
        post_migrate.connect(triggers.install, sender=self, dispatch_uid="events-triggers-install")
