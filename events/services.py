"""Writes to the programme: sessions.

Services take and return model objects, validate with the models' own rules (so the API, the
back office and commands give the same messages) and raise `django.core.exceptions.
ValidationError` keyed by field name when the data is wrong."""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from events.models import Event, Session

# Fields an organiser may set on a session; translated texts come as `<name>_fr`/`<name>_en`.
SESSION_FIELDS = (
    "type",
    "title_fr",
    "title_en",
    "abstract_fr",
    "abstract_en",
    "room",
    "track",
    "start",
    "end",
    "status",
    "is_public",
    "capacity",
    "requires_signup",
)
# What attendees must hear of: a change to one of these makes calendars send an update.
SCHEDULE_FIELDS = ("start", "end", "room_id", "status")


def create_session(*, event: Event, data: dict) -> Session:
    """Add a session to `event`'s programme.

    `data` holds SESSION_FIELDS and optionally `speakers`, a list of `{"speaker": Speaker,
    "role": str}` (speakers of the event's organisation). The caller has checked that the user
    may edit `event`. Runs in one transaction: the session and its speakers, or nothing."""
    session = Session(event=event)
    _apply(session, data)
    _validate(session)
    with _integrity_errors_as_validation(session), transaction.atomic():
        session.save()
        if data.get("speakers") is not None:
            _set_speakers(session, data["speakers"])
    return session


def update_session(*, session: Session, data: dict) -> Session:
    """Change a session. Only the keys present in `data` change.

    `sequence` grows by one when the start, the end, the room or the status changes, so that
    calendars replace the attendees' copy (RFC 5545). Locks the session's row while comparing
    with what is stored, so two concurrent moves give two increments."""
    _apply(session, data)
    _validate(session)
    with _integrity_errors_as_validation(session), transaction.atomic():
        stored = Session.objects.select_for_update().get(pk=session.pk)
        if any(getattr(stored, field) != getattr(session, field) for field in SCHEDULE_FIELDS):
            session.sequence = stored.sequence + 1
        else:
            session.sequence = stored.sequence
        session.save()
        if data.get("speakers") is not None:
            _set_speakers(session, data["speakers"])
    return session


def delete_session(*, session: Session) -> None:
    """Remove a session and its speaker roles. The caller has checked the user's rights."""
    with transaction.atomic():
        session.delete()


def _apply(session: Session, data: dict) -> None:
    for field in SESSION_FIELDS:
        if field in data:
            setattr(session, field, data[field])


def _validate(session: Session) -> None:
    # Model validation holds the rules (end after start, within the event, room and track of
    # the event); `exclude` skips the columns the caller never sets.
    session.full_clean(exclude=["event", "sequence"])


def _set_speakers(session: Session, links: list[dict]) -> None:
    from speakers.services import set_session_speakers

    set_session_speakers(session=session, links=links)


@contextmanager
def _integrity_errors_as_validation(session: Session):
    """The database's constraints and triggers back the model's rules; when a concurrent change
    slips past validation, they refuse the write. Turn that refusal into a field error."""
    try:
        yield
    except IntegrityError as error:
        raise ValidationError(integrity_error_messages(error, session)) from error


def integrity_error_messages(error: IntegrityError, session: Session | None = None) -> dict:
    text = str(error)
    if "session_within_event" in text and session is not None:
        event = Event.objects.get(pk=session.event_id)
        return {
            "start": [
                _("The session must take place during the event (from %(start)s to %(end)s).")
                % {"start": _local(event.start, event), "end": _local(event.end, event)}
            ]
        }
    if "end_after_start" in text:
        return {"end": [_("The end must be after the start.")]}
    return {NON_FIELD_ERRORS: [_("This change conflicts with other data. Reload and try again.")]}


def _local(moment, event) -> str:
    return moment.astimezone(event.zone).strftime("%d/%m/%Y %H:%M")
