"""What an attendee does and receives, shared by the form, manage page and email tests."""

import html
import re
from datetime import datetime

from django.core import mail
from icalendar import Calendar

from tests.factories import PARIS, TicketTypeFactory

# The colloquium's real start: Thursday 20 May 2027, 08:30 in Paris (CEST), 06:30 UTC.
COLLOQUIUM_START = datetime(2027, 5, 20, 8, 30, tzinfo=PARIS)


def colloquium_ticket(**fields):
    """A free ticket for a colloquium in Lyon with a contact address."""
    fields.setdefault("event__slug", "protection-sociale")
    fields.setdefault("event__title_fr", "Protection sociale et territoires")
    fields.setdefault("event__title_en", "Social protection and territories")
    fields.setdefault("event__start", COLLOQUIUM_START)
    fields.setdefault("event__contact_email", "colloque@example.org")
    fields.setdefault("event__organisation__name", "Chaire Protection sociale et territoires")
    fields.setdefault("name_fr", "Professionnel")
    fields.setdefault("name_en", "Professional")
    return TicketTypeFactory(**fields)


def form_data(ticket, **overrides) -> dict:
    data = {
        "first_name": "Camille",
        "last_name": "Durand",
        "email": "camille.durand@example.org",
        "organisation": "CPAM du Rhône",
        "job_title": "Chargée de mission",
        "ticket_type": str(ticket.pk),
        "consent_processing": "on",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def register_url(event, language: str = "fr") -> str:
    prefix = "" if language == "fr" else f"/{language}"
    return f"{prefix}/events/{event.slug}/register/"


def calendar_attached(message) -> Calendar:
    """The calendar invitation attached to an email, parsed back with icalendar."""
    return Calendar.from_ical(ics_attached(message))


def ics_attached(message) -> bytes:
    invites = [
        content
        for filename, content, mimetype in message.attachments
        if filename == "invitation.ics" and mimetype.startswith("text/calendar")
    ]
    assert len(invites) == 1, message.attachments
    return invites[0] if isinstance(invites[0], bytes) else invites[0].encode()


def html_part(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def link_in(text: str, path: str) -> str:
    """The one link of `text` whose path starts with `path`, as a path for the test client."""
    links = set(re.findall(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s\"<]*)", text))
    assert len(links) == 1, (path, text)
    return links.pop()


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def page_text(response) -> str:
    """The page's HTML with entities decoded (Django escapes the apostrophes of French)."""
    return html.unescape(response.content.decode())
