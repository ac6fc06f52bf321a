"""The registration call to action of the public event page."""

from django import template

from registrations.forms.registration import TicketOffer, registration_is_open, ticket_offers

register = template.Library()


@register.simple_tag
def public_ticket_offers(event) -> list[TicketOffer]:
    """The event's public tickets with their availability; [] when registration is closed or
    by invitation only. Usage: {% public_ticket_offers event as offers %}"""
    return ticket_offers(event) if registration_is_open(event) else []
