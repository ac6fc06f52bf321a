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
from payments.models import Invoice, Payment
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
    search_fields = [
        "registration__email",
        "registration__last_name",
        "stripe_session_id",
        "invoice__number",
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
        "invoice",
        "credit_note",
        "billing_name",
        "billing_address",
        "billing_siret",
        "billing_service_code",
        "billing_email",
        "purchase_order_number",
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
    list_select_related = ["registration__event", "invoice"]

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
        if payment.invoice_id is None:
            return "—"
        url = reverse("admin:payments_invoice_pdf", args=[payment.invoice_id])
        return format_html(
            '<a href="{}" download>{}</a>',
            url,
            gettext("Download invoice %(number)s") % {"number": payment.invoice.number},
        )

    @admin.action(description=_("Mark the selected invoices paid"))
    def mark_paid(self, request, queryset):
        marked = skipped = 0
        selected = list(queryset.select_related("invoice"))
        invoices = {payment.invoice for payment in selected}
        for invoice in invoices:
            if invoice is None:
                skipped += 1
            elif payments.mark_invoice_paid(invoice=invoice):
                for payment in selected:
                    if payment.invoice == invoice:
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
                    "%(count)d invoice marked paid: its registrations are confirmed.",
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
                    "%(count)d payment left as it was (no invoice, or already paid).",
                    "%(count)d payments left as they were (no invoice, or already paid).",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.display(description=_("event"))
    def event(self, payment):
        return payment.registration.event


# --- Invoices and credit notes ---------------------------------------------------------------


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin, ScopedChoicesMixin, admin.ModelAdmin):
    """Invoices and credit notes as issued: read-only, their PDF as stored."""

    list_display = [
        "number",
        "kind",
        "buyer_name",
        "event",
        "status",
        "total_gross",
        "issued_at",
        "due_on",
        "paid_at",
        "pdf_link",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["event"]
    search_fields = ["number", "buyer_name", "purchase_order_number"]
    exclude = ["pdf", "data"]
    readonly_fields = [
        "organisation",
        "event",
        "kind",
        "number",
        "status",
        "credited_invoice",
        "issued_at",
        "due_on",
        "language",
        "currency",
        "total_net",
        "total_vat",
        "total_gross",
        "buyer_name",
        "buyer_email",
        "purchase_order_number",
        "regenerated_at_migration",
        "paid_at",
        "reminded_at",
        "pdf_link",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("pdf")
        organisation_ids = editable_organisations(request)
        if organisation_ids is None:
            return queryset
        return queryset.filter(organisation_id__in=organisation_ids)

    def has_module_permission(self, request):
        return may_edit(request)

    def has_view_permission(self, request, obj=None):
        organisation_ids = editable_organisations(request)
        if obj is None or organisation_ids is None:
            return may_edit(request)
        return obj.organisation_id in organisation_ids

    @admin.display(description=_("PDF"))
    def pdf_link(self, invoice):
        url = reverse("admin:payments_invoice_pdf", args=[invoice.pk])
        return format_html('<a href="{}" download>{}</a>', url, invoice.filename)

    def get_urls(self):
        return [
            path(
                "<int:invoice_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="payments_invoice_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, invoice_id):
        """The stored PDF of an invoice or credit note, for its organisation's organisers."""
        invoice = self.get_queryset(request).defer(None).filter(pk=invoice_id).first()
        if invoice is None or not self.has_view_permission(request, invoice):
            raise Http404
        response = HttpResponse(bytes(invoice.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.filename}"'
        return private_page(response)
