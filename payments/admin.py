"""Back office of payments: card payments as Stripe reported them, invoices (their PDF, marking
them paid, the totals of an event, the sales journal and the ZIP of an event's documents) and
the Stripe events received. Scoped like the rest (organisations/admin.py)."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from events.models import Event
from organisations.admin import (
    ReadOnlyAdmin,
    ScopedChoicesMixin,
    editable_organisations,
    may_edit,
    scope_queryset,
)
from payments import journal, selectors
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

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class JournalForm(forms.Form):
    event = forms.ModelChoiceField(
        label=_("event"),
        queryset=Event.objects.none(),
        required=False,
        help_text=_("Leave empty for the documents of every event."),
    )
    start = forms.DateField(label=_("issued from"), required=False, widget=AdminDateWidget)
    end = forms.DateField(label=_("issued until"), required=False, widget=AdminDateWidget)
    format = forms.ChoiceField(
        label=_("format"),
        choices=[
            ("csv", _("CSV (separated by “;”, decimal commas in French)")),
            ("xlsx", _("Excel workbook (XLSX)")),
            ("zip", _("ZIP: every PDF of the event and the journal (CSV)")),
        ],
        initial="csv",
    )

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if start and end and end < start:
            self.add_error("end", gettext("The end of the period comes before its start."))
        if cleaned_data.get("format") == "zip" and not cleaned_data.get("event"):
            self.add_error("event", gettext("Choose the event whose documents go in the ZIP."))
        return cleaned_data


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
    list_filter = ["event", "status", "kind"]
    list_select_related = ["event"]
    search_fields = [
        "number",
        "buyer_name",
        "buyer_email",
        "purchase_order_number",
        "credited_invoice__number",
    ]
    change_list_template = "admin/payments/invoice/change_list.html"
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

    def scoped_events(self, request):
        return scope_queryset(Event.objects.order_by("-start"), editable_organisations(request))

    def changelist_view(self, request, extra_context=None):
        """With the list filtered by event: that event's totals (invoiced, paid, credited,
        outstanding), from the same documents as its sales journal."""
        extra_context = extra_context or {}
        event_id = request.GET.get("event__id__exact", "")
        event = None
        if event_id.isdigit() and len(event_id) < 19:
            event = self.scoped_events(request).filter(pk=event_id).first()
        if event is not None:
            extra_context["totals_event"] = event
            extra_context["totals"] = selectors.invoice_totals(
                self.get_queryset(request).filter(event=event)
            )
        return super().changelist_view(request, extra_context=extra_context)

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
            path(
                "journal/",
                self.admin_site.admin_view(self.journal_view),
                name="payments_invoice_journal",
            ),
            *super().get_urls(),
        ]

    def journal_view(self, request):
        """The sales journal (CSV or XLSX) of the user's organisations' documents, for an
        event and/or a period, or the ZIP of an event's documents with their journal."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = JournalForm(
            request.GET if "format" in request.GET else None,
            initial={"event": request.GET.get("event")},
            events=self.scoped_events(request),
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            documents = journal.journal_documents(
                self.get_queryset(request),
                event=data["event"],
                start=data["start"],
                end=data["end"],
            )
            name = "-".join(
                [
                    gettext("sales-journal"),
                    data["event"].slug if data["event"] else gettext("all"),
                    timezone.localdate().isoformat(),
                ]
            )
            if data["format"] == "zip":
                content = journal.journal_zip(documents.defer(None))
                content_type = "application/zip"
            elif data["format"] == "xlsx":
                content = journal.journal_xlsx(journal.journal_lines(documents))
                content_type = XLSX
            else:
                content = journal.journal_csv(journal.journal_lines(documents))
                content_type = "text/csv; charset=utf-8"
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{name}.{data["format"]}"'
            return private_page(response)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Sales journal"),
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/payments/invoice/journal.html", context)

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
