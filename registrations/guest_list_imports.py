"""Guest lists imported from the back office, in three steps that each stay short:

1. `preview_guest_list` reads the uploaded file and records a GuestListImport with what it
   found (lines read, guests to invite, lines refused with their reason, duplicates in the
   file and guests already invited). Nothing is invited.
2. `confirm_guest_list_import` queues the import, to run now or at a chosen time.
3. `run_guest_list_import` (the background task's work) invites the guests batch by batch.

A file of 5,000 guests takes a few seconds of background work, never a web request's.
"""

import contextlib
import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from audit.context import Channel, acting
from events.models import Event
from registrations import csv_import, services
from registrations.models import GuestListImport, Invitation, TicketType

logger = logging.getLogger(__name__)

# Guests invited per transaction: the progress moves, and a crash loses one batch's work.
BATCH_SIZE = 250


class ImportNotConfirmable(ValidationError):
    """The import cannot be queued as asked (a time in the past, nobody to invite…)."""


def preview_guest_list(
    *, event: Event, ticket_type: TicketType, deadline: datetime, uploaded_file, user=None
) -> GuestListImport:
    """Read a guest list and record what importing it would do. Raises InvalidInvitationFile
    (a ValidationError) when the file or the settings cannot be used at all; then nothing is
    recorded. Reads the event's invitations' emails once, locks nothing."""
    deadline = csv_import.check_settings(event=event, ticket_type=ticket_type, deadline=deadline)
    content = csv_import.read_upload(uploaded_file)
    guests = csv_import.read_guest_list(content)
    invited = set(Invitation.objects.filter(event=event).values_list("email", flat=True))
    errors = list(guests.errors)
    to_invite = already_invited = 0
    for line, row in guests.rows:
        try:
            details = services.check_invitation_row(row)
        except ValidationError as error:
            errors.append((line, services.describe_error(error)))
            continue
        if details.email in invited:
            errors.append((line, f"email: {_('This guest is already invited to this event.')}"))
            already_invited += 1
            continue
        to_invite += 1
    return GuestListImport.objects.create(
        event=event,
        ticket_type=ticket_type,
        deadline=deadline,
        file_name=(getattr(uploaded_file, "name", "") or "guests.csv")[-255:],
        content=content,
        lines_read=len(guests.rows) + len(guests.errors),
        to_invite=to_invite,
        duplicates_in_file=len(guests.duplicate_lines),
        already_invited=already_invited,
        preview_errors=sorted(errors),
        ignored_columns=guests.ignored_columns,
        language=translation.get_language() or "fr",
        created_by=user,
    )


@task()
def import_guest_list(import_id: int) -> str:
    """Invite the guests of a confirmed guest list import; safe to run again (it goes on
    where it stopped). It lives next to the service that enqueues it, so neither imports the
    other; `registrations.tasks.import_guest_list` is its old path, kept for the rows queued
    under it."""
    return run_guest_list_import(import_id=import_id).status


def confirm_guest_list_import(
    *, guest_list_import: GuestListImport, send_at: datetime | None = None
) -> GuestListImport:
    """Queue a previewed import, to start at once or at `send_at`. Locks the import's row:
    confirming twice (a double click) queues it once. Raises ImportNotConfirmable."""
    with transaction.atomic():
        job = GuestListImport.objects.select_for_update().get(pk=guest_list_import.pk)
        if job.status != GuestListImport.Status.PREVIEW:
            return job
        if not job.to_invite:
            raise ImportNotConfirmable(_("This file has nobody left to invite."))
        if send_at is not None:
            if send_at <= timezone.now():
                raise ImportNotConfirmable(
                    {"send_at": [_("Choose a time to come, or send the invitations now.")]}
                )
            if send_at >= job.deadline:
                raise ImportNotConfirmable(
                    {"send_at": [_("The invitations must leave before the answer deadline.")]}
                )
            if not import_guest_list.get_backend().supports_defer:
                raise ImportNotConfirmable(
                    {
                        "send_at": [
                            _(
                                "This server runs background work at once: sending at a "
                                "chosen time needs the task worker. Send the invitations now."
                            )
                        ]
                    }
                )
        job.status = GuestListImport.Status.SCHEDULED
        job.send_at = send_at
        job.save(update_fields=["status", "send_at"])
        # The task's row commits, or rolls back, with the import's.
        task = import_guest_list.using(run_after=send_at) if send_at else import_guest_list
        task.enqueue(job.pk)
    job.refresh_from_db()
    return job


