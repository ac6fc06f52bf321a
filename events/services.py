"""Writes to the programme: sessions, and the event's date, place and status.

Services take and return model objects, validate with the models' own rules (so the API, the
back office and commands give the same messages) and raise `django.core.exceptions.
ValidationError` keyed by field name when the data is wrong.

A change attendees must hear of (a session moved, cancelled, reinstated or deleted; the event
moved or cancelled) makes the calendars' SEQUENCE grow and is recorded as a `ProgrammeChange`
in the same transaction, with a task that emails the people concerned once the changes have
settled (`registrations.programme_updates`). Changes of a draft event are not recorded: nothing
of it was announced."""

from contextlib import contextmanager
from datetime import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from events.changes import bilingual, change_kind, event_state, session_state
from events.models import Event, ProgrammeChange, Session, SessionSpeaker

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
# What the audit trail shows of a session's or an event's change (before → after).
AUDITED_SESSION_FIELDS = (
    *(name for name in SESSION_FIELDS if name not in ("abstract_fr", "abstract_en")),
    "abstract",
)
AUDITED_EVENT_FIELDS = (
    "title",
    "start",
    "end",
    "venue",
    "status",
    "capacity",
    "retention_registrations_months",
    "retention_checkins_months",
    "retention_emails_months",
    "retention_unpaid_months",
)
# What attendees must hear of: a change to one of these makes calendars send an update.
SCHEDULE_FIELDS = ("start", "end", "room_id", "status")
# The same for the event itself; of its status, only cancelling it or taking that back counts.
EVENT_SCHEDULE_FIELDS = ("start", "end", "venue_id")


def create_session(*, event: Event, data: dict, session: Session | None = None) -> Session:
    """Add a session to `event`'s programme.

    `data` holds SESSION_FIELDS and optionally `speakers`, a list of `{"speaker": Speaker,
    "role": str}` (speakers of the event's organisation); `session`, a new one a form has
    already filled in (the back office's), saved as it is with `data` applied. The caller has
    checked that the user may edit `event`. Runs in one transaction: the session and its
    speakers, or nothing."""
    session = session if session is not None else Session()
    session.event = event
    _apply(session, data)
    _validate(session)
    with _integrity_errors_as_validation(session), transaction.atomic():
        session.save()
        if data.get("speakers") is not None:
            _set_speakers(session, data["speakers"])
        audit.record(
            "session.create",
            session,
            changes=audit.field_changes(None, session, AUDITED_SESSION_FIELDS),
            event=event,
        )
    return session


def update_session(*, session: Session, data: dict) -> Session:
    """Change a session. Only the keys present in `data` change.

    `sequence` grows by one when the start, the end, the room or the status changes, so that
    calendars replace the attendees' copy (RFC 5545), and the change is recorded for the
    event's log and the update emails. Locks the session's row while comparing with what is
    stored, so two concurrent moves give two increments and two records."""
    _apply(session, data)
    _validate(session)
    with _integrity_errors_as_validation(session), transaction.atomic():
        stored = (
            Session.objects.select_for_update(of=("self",))
            .select_related("room", "event")
            .get(pk=session.pk)
        )
        moved = any(getattr(stored, field) != getattr(session, field) for field in SCHEDULE_FIELDS)
        session.sequence = stored.sequence + 1 if moved else stored.sequence
        session.save()
        audit.record(
            "session.change",
            session,
            changes=audit.field_changes(stored, session, AUDITED_SESSION_FIELDS),
            event=stored.event,
        )
        if moved:
            _record_change(
                event=stored.event,
                session=session,
                before=session_state(stored),
                after=session_state(session),
            )
        if data.get("speakers") is not None:
            _set_speakers(session, data["speakers"])
    return session


def delete_session(*, session: Session) -> None:
    """Remove a session and its speaker roles. The caller has checked the user's rights.

    For the people who held it, a deleted session is a cancelled one: the change is recorded
    with who held it (their sign-ups and roles are deleted with the session) and the calendar
    SEQUENCE its cancellation carries. Locks the session's row."""
    with transaction.atomic():
        stored = (
            Session.objects.select_for_update(of=("self",))
            .select_related("room", "event")
            .filter(pk=session.pk)
            .first()
        )
        if stored is not None and not stored.is_cancelled:
            before = session_state(stored)
            _record_change(
                event=stored.event,
                session=stored,
                before=before,
                after={
                    **before,
                    "status": Session.Status.CANCELLED,
                    "deleted": True,
                    "sequence": stored.sequence + 1,
                },
                held_by={
                    "registrations": list(stored.signups.values_list("registration_id", flat=True)),
                    "speakers": list(stored.session_speakers.values_list("speaker_id", flat=True)),
                },
            )
        if stored is not None:
            audit.record("session.delete", stored, event=stored.event)
        session.delete()


