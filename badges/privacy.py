"""The badges' part of an erasure (registrations/privacy.py), registered in
BadgesConfig.ready(): the badge sheets built for the person's events print their name, so
they are deleted (organisers build them again, without the person). A badge itself is drawn
on demand from the registration and its token, which the erasure replaces."""

from badges.models import BadgeSheet


def erase_badge_sheets(erasure) -> None:
    event_ids = {registration.event_id for registration in erasure.registrations}
    BadgeSheet.objects.filter(event_id__in=event_ids).delete()
