"""Reads of the door's log for the other apps' pages and the API."""

from django.db.models import OuterRef, QuerySet, Subquery

from checkin.models import CheckIn
from registrations.models import Registration


def with_arrival(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Annotate `checked_in_at`: when the person was first admitted at the event's entrance
    (None if not yet), on the first day they came."""
    first_entry = (
        CheckIn.objects.filter(
            registration=OuterRef("pk"), checkpoint__session__isnull=True, is_first_entry=True
        )
        .order_by("scanned_at")
        .values("scanned_at")[:1]
    )
    return queryset.annotate(checked_in_at=Subquery(first_entry))