def update_event(*, event: Event) -> Event:
    """Save an event changed in memory (the back office's form, the demo data).

    When its start, end or venue changes, or it is cancelled or that is taken back, the
    event's `calendar_sequence` grows (the attendees' invitations carry it) and the change is
    recorded for the event's log and the update emails. A new venue or status also changes
    what each session's calendar entry shows: their `sequence` grows too. Locks the event's
    row while comparing with what is stored."""
    with transaction.atomic():
        stored = (
            Event.objects.select_for_update(of=("self",)).select_related("venue").get(pk=event.pk)
        )
        moved = any(
            getattr(stored, field) != getattr(event, field) for field in EVENT_SCHEDULE_FIELDS
        )
        cancelling = stored.is_cancelled != event.is_cancelled
        event.calendar_sequence = stored.calendar_sequence + (1 if moved or cancelling else 0)
        event.save()
        changes = audit.field_changes(stored, event, AUDITED_EVENT_FIELDS)
        if changes:
            audit.record("event.change", event, changes=changes)
        if moved or cancelling:
            if cancelling or stored.venue_id != event.venue_id:
                Session.objects.filter(event=event).update(sequence=F("sequence") + 1)
            _record_change(
                event=stored, session=None, before=event_state(stored), after=event_state(event)
            )
    return event


def claim_programme_changes(*, event_id: int, settled_before: datetime, now: datetime) -> list:
    """The changes of an event not yet told to anyone, marked as told at `now`, provided the
    newest of them was made before `settled_before` (else none: more may follow).

    Must run in the caller's transaction, with the emails that tell them: both commit or
    neither. Locks the changes' rows, skipping those a concurrent run holds (PostgreSQL), so
    that two runs never claim the same change."""
    pending = list(
        ProgrammeChange.objects.select_for_update(skip_locked=True)
        .filter(event_id=event_id, notified_at=None)
        .order_by("changed_at", "pk")
    )
    if not pending or pending[-1].changed_at > settled_before:
        return []
    ProgrammeChange.objects.filter(pk__in=[change.pk for change in pending]).update(notified_at=now)
    for change in pending:
        change.notified_at = now
    return pending


def _record_change(*, event: Event, session: Session | None, before, after, held_by=None):
    """Record a change of `session` (or of the event itself, without one) and enqueue the
    emails' task for when the changes have settled. `event` is the event as stored before."""
    if event.status == Event.Status.DRAFT:
        return None
    subject = session if session is not None else event
    now = timezone.now()
    change = ProgrammeChange.objects.create(
        event_id=event.pk,
        session=session,
        session_pk=session.pk if session is not None else None,
        kind=change_kind(before, after, about_session=session is not None),
        title=bilingual(subject, "title"),
        before=before,
        after=after,
        held_by=held_by or {},
        is_public=session.is_public if session is not None else True,
        changed_at=now,
    )
    _enqueue_programme_updates(event_id=event.pk, run_after=now)
    return change


# Sent when a programme change is recorded, with `event_id` and `run_after` (when it was
# recorded): the registrations side, above this app, emails the attendees once the changes have
# settled (its receiver is connected in RegistrationsConfig.ready()).
programme_changed = Signal()


def _enqueue_programme_updates(*, event_id: int, run_after: datetime) -> None:
    programme_changed.send(sender=ProgrammeChange, event_id=event_id, run_after=run_after)


def _apply(session: Session, data: dict) -> None:
    for field in SESSION_FIELDS:
        if field in data:
            setattr(session, field, data[field])


def _validate(session: Session) -> None:
    # Model validation holds the rules (end after start, within the event, room and track of
    # the event); `exclude` skips the columns the caller never sets.
    session.full_clean(exclude=["event", "sequence"])


def _set_speakers(session: Session, links: list[dict]) -> None:

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


def set_session_speakers(*, session: Session, links: list[dict]) -> None:
    """Replace the speakers of `session` by `links`, a list of `{"speaker", "role"}` in
    programme order. Speakers must belong to the session's organisation. Call it inside the
    transaction that writes the session."""
    organisation_id = session.event.organisation_id
    if any(link["speaker"].organisation_id != organisation_id for link in links):
        raise ValidationError({"speakers": [_("Choose speakers of the event's organisation.")]})
    SessionSpeaker.objects.filter(session=session).delete()
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(session=session, speaker=link["speaker"], role=link["role"], position=index)
        for index, link in enumerate(links)
    )
