from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "checkin"
    verbose_name = _("Check-in")

    def ready(self):
        # The door's cached devices are forgotten when they, or what they know, change: the
        # receivers are declared in checkin/services.py.
        from checkin import privacy, retention, services  # noqa: F401, PLC0415 — ready() hook
        from registrations import privacy as personal_data  # noqa: PLC0415 — ready() hook
        from registrations import retention as retention_periods  # noqa: PLC0415 — ready() hook

        # A person's scans in their data export (registrations/privacy.py).
        personal_data.register_person_data(privacy.person_checkins)
        personal_data.on_erasure(privacy.erase_correction_reasons)
        # The scans' retention period (registrations/retention.py).
        retention_periods.register_category(retention.CATEGORY)
