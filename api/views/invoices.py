from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.filters import InvoiceFilter
from api.schema import NOT_AUTHENTICATED, NOT_FOUND
from api.serializers.invoices import InvoiceCreateSerializer, InvoiceSerializer
from api.throttling import WriteRateThrottle
from api.views.base import ApiViewMixin
from api.views.registrations import FORBIDDEN, IsOrganiser, OrganiserSchema
from payments import group_invoices, selectors
from payments import services as payments
from payments.group_invoices import BILLING_FIELDS
from payments.models import Invoice
from payments.services import clean_billing
from registrations.http import private_page
from registrations.selectors import managed_registrations


class InvoiceViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Invoices and credit notes of the events of your organisations (owners and organisers
    only): list, filter by event, state and kind, read, download the stored PDF, and issue one
    invoice for several registrations."""

    schema = OrganiserSchema()
    serializer_class = InvoiceSerializer
    read_serializer_class = InvoiceSerializer
    permission_classes = [IsOrganiser]
    throttle_classes = [WriteRateThrottle]
    parser_classes = [JSONParser]
    filterset_class = InvoiceFilter
    numeric_lookup = True

    def get_queryset(self):
        return selectors.managed_invoices(self.request.user).order_by("-issued_at", "-pk")

    def get_serializer_class(self):
        if self.action == "create":
            return InvoiceCreateSerializer
        return InvoiceSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        wanted = set(data["registrations"])
        registrations = list(managed_registrations(request.user).filter(pk__in=wanted))
        missing = sorted(wanted - {registration.pk for registration in registrations})
        if missing:
            # Another organisation's registration is as unknown as one that does not exist.
            raise exceptions.ValidationError(
                {
                    "registrations": [
                        _("No registration of your events has the id %(ids)s.")
                        % {"ids": ", ".join(str(pk) for pk in missing)}
                    ]
                }
            )
        given = {name: data.get(name, "") for name in BILLING_FIELDS}
        billing = clean_billing(given) if any(value.strip() for value in given.values()) else None
        try:
            invoice = group_invoices.invoice_registrations(
                registrations=registrations, billing=billing
            )
        except group_invoices.GroupInvoiceError as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from error
        return Response(self._read(invoice), status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The PDF as issued (Factur-X)."
            ),
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        }
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, *args, **kwargs):
        """The stored PDF of the invoice or credit note: the same bytes the payer received,
        never drawn again."""
        invoice = self.get_object()
        # get_object found it among the user's invoices; now its bytes alone.
        content = Invoice.objects.filter(pk=invoice.pk).values_list("pdf", flat=True).get()
        response = HttpResponse(bytes(content), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.filename}"'
        return private_page(response)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        """Cancel an unpaid invoice by a credit note, emailed to the payer: it credits all that
        remains of the invoice (every registration it covers). Those still awaiting payment
        keep their seats, each with a fresh payment on invoice with the same payer details,
        awaiting the corrected invoice (`POST /api/v1/invoices/`). A paid invoice, a credit
        note or an invoice already cancelled is refused (400)."""
        invoice = self.get_object()
        try:
            payments.cancel_invoice(invoice=invoice)
        except payments.PaymentError as error:
            raise exceptions.ValidationError({"detail": error.message}) from error
        return Response(self._read(invoice))

    def _read(self, invoice):
        fresh = self.get_queryset().get(pk=invoice.pk)
        return self.read_serializer_class(fresh, context=self.get_serializer_context()).data
