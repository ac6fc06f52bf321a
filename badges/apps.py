from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("Badges")

    def ready(self):
        from badges import emails, privacy  # noqa: PLC0415 — ready() hook
        from registrations import emails as outbox  # noqa: PLC0415 — ready() hook
        from registrations import privacy as personal_data  # noqa: PLC0415 — ready() hook
        from registrations.models import OutgoingEmail  # noqa: PLC0415 — ready() hook

        outbox.register_builder(OutgoingEmail.Kind.CONFIRMATION, emails.badge_extras)
        # Badge sheets print names: an erasure deletes those of the person's events.
        personal_data.on_erasure(privacy.erase_badge_sheets)
