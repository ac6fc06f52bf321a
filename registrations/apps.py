from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        # The attendee's agenda feed is forgotten when their registration or sign-ups change,
        # programme changes enqueue their emails (signals.py), and an update email gets its
        # changes and invitations from programme_updates.py.
        # Every owner is emailed when their organisation's bank details change
        # (bank_details.py).
        from organisations.signals import bank_details_changed  # noqa: PLC0415 — ready() hook
        from registrations import (  # noqa: PLC0415 — ready() hook
            bank_details,
            emails,
            privacy,
            programme_updates,
            retention,
            signals,
        )
        from registrations.models import OutgoingEmail  # noqa: PLC0415 — ready() hook
        from speakers.privacy import on_speaker_erasure  # noqa: PLC0415 — ready() hook

        signals.connect()
        emails.register_builder(
            OutgoingEmail.Kind.PROGRAMME_UPDATE, programme_updates.update_extras
        )
        bank_details_changed.connect(
            bank_details.queue_bank_details_emails, dispatch_uid="bank-details-changed-emails"
        )
        emails.register_builder(
            OutgoingEmail.Kind.BANK_DETAILS_CHANGED, bank_details.bank_details_extras
        )
        # The attendee's rights (privacy.py): an email change's confirmation link, the links
        # sent again from the lost-link page.
        emails.register_builder(OutgoingEmail.Kind.EMAIL_CHANGE, privacy.email_change_extras)
        emails.register_builder(OutgoingEmail.Kind.LOST_LINKS, privacy.lost_links_extras)
        on_speaker_erasure(privacy.erase_speaker_traces)
        # The owners' report of the retention command (retention.py).
        emails.register_builder(
            OutgoingEmail.Kind.RETENTION_REPORT, retention.retention_report_extras
        )
