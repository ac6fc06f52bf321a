"""What badges add to the outbox's emails (registered in badges/apps.py): a confirmation
carries the attendee's badge."""

from badges import render
from events.ics import build as ics
from registrations import services
from registrations.emails import EmailExtras
from registrations.models import OutgoingEmail


def badge_extras(email: OutgoingEmail, context: dict) -> EmailExtras | None:
    """The badge (PNG) a confirmation carries, shown in its HTML and attached, once the
    attendee has a badge (see services.shows_badge)."""
    if email.registration is None:
        return None
    if not services.shows_badge(registration=email.registration, payment=context.get("payment")):
        return None
    png = render.badge_png(email.registration)
    content_id = badge_content_id(email.registration)
    return EmailExtras(
        context={"badge_cid": content_id},
        attachments=[("badge.png", png, "image/png")],
        inline_images=[(content_id, png, "image/png")],
    )


def badge_content_id(registration) -> str:
    return f"badge-{registration.pk}@{ics.uid_domain()}"
