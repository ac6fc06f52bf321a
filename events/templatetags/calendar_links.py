"""Links to follow a calendar feed: subscribe, Google Calendar, Outlook, download."""

from urllib.parse import quote, urlencode

from django import template
from django.urls import reverse

register = template.Library()


def feed_links(address: str, name: str) -> dict[str, str]:
    """The ways to follow the feed at `address` (absolute): the address itself (a download),
    the webcal:// address calendar applications subscribe to, and Google Calendar's and
    Outlook's pages adding it. Plain links: nothing of theirs is loaded."""
    webcal = "webcal://" + address.split("://", 1)[-1]
    return {
        "ics": address,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": address, "name": name}, quote_via=quote),
    }


@register.inclusion_tag("events/_calendar_links.html", takes_context=True)
def calendar_links(context, url_name: str, name: str, **kwargs) -> dict:
    """Usage: {% calendar_links "events:calendar" event.title slug=event.slug %}; the feed's
    address is on the page's own host, in the page's language, like the API gives it."""
    path = reverse(url_name, kwargs=kwargs)
    return {"links": feed_links(context["request"].build_absolute_uri(path), name)}
