"""Back office of payments: card payments as Stripe reported them, invoices (their PDF, marking
them paid) and the Stripe events received. Scoped like the rest (organisations/admin.py)."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from organisations.admin import (
    ReadOnlyAdmin,
    ScopedChoicesMixin,
    editable_organisations,
    may_edit,
)
from payments import services as payments
from payments.invoice_pdf import build_invoice
from payments.models import Payment
from registrations.http import private_page

# --- Payments -------------------------------------------------------------------------------


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin, ScopedChoicesMixin, admin.ModelAdmin):
    """Card payments as Stripe reported them, read-only. "Needs attention" lists the payments
    to look at: an amount or currency Stripe reported differently, or a payment that arrived
    after its seat was released and given away (to refund)."""

    list_display = [
        "registration",
        "email",
        "event",
        "amount",
        "currency",
        "status",
        "flag",
        "created_at",
        "paid_at",
    ]
    list_filter = ["flag", "method", "status"]
    list_select_related = ["registration__event"]
    search_fields = [
        "registration__email",
        "registration__last_name",
        "stripe_session_id",
        "invoice_number",
        "billing_name",
        "purchase_order_number",
    ]
    actions = ["mark_paid"]
    fields = [
        "registration",
        "method",
        "status",
        "amount",
        "currency",
        "invoice_number",
        "billing_name",
        "billing_address",
        "purchase_order_number",
        "due_at",
        "reminded_at",
        "amount_refunded",
        "refunded_at",
        "stripe_refund_id",
        "flag",
        "flag_note",
        "stripe_session_id",
        "stripe_payment_intent",
        "expires_at",
        "created_at",
        "paid_at",
        "invoice_pdf",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        organisation_ids = editable_organisations(request)
        if organisation_ids is None:
            return queryset
        return queryset.filter(registration__event__organisation_id__in=organisation_ids)

    def has_module_permission(self, request):
        return may_edit(request)

    def has_view_permission(self, request, obj=None):
        organisation_ids = editable_organisations(request)
        if obj is None or organisation_ids is None:
            return may_edit(request)
        return obj.registration.event.organisation_id in organisation_ids

    @admin.display(description=_("email"))
    def email(self, payment):
        return payment.registration.email

    @admin.display(description=_("invoice (PDF)"))
    def invoice_pdf(self, payment):
        # The organisers' own way to the invoice: never through the attendee's page.
        if payment.method != Payment.Method.INVOICE or payment.invoice_number is None:
            return "—"
        url = reverse("admin:payments_payment_invoice", args=[payment.pk])
        return format_html(
            '<a href="{}" download>{}</a>',
            url,
            gettext("Download invoice %(number)s") % {"number": payment.invoice_number},
        )

    def get_urls(self):
        return [
            path(
                "<int:payment_id>/invoice/",
                self.admin_site.admin_view(self.invoice_view),
                name="payments_payment_invoice",
            ),
            *super().get_urls(),
        ]

    def invoice_view(self, request, payment_id):
        """The invoice of a payment by invoice, for the organisers of its event's
        organisation (the same PDF as the attendee's page gives them)."""
        payment = (
            self.get_queryset(request)
            .filter(pk=payment_id, method=Payment.Method.INVOICE, invoice_number__isnull=False)
            .select_related("registration__event__organisation", "registration__event__venue")
            .first()
        )
        if payment is None or not self.has_view_permission(request, payment):
            raise Http404
        response = HttpResponse(build_invoice(payment), content_type="application/pdf")
        filename = f"invoice-{payment.invoice_number}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return private_page(response)

    @admin.action(description=_("Mark the selected invoices paid"))
    def mark_paid(self, request, queryset):
        marked = skipped = 0
        for payment in queryset:
            if payment.method != Payment.Method.INVOICE:
                skipped += 1
            elif payments.mark_invoice_paid(payment=payment):
                self.log_change(
                    request, payment, gettext("Invoice marked paid from the back office.")
                )
                marked += 1
            else:
                skipped += 1
        if marked:
            self.message_user(
                request,
                ngettext(
                    "%(count)d invoice marked paid: its registration is confirmed.",
                    "%(count)d invoices marked paid: their registrations are confirmed.",
                    marked,
                )
                % {"count": marked},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d payment left as it was (not an invoice, or already paid).",
                    "%(count)d payments left as they were (not invoices, or already paid).",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.display(description=_("event"))
    def event(self, payment):
        return payment.registration.event
