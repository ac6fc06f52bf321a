"""The check-in part of a person's data (registrations/privacy.py), registered in
CheckinConfig.ready(). A scan holds no personal text of its own (the gate is the device's or
the staff member's name): once the registration is anonymised, its scans are anonymous counts,
kept as the door's log. Attendance sheets and certificates are drawn from the registration,
so an erased person is on none."""

from checkin.models import CheckIn


def person_checkins(subject) -> dict[str, list[dict]]:
    scans = (
        CheckIn.objects.filter(registration_id__in=subject.registration_ids)
        .select_related("checkpoint", "event")
        .order_by("scanned_at", "pk")
    )
    return {
        "checkins": [
            {
                "event": scan.event.title,
                "checkpoint": scan.checkpoint.name,
                "scanned_at": scan.scanned_at.isoformat(),
                "direction": scan.get_direction_display(),
                "result": scan.get_result_display(),
            }
            for scan in scans
        ]
    }
