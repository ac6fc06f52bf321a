from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from payments import emails, privacy, services  # noqa: PLC0415 — ready() hook
        from registrations import emails as outbox  # noqa: PLC0415 — ready() hook
        from registrations import privacy as personal_data  # noqa: PLC0415 — ready() hook
        from registrations import services as registrations  # noqa: PLC0415 — ready() hook
        from registrations.models import OutgoingEmail  # noqa: PLC0415 — ready() hook

        registrations.on_cancellation(services.refund_cancelled_registration)
        registrations.on_cancellation(services.credit_cancelled_registration)
        # Every email about a registration may speak of its payment; the invoice's is attached.
        outbox.register_builder(outbox.EVERY_KIND, emails.payment_context)
        for kind in (OutgoingEmail.Kind.INVOICE, OutgoingEmail.Kind.INVOICE_REMINDER):
            outbox.register_builder(kind, emails.invoice_extras)
        outbox.register_builder(OutgoingEmail.Kind.CREDIT_NOTE, emails.credit_note_extras)
        # A person's payments in their data export; their payer details and Stripe payloads
        # anonymised when they are erased (invoices are kept).
        personal_data.register_person_data(privacy.person_payments)
        personal_data.on_erasure(privacy.erase_payments)
