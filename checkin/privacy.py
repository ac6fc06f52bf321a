"""The check-in part of a person's data (registrations/privacy.py), registered in
CheckinConfig.ready(). A scan holds no personal text of its own (the gate is the device's or
the staff member's name) but the reasons the door staff give when correcting it, blanked on
erasure: once the registration is anonymised, its scans are anonymous counts, kept as the
door's log. Attendance sheets and certificates are drawn from the registration, so an erased
person is on none."""

from audit import services as audit
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
                "annulled_at": scan.annulled_at.isoformat() if scan.annulled_at else None,
                # What the door staff wrote about the person when correcting the scan.
                "correction_reason": scan.annul_reason or scan.override_reason,
            }
            for scan in scans
        ]
    }


def erase_correction_reasons(erasure) -> None:
    """The reasons the door staff wrote when correcting the person's scans are free text that
    may name them: blanked, in the scans and in the trail's entries of the corrections (those
    entries alone: a reason such as "Erreur" says nothing of anyone else's entries). Who
    corrected what, and when, stays."""
    scans = CheckIn.objects.filter(registration_id__in=erasure.registration_ids).exclude(
        annul_reason="", override_reason=""
    )
    ids = list(scans.values_list("pk", flat=True))
    if ids:
        CheckIn.objects.filter(pk__in=ids).update(annul_reason="", override_reason="")
        audit.forget_fields(CheckIn, ["reason"], ids=ids)
