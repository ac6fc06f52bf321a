"""The floor of the check-in benchmark: the least a scan must cost on this stack.

A bare Django view behind the same middleware as every page, in the same gunicorn: it looks
the badge up by its token and inserts a CheckIn row with the check-in service's own two
statements (checkin.services.find_badge and record_scan: the same query by the same
unique index, the same insert), nothing else: no DRF, no authentication, no rule, no answer
beyond the id. `POST /bench/floor/` with `{"token", "nonce", "checkpoint"}`.
"""

import json

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from checkin.models import CheckIn, attendance_day
from checkin.services import find_badge, record_scan
from config.urls import urlpatterns as project_urlpatterns


@csrf_exempt  # like DRF's views, which a scanner calls with a token rather than a session
@require_POST
def floor_check_in(request):
    data = json.loads(request.body)
    now = timezone.now()
    # The benchmark's events are in the site's time zone: no query to learn theirs.
    day = attendance_day(now, timezone.get_default_timezone())
    registration = find_badge(token=data["token"])
    if registration is None:
        return JsonResponse({"result": "unknown"}, status=404)
    scan = CheckIn(
        event_id=registration.event_id,
        checkpoint_id=data["checkpoint"],
        registration=registration,
        gate="floor",
        result=CheckIn.Result.OK,
        is_first_entry=True,
        scanned_at=now,
        attendance_day=day,
        received_at=now,
        nonce=data["nonce"],
    )
    record_scan(scan)
    return JsonResponse(
        {
            "result": scan.result,
            "checkin": scan.pk,
            "attendee": {
                "registration": registration.pk,
                "name": registration.full_name,
                "category": registration.ticket_type.category,
            },
        }
    )


urlpatterns = [path("bench/floor/", floor_check_in), *project_urlpatterns]
