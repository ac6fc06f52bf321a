from rest_framework import viewsets

from api.filters import TicketTypeFilter
from api.serializers.ticket_types import TicketTypeSerializer
from api.views.base import ApiViewMixin
from registrations.selectors import public_ticket_types


class TicketTypeViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The tickets of the public registration forms, with their availability now: public
    tickets of published events open to the public, until the event ends. Tickets given by
    invitation or by the organisers only are not listed."""

    serializer_class = TicketTypeSerializer
    filterset_class = TicketTypeFilter
    numeric_lookup = True

    def get_queryset(self):
        return public_ticket_types().order_by("event__start", "event_id", "position", "pk")
