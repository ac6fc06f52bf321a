"""Partner feeds: the private calendar an organisation gives a partner (`/feeds/<token>/…`).

Rules: a feed belongs to one organisation and shares only that organisation's events; its
token is random (256 bits), shown to the organisers (who hand the address to the partner)
and revocable; a revoked feed answers like one that never existed. Every change of what a
feed shows moves its `changed_at`, part of the feed's ETag."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from common.text import check_text
from events.feed_cache import forget_feed_validators
from events.models import Event, PartnerFeed
from organisations.models import Organisation

NAME_MAX_LENGTH = PartnerFeed._meta.get_field("name").max_length


def create_partner_feed(
    *,
    organisation: Organisation,
    name: str,
    events: list[Event],
    includes_private_sessions: bool = False,
    created_by=None,
) -> PartnerFeed:
    """A new feed for a partner of `organisation`, sharing `events` (of that organisation).
    The caller has checked that the user may edit the organisation."""
    name = _clean_name(name)
    _check_events(organisation.pk, events)
    with transaction.atomic():
        feed = PartnerFeed.objects.create(
            organisation=organisation,
            name=name,
            includes_private_sessions=includes_private_sessions,
            created_by=created_by,
        )
        feed.events.set(events)
        audit.record(
            "partner_feed.create",
            feed,
            changes={"name": [None, feed.name], "events": [None, [str(e) for e in events]]},
        )
    return feed


def update_partner_feed(*, feed: PartnerFeed, data: dict) -> PartnerFeed:
    """Rename a feed, change its events or whether it shows sessions not public. Only the keys
    present in `data` (`name`, `events`, `includes_private_sessions`) change."""
    before = PartnerFeed.objects.filter(pk=feed.pk).first()
    before_events = [str(event) for event in before.events.all()] if before else []
    if "name" in data:
        feed.name = _clean_name(data["name"])
    if "includes_private_sessions" in data:
        feed.includes_private_sessions = bool(data["includes_private_sessions"])
    if "events" in data:
        _check_events(feed.organisation_id, data["events"])
    with transaction.atomic():
        feed.changed_at = timezone.now()
        feed.save()
        if "events" in data:
            feed.events.set(data["events"])
        changes = audit.field_changes(before, feed, ("name", "includes_private_sessions"))
        if "events" in data:
            after_events = [str(event) for event in data["events"]]
            if sorted(after_events) != sorted(before_events):
                changes["events"] = [before_events, after_events]
        audit.record("partner_feed.change", feed, changes=changes)
    return feed


def revoke_partner_feed(*, feed: PartnerFeed) -> PartnerFeed:
    """The feed's address stops working at once, for good. Revoking again changes nothing."""
    if feed.revoked_at is None:
        now = timezone.now()
        with transaction.atomic():
            revoked = PartnerFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
                revoked_at=now, changed_at=now
            )
            if revoked:
                audit.record("partner_feed.revoke", feed)
        forget_feed_validators()
        feed.refresh_from_db(fields=["revoked_at", "changed_at"])
    return feed


def _clean_name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the partner's name.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": _("At most %(count)d characters.") % {"count": NAME_MAX_LENGTH}}
        )
    try:
        check_text(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error
    return name


def _check_events(organisation_id: int, events) -> None:
    if any(event.organisation_id != organisation_id for event in events):
        raise ValidationError({"events": _("Share only events of the feed's organisation.")})
