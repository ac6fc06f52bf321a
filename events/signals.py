"""Keep the calendar feeds' change stamps true (see events/feeds.py).

A feed answers 304 Not Modified while its stamp stays the same, so every write of something a
feed shows moves a stamp: `Event.programme_changed_at` for the event, its sessions, their
speakers, rooms, tracks and venue; `PartnerFeed.changed_at` for a partner feed's settings, its
shared events and its organisation's name. Each handler is a single UPDATE through a
queryset, which sends no signal (the event's own handler cannot recurse) and costs no read.

Each handler also forgets the feeds' validators kept in the shared cache
(events/feed_cache.py), so that the next poll reads the moved stamp.

Writes that send no signal (`QuerySet.update`, `bulk_create`) must move the stamp themselves,
or go with a save that does: events.services moves session sequences in bulk next to
`event.save()`. Session sign-ups need no signal: the agenda's stamp counts them.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from events.feed_cache import forget_feed_validators
from events.models import Event, PartnerFeed, Room, Session, SessionSpeaker, Track, Venue
from organisations.models import Organisation
from speakers.models import Speaker


def touch_events(events) -> None:
    """Move the change stamp of `events` (a queryset) to now."""
    forget_feed_validators()
    events.update(programme_changed_at=timezone.now())


def _event_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    forget_feed_validators()
    if raw or (update_fields is not None and set(update_fields) <= {"programme_changed_at"}):
        return
    instance.programme_changed_at = timezone.now()
    Event.objects.filter(pk=instance.pk).update(programme_changed_at=instance.programme_changed_at)


def _event_part_changed(sender, instance, raw=False, **kwargs):
    """A session, room or track: the event it belongs to."""
    if not raw:
        touch_events(Event.objects.filter(pk=instance.event_id))


def _venue_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        touch_events(Event.objects.filter(venue_id=instance.pk))


def _session_speaker_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        touch_events(Event.objects.filter(sessions__pk=instance.session_id))


def _speaker_changed(sender, instance, raw=False, **kwargs):
    """Every event where the speaker has a session (their name, title or affiliation show in
    its sessions' descriptions)."""
    if not raw:
        touch_events(Event.objects.filter(sessions__session_speakers__speaker_id=instance.pk))


def _partner_feed_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    forget_feed_validators()
    if raw or (update_fields is not None and set(update_fields) <= {"changed_at"}):
        return
    PartnerFeed.objects.filter(pk=instance.pk).update(changed_at=timezone.now())


def _organisation_saved(sender, instance, raw=False, **kwargs):
    """A partner feed is named after the organisation sharing it."""
    forget_feed_validators()
    if not raw:
        PartnerFeed.objects.filter(organisation_id=instance.pk).update(changed_at=timezone.now())


def _partner_feed_events_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Events shared or unshared, from either side: `feed.events.add(…)` or
    `event.partner_feeds.add(…)`."""
    if not reverse:
        feeds = PartnerFeed.objects.filter(pk=instance.pk) if action.startswith("post_") else None
    elif action == "pre_clear":
        # Once an event's feeds are cleared, none is left to find: take them before.
        feeds = PartnerFeed.objects.filter(events=instance)
    elif action in ("post_add", "post_remove"):
        feeds = PartnerFeed.objects.filter(pk__in=pk_set)
    else:
        feeds = None
    if feeds is not None:
        forget_feed_validators()
        feeds.update(changed_at=timezone.now())


def _feed_source_deleted(sender, **kwargs):
    """An event, a partner feed or an organisation gone: its feeds are not found any more."""
    forget_feed_validators()


def connect() -> None:
    """Called once, from EventsConfig.ready()."""

    def on_change(handler, model):
        name = model._meta.label_lower
        post_save.connect(handler, sender=model, dispatch_uid=f"feeds-{name}-saved")
        post_delete.connect(handler, sender=model, dispatch_uid=f"feeds-{name}-deleted")

    post_save.connect(_event_saved, sender=Event, dispatch_uid="feeds-event-saved")
    for model in (Session, Room, Track):
        on_change(_event_part_changed, model)
    on_change(_venue_changed, Venue)
    on_change(_session_speaker_changed, SessionSpeaker)
    on_change(_speaker_changed, Speaker)
    post_save.connect(_partner_feed_saved, sender=PartnerFeed, dispatch_uid="feeds-partner")
    post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="feeds-organisation")
    for model in (Event, PartnerFeed, Organisation):
        post_delete.connect(
            _feed_source_deleted,
            sender=model,
            dispatch_uid=f"feeds-{model._meta.label_lower}-deleted",
        )
    m2m_changed.connect(
        _partner_feed_events_changed,
        sender=PartnerFeed.events.through,
        dispatch_uid="feeds-partner-events",
    )
