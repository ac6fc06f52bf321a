from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.filters import MAX_ID
from api.serializers.registrations import attendee_text
from api.serializers.ticket_types import OptionalEventTimeField
from payments.models import Invoice

# At most this many registrations on one invoice sent through the API.
MAX_REGISTRATIONS = 500


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice or credit note as issued, for its organisation's organisers.

    `kind` is `invoice` or `credit_note`; `status` is `issued`, `paid`, `partially_credited`
    or `credited` (cancelled by credit note); a credit note names the invoice it credits in
    `credited_invoice` (its number). Amounts are decimal strings in `currency`, the gross
    including VAT. `registrations` lists the ids of the registrations it covers. `pdf` is the
    address of the stored PDF (Factur-X), the same bytes the payer received. Times have the
    offset of the event's time zone; `due_on` is a date."""

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    credited_invoice = serializers.SlugRelatedField(slug_field="number", read_only=True)
    issued_at = OptionalEventTimeField("issued_at")
    paid_at = OptionalEventTimeField("paid_at")
    registrations = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "event",
            "credited_invoice",
            "issued_at",
            "due_on",
            "currency",
            "total_net",
            "total_vat",
            "total_gross",
            "buyer_name",
            "buyer_email",
            "purchase_order_number",
            "paid_at",
            "registrations",
            "pdf",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_registrations(self, invoice) -> list[int]:
        # From the frozen data: no query per invoice.
        return [
            registration_id
            for line in invoice.data.get("lines", [])
            for registration_id in line.get("registration_ids", [])
        ]

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_pdf(self, invoice) -> str:
        path = reverse("api:invoice-pdf", kwargs={"pk": invoice.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class InvoiceCreateSerializer(serializers.Serializer):
    """What an organiser sends to issue one invoice for several registrations of one event
    (a hospital sending five agents), emailed to the payer.

    `registrations` lists the ids of registrations awaiting payment: each either awaits its
    group invoice (the payer chose it on the registration form) or has no payment under way.
    The payer's details are those printed on the invoice: `billing_name` and
    `billing_address` are required unless every registration already awaits its group
    invoice with the same payer; `billing_siret` (14 digits, checked) goes with a Chorus Pro
    `billing_service_code`; `purchase_order_number` is the order or commitment number;
    `billing_email` receives the invoice (the first attendee's address otherwise). An
    organisation whose legal and bank details are incomplete cannot invoice: 400 under
    `organisation`."""

    registrations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=MAX_REGISTRATIONS,
    )
    billing_name = attendee_text()
    billing_address = attendee_text()
    billing_siret = attendee_text()
    billing_service_code = attendee_text()
    purchase_order_number = attendee_text()
    billing_email = attendee_text()
