"""Background tasks (django-tasks) of badges. They take ids and call services."""

from django_tasks import task

from badges import sheets


@task()
def build_badge_sheet(sheet_id: int) -> str:
    return sheets.build_badge_sheet(sheet_id=sheet_id).status
