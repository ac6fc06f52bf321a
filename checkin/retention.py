"""The check-in records' retention (registrations/retention.py), registered in
CheckinConfig.ready(): an event's scans are deleted once its period after the event's end is
over. The registrations they were of are erased by their own category; the counts remain as
the anonymous registration rows."""

from datetime import datetime

from audit import services as audit
from checkin.models import CheckIn
from events.models import Event
from registrations.retention import Category, Due, add_months


def find_checkins(event: Event, months: int, now: datetime) -> Due | None:
    ended = add_months(event.end, months)
    if ended > now:
        return None
    scans = list(CheckIn.objects.filter(event=event).order_by("pk").values_list("pk", flat=True))
    if not scans:
        return None
    return Due(event, "checkins", ended, {"checkins": scans})


def delete_checkins(due: Due) -> None:
    # The trail's entries of the corrections outlive the scans: the reasons written in them,
    # which may name the person, go with the scans.
    audit.forget_fields(CheckIn, ["reason"], event=due.event)
    CheckIn.objects.filter(pk__in=due.ids["checkins"]).delete()


CATEGORY = Category("checkins", find_checkins, delete_checkins)
