"""Background tasks (django-tasks). They take ids and call services.

A task that its own service enqueues lives next to that service (`registrations.emails.
deliver_email`, `registrations.guest_list_imports.import_guest_list`, `badges.tasks.
build_badge_sheet`), so that the service need not import this module, which imports it back.
Their old paths stay here for one release: tasks queued before the move name them so in their
rows (django_tasks_db stores the module path and the function's name)."""

from django_tasks import task

from badges.tasks import build_badge_sheet as build_badge_sheet
from registrations import programme_updates
from registrations.emails import deliver_email as deliver_email
from registrations.guest_list_imports import import_guest_list as import_guest_list


@task()
def send_programme_updates(event_id: int) -> int:
    """Email the event's programme changes once they have settled. Enqueued after each change
    to run PROGRAMME_UPDATE_DELAY later; it checks the delay itself, so an earlier run (or one
    overtaken by a later change) sends nothing."""
    return programme_updates.send_programme_updates(event_id=event_id)
