"""One invoice for several registrations: a hospital sending five agents, a university its
doctoral students. The organiser selects registrations of one event that await payment, and
one invoice is issued for all of them to one payer.

A registration may be in one of two states here: it awaits its group invoice already (its
payer chose "one invoice for our group" on the public form: a Payment on invoice, created,
with no invoice yet), or it awaits payment with no payment under way at all (registered by
the organiser, or by an attendee who has not chosen how to pay): the organiser then gives
the payer's details, which become the details of every payment the invoice covers.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.invoicing import invoicing_problems
from payments.invoicing import InvoicingError, issue_invoice
from payments.models import Invoice, Payment
from registrations.models import Registration

BILLING_FIELDS = (
    "billing_name",
    "billing_address",
    "billing_siret",
    "billing_service_code",
    "billing_email",
    "purchase_order_number",
)
# What tells one payer from another on the payments awaiting their group invoice.
PAYER_FIELDS = ("billing_name", "billing_siret", "purchase_order_number")


class GroupInvoiceError(InvoicingError):
    """The selection cannot be invoiced together; `field` names what is at fault
    ("registrations", "organisation" or a payer's detail)."""

    def __init__(self, message, field="registrations"):
        super().__init__(message)
        self.field = field


class BillingDetailsNeeded(GroupInvoiceError):
    """Some registrations have no payer's details yet (or the ones they have name different
    payers): the organiser must give the payer's details for the invoice."""

    def __init__(self, message, initial=None):
        super().__init__(message, field="billing_name")
        self.initial = initial or {}


def _open_payments(registrations) -> dict[int, list[Payment]]:
    by_registration: dict[int, list[Payment]] = {}
    open_payments = Payment.objects.filter(
        registration__in=registrations, status=Payment.Status.CREATED
    ).order_by("pk")
    for payment in open_payments:
        by_registration.setdefault(payment.registration_id, []).append(payment)
    return by_registration


def payer_details(payment: Payment) -> dict:
    return {name: getattr(payment, name) for name in BILLING_FIELDS}


def invoice_registrations(*, registrations, billing=None, now=None) -> Invoice:
    """Issue one invoice (emailed to the payer) for `registrations`: all of one event, each
    awaiting payment, either awaiting its group invoice or with no payment under way.
    `billing` (payments.services.BillingDetails), when given, is the payer's details for
    every payment covered; without it, those of the payments awaiting their invoice, which
    must then name one payer.

    Raises GroupInvoiceError (mixed events, a registration not awaiting an invoice, the
    organisation's legal details incomplete) or BillingDetailsNeeded, with nothing saved.
    Locks the registrations' rows, then (issue_invoice) the payments' rows and the
    organisation's invoice counter."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = list(
            Registration.objects.select_for_update(of=("self",))
            .select_related("event__organisation", "ticket_type")
            .filter(pk__in=[registration.pk for registration in registrations])
            .order_by("pk")
        )
        if not locked:
            raise GroupInvoiceError(_("Choose the registrations to invoice."))
        if len({registration.event_id for registration in locked}) > 1:
            raise GroupInvoiceError(
                _(
                    "One invoice covers the registrations of one event: select the "
                    "registrations of a single event."
                )
            )
        organisation = locked[0].event.organisation
        problems = invoicing_problems(organisation)
        if problems:
            raise GroupInvoiceError(
                _("Complete the organisation’s legal details first: %(problems)s")
                % {"problems": " ".join(str(problem) for problem in problems)},
                field="organisation",
            )
        open_payments = _open_payments(locked)
        awaiting, to_pay, refused = [], [], []
        for registration in locked:
            payments = open_payments.get(registration.pk, [])
            waiting = [
                payment
                for payment in payments
                if payment.method == Payment.Method.INVOICE and payment.invoice_id is None
            ]
            if (
                registration.status != Registration.Status.PENDING_PAYMENT
                or registration.ticket_type.is_free
            ):
                refused.append(registration)
            elif waiting:
                awaiting.append(waiting[0])
            elif payments:
                # Invoiced already, or a card checkout under way.
                refused.append(registration)
            else:
                to_pay.append(registration)
        if refused:
            raise GroupInvoiceError(
                _(
                    "Not awaiting an invoice: %(names)s. Select registrations awaiting "
                    "payment that have no invoice and no card payment under way."
                )
                % {"names": ", ".join(registration.full_name for registration in refused)}
            )
        if billing is None:
            payers = {tuple(getattr(p, name) for name in PAYER_FIELDS) for p in awaiting}
            if to_pay or len(payers) > 1:
                raise BillingDetailsNeeded(
                    _("Give the details of the body that pays this invoice."),
                    initial=payer_details(awaiting[0]) if awaiting else None,
                )
        else:
            details = {name: getattr(billing, name) for name in BILLING_FIELDS}
            Payment.objects.filter(pk__in=[payment.pk for payment in awaiting]).update(**details)
            awaiting.extend(
                Payment.objects.create(
                    registration=registration,
                    method=Payment.Method.INVOICE,
                    amount=registration.ticket_type.price,
                    currency=registration.ticket_type.currency.upper(),
                    created_at=now,
                    **details,
                )
                for registration in to_pay
            )
        return issue_invoice(payments=awaiting, now=now)
