"""Badge sheets: ordering one, whose PDF a background task builds (badges/sheets.py)."""

from django.db import transaction
from django.utils.translation import gettext as _

from badges import tasks
from badges.models import BadgeSheet
from events.models import Event
from registrations.services import RegistrationError, badge_holders


def queue_badge_sheet(*, event: Event, layout: str, user=None, language: str = "fr"):
    """Record a sheet of `event`'s badges and enqueue its building, in the caller's
    transaction: the task's row commits, or rolls back, with the sheet's. Raises
    RegistrationError when no registration of the event has a badge yet."""
    total = badge_holders(event=event).count()
    if not total:
        raise RegistrationError(
            _(
                "No registration of this event has a badge yet: badges are printed for "
                "confirmed registrations and those awaiting payment."
            ),
            field="event",
        )
    with transaction.atomic():
        sheet = BadgeSheet.objects.create(
            event=event, layout=layout, total=total, created_by=user, language=language
        )
        tasks.build_badge_sheet.enqueue(sheet.pk)
    return sheet
