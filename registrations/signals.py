"""Keep the attendee's agenda feed true (see events/feed_cache.py): a change of the
registration or of its sign-ups forgets the validators of that attendee's agenda only.

Sign-ups written in bulk send no signal: they are made with the registration
(services.register_attendee), whose own save forgets the agenda once the transaction commits.
"""

from django.db.models.signals import post_delete, post_save

from events.feed_cache import forget_scope_validators
from registrations.models import Registration, SessionSignup


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


def connect() -> None:
    """Called once, from RegistrationsConfig.ready()."""
    for action, signal in (("saved", post_save), ("deleted", post_delete)):
        uid = f"agenda-registration-{action}"
        signal.connect(_registration_changed, sender=Registration, dispatch_uid=uid)
        uid = f"agenda-signup-{action}"
        signal.connect(_signup_changed, sender=SessionSignup, dispatch_uid=uid)
