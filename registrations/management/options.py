"""What the registrations commands share when they read their options."""

from django.core.management.base import CommandError

from events.models import Event


def event_by_slug(slug: str) -> Event:
    """The event an `--event <slug>` option names, or a CommandError that says there is none."""
    try:
        return Event.objects.get(slug=slug)
    except Event.DoesNotExist:
        raise CommandError(f"No event with the slug “{slug}”.") from None
