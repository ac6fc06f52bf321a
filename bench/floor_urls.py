"""The floor of the check-in benchmark: the least a scan must cost on this stack.

A bare Django view behind the same middleware as every page, in the same gunicorn: it looks
the badge up by its token (the same unique index and the same join as the check-in service)
and inserts a CheckIn row, nothing else: no DRF, no authentication, no rule, no transaction
beyond the insert's own. `POST /bench/floor/` with `{"token", "nonce", "checkpoint"}`.
"""

import json

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as project_urlpatterns
from registrations.models import CheckIn, Registration


@csrf_exempt  # like DRF's views, which a scanner calls with a token rather than a session
@require_POST
def floor_check_in(request):
    data = json.loads(request.body)
    try:  # the check-in service's lookup (registrations.checkin._locked_registration)
        registration = Registration.objects.select_related("ticket_type").get(
            badge_token=data["token"]
        )
    except Registration.DoesNotExist:
        return JsonResponse({"result": "unknown"}, status=404)
    now = timezone.now()
    scan = CheckIn.objects.create(
        event_id=registration.event_id,
        checkpoint_id=data["checkpoint"],
        registration=registration,
        gate="floor",
        result=CheckIn.Result.OK,
        is_first_entry=True,
        scanned_at=now,
        received_at=now,
        nonce=data["nonce"],
    )
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
