"""Telling people of programme changes: one email per person gathering the changes of an event
made until PROGRAMME_UPDATE_DELAY seconds passed without another, with the updated calendar
invitations attached.

Who is concerned, told once (as pretalx and Indico do):
- by a session's change (moved, cancelled, reinstated, deleted): the confirmed registrations
  signed up to it, and its speakers who have an email address;
- by the event's own change (dates, venue, cancelled, reinstated): every confirmed registration
  of the event, and the speakers of its sessions.
A speaker registered with the same address gets one email, as an attendee. Registrations not
signed up to a session hear of its changes from the event page and the iCal feeds only.

What is attached: one iTIP message per entry (RFC 5546: one UID per message) — per changed
session, its invitation (REQUEST, or CANCEL once cancelled or deleted); for the event's own
change, the attendee's event invitation; and when the event's venue or status changed, the
invitation of each session the person holds, whose place or status changed with it.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.changes import ChangeLine, NetChange, describe, net_changes
from events.ics.invitations import (
    as_attachment,
    deleted_session_entry,
    invitation,
    session_entry,
)
from events.models import ProgrammeChange, Session, SessionSpeaker
from events.selectors import events_with_pending_changes
from events.services import claim_programme_changes
from registrations.emails import EmailExtras, attendee_of, queue_email, registration_calendar
from registrations.models import OutgoingEmail, Registration, SessionSignup
from speakers.models import Speaker


def send_programme_updates(*, now=None, event_id: int | None = None) -> int:
    """Queue the update emails of each event (or only of `event_id`) whose pending changes
    have settled: the newest was made more than PROGRAMME_UPDATE_DELAY seconds before `now`.
    Returns how many emails were queued.

    One transaction per event: its changes are marked as told with the emails that tell them.
    Idempotent, and safe when runs overlap (the task of each change, the cron command): a
    change is claimed by one run only (see `events.services.claim_programme_changes`)."""
    now = now or timezone.now()
    settled_before = now - timedelta(seconds=settings.PROGRAMME_UPDATE_DELAY)
    queued = 0
    for pk in events_with_pending_changes(event_id=event_id, before=settled_before):
        with transaction.atomic():
            changes = claim_programme_changes(event_id=pk, settled_before=settled_before, now=now)
            for person in people_concerned(changes):
                if net_changes(person.changes):
                    queue_email(
                        OutgoingEmail.Kind.PROGRAMME_UPDATE,
                        registration=person.registration,
                        speaker=person.speaker,
                        programme_changes=person.changes,
                    )
                    queued += 1
    return queued


@dataclass
class Concerned:
    """One person to tell, by address: as an attendee, a speaker, or both."""

    registration: Registration | None = None
    speaker: Speaker | None = None
    changes: list[ProgrammeChange] = field(default_factory=list)


def people_concerned(changes: list[ProgrammeChange]) -> list[Concerned]:
    """Who must hear of `changes` (all of one event), each with the changes concerning them,
    by address; in a fixed number of queries."""
    if not changes:
        return []
    event_id = changes[0].event_id
    holders: dict[int, list] = {}
    session_pks = {change.session_pk for change in changes if change.is_about_session}
    signups = SessionSignup.objects.filter(
        session_id__in=session_pks, registration__status=Registration.Status.CONFIRMED
    ).select_related("registration")
    for signup in signups:
        holders.setdefault(signup.session_id, []).append(signup.registration)
    roles = SessionSpeaker.objects.filter(session_id__in=session_pks).select_related("speaker")
    for role in roles:
        holders.setdefault(role.session_id, []).append(role.speaker)
    _add_holders_of_deleted_sessions(changes, holders)
    everyone = []
    if any(not change.is_about_session for change in changes):
        everyone = [
            *Registration.objects.filter(event_id=event_id, status=Registration.Status.CONFIRMED),
            *Speaker.objects.filter(session_roles__session__event_id=event_id).distinct(),
        ]
    by_address: dict[str, Concerned] = {}
    for change in changes:
        people = holders.get(change.session_pk, []) if change.is_about_session else everyone
        for person in people:
            if not person.email:
                continue  # a plus-one, or a speaker without an address
            concerned = by_address.setdefault(person.email.lower(), Concerned())
            if isinstance(person, Registration):
                concerned.registration = person
            else:
                concerned.speaker = person
            if change not in concerned.changes:
                concerned.changes.append(change)
    return [by_address[address] for address in sorted(by_address)]


def _add_holders_of_deleted_sessions(changes, holders: dict[int, list]) -> None:
    """A deleted session's sign-ups and roles went with it: its change kept their ids."""
    deleted = [change for change in changes if change.held_by]
    if not deleted:
        return
    registration_ids = {pk for change in deleted for pk in change.held_by["registrations"]}
    speaker_ids = {pk for change in deleted for pk in change.held_by["speakers"]}
    registrations = Registration.objects.filter(
        pk__in=registration_ids, status=Registration.Status.CONFIRMED
    ).in_bulk()
    speakers = Speaker.objects.in_bulk(speaker_ids)
    for change in deleted:
        people = holders.setdefault(change.session_pk, [])
        people.extend(
            registrations[pk] for pk in change.held_by["registrations"] if pk in registrations
        )
        people.extend(speakers[pk] for pk in change.held_by["speakers"] if pk in speakers)


