"""Background tasks (django-tasks). They take ids and call services."""

from django_tasks import task

# Kept at its old path for one release: tasks queued before the badges app existed name it so
# in their rows (django_tasks_db stores the module path and the function's name).
from badges.tasks import build_badge_sheet as build_badge_sheet
from registrations import emails, guest_list_imports, programme_updates


@task()
def deliver_email(email_id: int) -> str:
    email = emails.deliver(email_id)
    return email.status if email is not None else "deleted"


@task()
def send_programme_updates(event_id: int) -> int:
    """Email the event's programme changes once they have settled. Enqueued after each change
    to run PROGRAMME_UPDATE_DELAY later; it checks the delay itself, so an earlier run (or one
    overtaken by a later change) sends nothing."""
    return programme_updates.send_programme_updates(event_id=event_id)


@task()
def import_guest_list(import_id: int) -> str:
    """Invite the guests of a confirmed guest list import; safe to run again (it goes on
    where it stopped)."""
    return guest_list_imports.run_guest_list_import(import_id=import_id).status
