""" "Issue one invoice for the selected registrations": the organiser groups the registrations of
one payer (a hospital sending five agents) into one invoice.

The action issues the invoice at once when every selected registration awaits its group
invoice with the same payer. Otherwise (registrations with no payment under way, or payers
that differ) it shows an intermediate page asking for the payer's details, prefilled with
those already given, and issues the invoice once they are sent. Every refusal (mixed events,
a registration not awaiting an invoice, the organisation's legal details incomplete, a bad
SIRET) is said in the page, with nothing saved."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.admin_pages import action_selection
from payments import group_invoices
from payments.services import clean_billing


class PayerForm(forms.Form):
    """The details of the body that pays the invoice, as the public form asks for them."""

    billing_name = forms.CharField(label=_("paying body"), max_length=200)
    billing_address = forms.CharField(
        label=_("billing address"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )
    billing_siret = forms.CharField(
        label=_("payer's SIRET"),
        max_length=20,
        required=False,
        help_text=_("14 digits; needed for an invoice deposited on Chorus Pro."),
    )
    billing_service_code = forms.CharField(
        label=_("Chorus Pro service code"), max_length=100, required=False
    )
    purchase_order_number = forms.CharField(
        label=_("purchase order or commitment number"), max_length=100, required=False
    )
    billing_email = forms.EmailField(
        label=_("payer's email"),
        required=False,
        help_text=_("Where the invoice is sent; the first attendee's address when empty."),
    )

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        try:
            self.billing = clean_billing(cleaned_data)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned_data


def _payer_page(modeladmin, request, queryset, form):
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": gettext("Who pays this invoice?"),
        "form": form,
        "registrations": queryset.select_related("ticket_type").order_by("last_name", "pk"),
        **action_selection(request, "issue_group_invoice"),
    }
    return TemplateResponse(request, "admin/registrations/registration/group_invoice.html", context)


@admin.action(
    description=_("Issue one invoice for the selected registrations"), permissions=["change"]
)
def issue_group_invoice(modeladmin, request, queryset):
    billing, form = None, None
    if "apply_payer" in request.POST:
        form = PayerForm(request.POST)
        if not form.is_valid():
            return _payer_page(modeladmin, request, queryset, form)
        billing = form.billing
    registrations = list(queryset)
    try:
        invoice = group_invoices.invoice_registrations(registrations=registrations, billing=billing)
    except group_invoices.BillingDetailsNeeded as error:
        return _payer_page(modeladmin, request, queryset, PayerForm(initial=error.initial))
    except group_invoices.GroupInvoiceError as error:
        if form is not None and error.field in form.fields:
            form.add_error(error.field, error.message)
            return _payer_page(modeladmin, request, queryset, form)
        modeladmin.message_user(request, error.message, messages.ERROR)
        return None
    for registration in registrations:
        modeladmin.log_change(
            request,
            registration,
            gettext("Invoice %(number)s issued from the back office.") % {"number": invoice},
        )
    modeladmin.message_user(
        request,
        ngettext(
            "Invoice %(number)s issued for %(count)d registration (%(amount)s %(currency)s) "
            "and emailed to the payer.",
            "Invoice %(number)s issued for %(count)d registrations (%(amount)s %(currency)s) "
            "and emailed to the payer.",
            len(registrations),
        )
        % {
            "number": invoice.number,
            "count": len(registrations),
            "amount": number_format(invoice.total_gross, 2),
            "currency": invoice.currency,
        },
        messages.SUCCESS,
    )
    return None