@dataclass(frozen=True)
class ProgrammeUpdate:
    """What a programme update email says and carries, in the active language."""

    lines: list[ChangeLine]
    attachments: list[tuple[str, bytes, str]]


def update_extras(email: OutgoingEmail, context: dict) -> EmailExtras:
    """What an update email tells and carries (registered as its builder in
    RegistrationsConfig.ready()): its changes and their invitations."""
    update = read_update(email)
    return EmailExtras(
        context={"changes": update.lines, "calendar_updates": len(update.attachments)},
        attachments=list(update.attachments),
    )


def read_update(email: OutgoingEmail) -> ProgrammeUpdate:
    """The changes an update email tells of (folded per session: the final times) and the
    invitations it carries, built from the sessions as they are now (a retried email carries
    the newest SEQUENCE, never an older one)."""
    event = email.event
    nets = net_changes(email.programme_changes.all())
    person = email.recipient
    attachments = []
    event_change = next((net for net in nets if not net.is_about_session), None)
    if event_change is not None and email.registration is not None:
        attachments.append(
            as_attachment("invitation.ics", registration_calendar(email.registration))
        )
    session_pks = [net.session_pk for net in nets if net.is_about_session]
    if event_change is not None and _changes_sessions(event_change):
        session_pks.extend(sorted(_sessions_held(email, event.pk) - set(session_pks)))
    sessions = Session.objects.select_related("event__venue", "event__organisation", "room")
    found = sessions.in_bulk(session_pks)
    deleted = {net.session_pk: net for net in nets if net.session_pk not in found}
    attendee = attendee_of(person)
    for pk in session_pks:
        if pk in found:
            entry = session_entry(found[pk])
        elif pk in deleted:
            entry = deleted_session_entry(deleted[pk], event)
        else:
            continue
        invite = invitation(
            event=event, entry=entry, attendee=attendee, cancelled=entry.is_cancelled
        )
        attachments.append(as_attachment(f"session-{pk}.ics", invite))
    return ProgrammeUpdate(lines=[describe(net, event) for net in nets], attachments=attachments)


def _changes_sessions(change: NetChange) -> bool:
    """Whether the event's change changed what its sessions' entries show too."""
    return any(change.before.get(key) != change.after.get(key) for key in ("venue", "status"))


def _sessions_held(email: OutgoingEmail, event_id: int) -> set[int]:
    held = set()
    if email.registration is not None:
        held |= set(
            email.registration.signups.filter(session__event_id=event_id).values_list(
                "session_id", flat=True
            )
        )
    if email.speaker is not None:
        held |= set(
            email.speaker.session_roles.filter(session__event_id=event_id).values_list(
                "session_id", flat=True
            )
        )
    return held
