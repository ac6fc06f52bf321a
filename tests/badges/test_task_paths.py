"""Tasks queued before the badges app existed name their function by its old path
(`registrations.tasks.build_badge_sheet`, stored in django_tasks_db's rows): it still runs."""

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from badges import services
from badges.models import BadgeSheet
from registrations import tasks as old_tasks
from tests.registrations.organiser_factories import RegistrationFactory

OLD_PATH = "registrations.tasks.build_badge_sheet"


def run_worker():
    """Claim and run every due task as `db_worker --batch` does, in the test's transaction."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)


def test_the_old_task_path_names_the_badges_task():
    assert old_tasks.build_badge_sheet.module_path == "badges.tasks.build_badge_sheet"


@pytest.mark.django_db
def test_a_sheet_queued_under_the_old_task_path_is_built(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    registration = RegistrationFactory(status="confirmed")
    sheet = services.queue_badge_sheet(event=registration.event, layout=BadgeSheet.Layout.A6)
    DBTaskResult.objects.update(task_path=OLD_PATH)

    run_worker()

    [task] = DBTaskResult.objects.all()
    assert (task.task_path, task.status) == (OLD_PATH, "SUCCESSFUL")
    sheet.refresh_from_db()
    assert (sheet.status, sheet.done) == (BadgeSheet.Status.DONE, 1)
    assert bytes(sheet.pdf).startswith(b"%PDF")
