from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.fields import BilingualField
from registrations.models import TicketType
from registrations.selectors import seats_left


@extend_schema_field({**{"type": "string", "format": "date-time"}, "nullable": True})
class OptionalEventTimeField(serializers.Field):
    """An ISO 8601 time with the offset of the event's time zone, or null."""

    def __init__(self, attribute: str, event_path: str = "event", **kwargs):
        self.attribute = attribute
        self.event_path = event_path
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance):
        moment = getattr(instance, self.attribute)
        if moment is None:
            return None
        event = instance
        for part in self.event_path.split(".") if self.event_path else ():
            event = getattr(event, part)
        return moment.astimezone(event.zone).isoformat()


class TicketTypeSerializer(serializers.ModelSerializer):
    """A ticket of an event's public registration form, with its availability now.

    `name` and `description` are bilingual (`{"fr": "…", "en": "…"}`). `price` is a decimal
    string ("0.00" for a free ticket) in `currency`, VAT included; `vat_rate` is the VAT rate in
    percent ("20.00"; "0.00" when the organisation is not subject to VAT). `sale_start` and
    `sale_end` bound the sale (null: no bound), with the offset of the event's time zone;
    `is_on_sale` says whether the ticket can be taken now. `seats_left` is the number of seats
    still free for this ticket, counting the event's own capacity too (null: no limit); it is a
    snapshot, the seat is only taken at registration. `has_waiting_list`: when no seat is left,
    a registration joins the event's waiting list instead of being refused."""

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name = BilingualField("name")
    description = BilingualField("description")
    sale_start = OptionalEventTimeField("sale_start")
    sale_end = OptionalEventTimeField("sale_end")
    vat_rate = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True)
    is_on_sale = serializers.SerializerMethodField()
    seats_left = serializers.SerializerMethodField()
    has_waiting_list = serializers.BooleanField(source="event.has_waiting_list", read_only=True)

    class Meta:
        model = TicketType
        fields = [
            "id",
            "event",
            "category",
            "name",
            "description",
            "price",
            "currency",
            "vat_rate",
            "sale_start",
            "sale_end",
            "is_on_sale",
            "seats_left",
            "has_waiting_list",
        ]
        read_only_fields = fields

    def get_is_on_sale(self, ticket_type) -> bool:
        return ticket_type.is_on_sale()

    @extend_schema_field({**{"type": "integer", "minimum": 0}, "nullable": True})
    def get_seats_left(self, ticket_type) -> int | None:
        return seats_left(ticket_type)
