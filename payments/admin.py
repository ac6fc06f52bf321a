"""Back office of payments: card payments as Stripe reported them, invoices (their PDF, marking
them paid) and the Stripe events received. Scoped like the rest (organisations/admin.py)."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
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
from payments.invoicing import (
    InvoicingError,
    clean_credit_amount,
    credit_invoice,
    uncredited_amount,
)
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
    """Invoices and credit notes as issued: read-only, their PDF as stored. An organiser
    cancels an unpaid invoice by a credit note (to issue a corrected one), or credits part of
    an invoice by amount (a partial refund)."""

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
    actions = ["cancel_invoices"]
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
        "credit_link",
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

    @admin.display(description=_("partial credit"))
    def credit_link(self, invoice):
        if invoice.kind != Invoice.Kind.INVOICE or invoice.status == Invoice.Status.CREDITED:
            return "—"
        url = reverse("admin:payments_invoice_credit", args=[invoice.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Credit part of this invoice"))

    @admin.action(description=_("Cancel the selected invoices by a credit note"))
    def cancel_invoices(self, request, queryset):
        """Credit all that remains of each unpaid invoice selected; its registrations stay
        awaiting payment, each with a fresh payment on invoice (same payer) to invoice again."""
        cancelled = 0
        for invoice in queryset.order_by("pk"):
            try:
                credit_note = payments.cancel_invoice(invoice=invoice)
            except payments.PaymentError as error:
                self.message_user(request, error.message, messages.WARNING)
                continue
            self.log_change(
                request,
                invoice,
                gettext("Invoice cancelled by credit note %(number)s.")
                % {"number": credit_note.number},
            )
            cancelled += 1
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "%(count)d invoice cancelled by a credit note: its registrations await "
                    "a corrected invoice.",
                    "%(count)d invoices cancelled by credit notes: their registrations await "
                    "corrected invoices.",
                    cancelled,
                )
                % {"count": cancelled},
                messages.SUCCESS,
            )

    def get_urls(self):
        return [
            path(
                "<int:invoice_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="payments_invoice_pdf",
            ),
            path(
                "<int:invoice_id>/credit/",
                self.admin_site.admin_view(self.credit_view),
                name="payments_invoice_credit",
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

    def credit_view(self, request, invoice_id):
        """Credit part of an invoice by amount (a partial refund, keeping a cancellation fee):
        one credit note, at most what remains uncredited."""
        invoice = self.get_queryset(request).defer(None).filter(pk=invoice_id).first()
        if (
            invoice is None
            or invoice.kind != Invoice.Kind.INVOICE
            or not self.has_view_permission(request, invoice)
        ):
            raise Http404
        form = PartialCreditForm(request.POST or None, invoice=invoice)
        if request.method == "POST" and form.is_valid():
            try:
                credit_note = credit_invoice(invoice=invoice, amount=form.cleaned_data["amount"])
            except InvoicingError as error:
                form.add_error("amount", error.message)
            else:
                self.log_change(
                    request,
                    invoice,
                    gettext("Partial credit note %(number)s of %(amount)s %(currency)s.")
                    % {
                        "number": credit_note.number,
                        "amount": credit_note.total_gross,
                        "currency": credit_note.currency,
                    },
                )
                self.message_user(
                    request,
                    gettext("Credit note %(number)s issued and emailed to the payer.")
                    % {"number": credit_note.number},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:payments_invoice_change", args=[invoice.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Credit part of invoice %(number)s") % {"number": invoice.number},
            "original": invoice,
            "remaining": form.remaining,
            "form": form,
        }
        return TemplateResponse(request, "admin/payments/invoice/credit.html", context)


class PartialCreditForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to credit, including VAT"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("What goes back to the payer; what you keep stays invoiced."),
    )

    def __init__(self, *args, invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.remaining = uncredited_amount(invoice)

    def clean_amount(self):
        try:
            return clean_credit_amount(self.invoice, self.cleaned_data["amount"])
        except InvoicingError as error:
            raise forms.ValidationError(error.message) from error
