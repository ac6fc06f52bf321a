from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices")

    def ready(self):
        from notices import signals  # noqa: PLC0415  (models are loaded only now)
        from notices.models import AccessibilityStatement  # noqa: PLC0415

        post_save.connect(signals.statement_saved, sender=AccessibilityStatement)
        post_delete.connect(signals.statement_saved, sender=AccessibilityStatement)
