"""Each task that its service enqueues lives next to that service; tasks queued before the move
name them by their old path (`registrations.tasks.<name>`, stored in django_tasks_db's rows):
they still run."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from registrations import emails, guest_list_imports
from registrations import tasks as old_tasks
from registrations.models import GuestListImport, Invitation, OutgoingEmail
from tests.badges.test_task_paths import run_worker
from tests.factories import TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_old_task_paths_name_the_tasks_next_to_their_services():
    assert old_tasks.deliver_email.module_path == "registrations.emails.deliver_email"
    assert (
        old_tasks.import_guest_list.module_path
        == "registrations.guest_list_imports.import_guest_list"
    )


@pytest.mark.django_db
def test_an_email_queued_under_the_old_task_path_is_delivered(settings, mailoutbox):
    settings.TASKS = DATABASE_TASKS
    registration = RegistrationFactory(status="confirmed")
    email = emails.queue_email(OutgoingEmail.Kind.CONFIRMATION, registration=registration)
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "registrations.emails.deliver_email"
    DBTaskResult.objects.update(task_path="registrations.tasks.deliver_email")

    run_worker()

    task = DBTaskResult.objects.get(task_path="registrations.tasks.deliver_email")
    assert task.status == "SUCCESSFUL"
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_guest_list_queued_under_the_old_task_path_is_imported(settings):
    settings.TASKS = DATABASE_TASKS
    ticket = TicketTypeFactory(event__access="invitation", category="guest", is_public=False)
    job = guest_list_imports.preview_guest_list(
        event=ticket.event,
        ticket_type=ticket,
        deadline=ticket.event.start - timedelta(days=3),
        uploaded_file=SimpleUploadedFile(
            "invites.csv",
            b"prenom;nom;email\nClaire;Morel;claire.morel@example.org\n",
            content_type="text/csv",
        ),
    )
    guest_list_imports.confirm_guest_list_import(guest_list_import=job)
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "registrations.guest_list_imports.import_guest_list"
    DBTaskResult.objects.update(task_path="registrations.tasks.import_guest_list")

    run_worker()

    task = DBTaskResult.objects.get(task_path="registrations.tasks.import_guest_list")
    assert task.status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.status == GuestListImport.Status.DONE
    assert list(Invitation.objects.values_list("email", flat=True)) == ["claire.morel@example.org"]
