"""Keep the attendee's agenda feed true (see events/feed_cache.py): a change of the
registration or of its sign-ups forgets the validators of that attendee's agenda only. And
email the programme's changes: events.services announces each (`programme_changed`), and the
update task is enqueued to run once they have settled.

Sign-ups written in bulk send no signal: they are made with the registration
(services.register_attendee), whose own save forgets the agenda once the transaction commits.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from events.feed_cache import forget_scope_validators
from events.services import programme_changed
from registrations.models import Registration, SessionSignup
from registrations.tasks import send_programme_updates


def agenda_scope(manage_token: str) -> str:
    return f"agenda:{manage_token}"


def _registration_changed(sender, instance, **kwargs):
    forget_scope_validators(agenda_scope(instance.manage_token))


def _signup_changed(sender, instance, **kwargs):
    tokens = Registration.objects.filter(pk=instance.registration_id).values_list(
        "manage_token", flat=True
    )
    for token in tokens:
        forget_scope_validators(agenda_scope(token))


def _programme_changed(sender, *, event_id: int, run_after, **kwargs):
    task = send_programme_updates
    # The database backend runs it once the delay is over; a backend that cannot wait (the
    # immediate one of development and tests) runs it now, and it finds nothing settled yet.
    if task.get_backend().supports_defer:
        delay = timedelta(seconds=settings.PROGRAMME_UPDATE_DELAY)
        task = task.using(run_after=run_after + delay)
    task.enqueue(event_id)


def connect() -> None:
    """Called once, from RegistrationsConfig.ready()."""
    for action, signal in (("saved", post_save), ("deleted", post_delete)):
        uid = f"agenda-registration-{action}"
        signal.connect(_registration_changed, sender=Registration, dispatch_uid=uid)
        uid = f"agenda-signup-{action}"
        signal.connect(_signup_changed, sender=SessionSignup, dispatch_uid=uid)
    programme_changed.connect(_programme_changed, dispatch_uid="programme-updates-enqueued")
