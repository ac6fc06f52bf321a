"""The registration call to action of the public event page."""

from django import template
from django.utils import timezone

from registrations import selectors
from registrations.forms import TicketOffer, registration_is_open

register = template.Library()


@register.simple_tag
def public_ticket_offers(event) -> list[TicketOffer]:
    """The event's public tickets with their availability, in one query; [] when registration
    is closed or by invitation only. Usage: {% public_ticket_offers event as offers %}"""
    if not registration_is_open(event):
        return []
    now = timezone.now()
    offers = []
    for ticket_type in (
        selectors.public_ticket_types().filter(event=event).order_by("position", "pk")
    ):
        if ticket_type.sale_end is not None and ticket_type.sale_end <= now:
            continue
        left = selectors.seats_left(ticket_type)
        offers.append(
            TicketOffer(
                ticket_type=ticket_type,
                seats_left=left,
                is_on_sale=ticket_type.is_on_sale(now),
                waiting_list=left == 0 and event.has_waiting_list,
            )
        )
    return offers