def resume_guest_list_import(*, guest_list_import: GuestListImport) -> GuestListImport:
    """Queue again an import stopped by an error, or whose worker was lost (running, but no
    batch for a while): it goes on from its last batch. Locks the import's row; an import
    that is not stopped is left as it is."""
    with transaction.atomic():
        job = GuestListImport.objects.select_for_update().get(pk=guest_list_import.pk)
        if job.may_resume:
            job.status = GuestListImport.Status.SCHEDULED
            job.save(update_fields=["status"])
            import_guest_list.enqueue(job.pk)
    job.refresh_from_db()
    return job


def run_guest_list_import(*, import_id: int) -> GuestListImport:
    """Invite the guests of a confirmed import, BATCH_SIZE at a time. Each batch runs in a
    transaction that locks the import's row and records `processed`, the invitations made
    and the lines refused with it: two runs of the same import never take the same guests,
    and a run after a crash (or after a failure was fixed) goes on from the last batch. An
    error stops the import and is recorded on it, not raised."""
    active = (
        GuestListImport.Status.SCHEDULED,
        GuestListImport.Status.RUNNING,
        GuestListImport.Status.FAILED,
    )
    imports = GuestListImport.objects.filter(pk=import_id)
    if not imports.filter(status__in=active).update(
        status=GuestListImport.Status.RUNNING, failure=""
    ):
        return imports.get()
    imports.filter(started_at__isnull=True).update(started_at=timezone.now())
    job = imports.select_related("event", "ticket_type", "created_by").get()
    try:
        with translation.override(job.language), _as_its_organiser(job):
            rows = _rows_to_invite(job)
            while _run_batch(job, rows, BATCH_SIZE):
                pass
    except Exception as error:  # recorded for the organiser; the import must not stay running
        logger.exception("Guest list import %s failed", import_id)
        imports.filter(status=GuestListImport.Status.RUNNING).update(
            status=GuestListImport.Status.FAILED,
            failure=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
    return imports.get()


def _as_its_organiser(job: GuestListImport):
    """The trail's actor of the invitations: the organiser who uploaded the list, through the
    back office, even when a worker runs the import later."""
    if job.created_by is None:
        return contextlib.nullcontext()
    return acting(channel=Channel.BACK_OFFICE, actor=job.created_by)


def _rows_to_invite(job: GuestListImport) -> list[tuple[int, dict]]:
    """The rows the preview found good, in file order (the same list at every run)."""
    refused = {line for line, _reason in job.preview_errors}
    guests = csv_import.read_guest_list(bytes(job.content))
    return [(line, row) for line, row in guests.rows if line not in refused]


def _run_batch(job: GuestListImport, rows, batch_size: int) -> bool:
    """Invite the next batch; False once there is nothing left (the import is done)."""
    with transaction.atomic():
        current = GuestListImport.objects.select_for_update().get(pk=job.pk)
        if current.status != GuestListImport.Status.RUNNING:
            return False
        batch = rows[current.processed : current.processed + batch_size]
        if not batch:
            current.status = GuestListImport.Status.DONE
            current.finished_at = timezone.now()
            current.save(update_fields=["status", "finished_at"])
            return False
        report = services.import_invitations(
            event=job.event, ticket_type=job.ticket_type, rows=batch, deadline=job.deadline
        )
        current.processed += len(batch)
        current.created += len(report.created)
        current.import_errors = [*current.import_errors, *report.errors]
        current.progressed_at = timezone.now()
        current.save(update_fields=["processed", "created", "import_errors", "progressed_at"])
    return True
