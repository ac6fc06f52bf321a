"""Background tasks (django-tasks). They take ids and call services."""

from django_tasks import task

from registrations import emails, services


@task()
def deliver_email(email_id: int) -> str:
    return emails.deliver(email_id).status


@task()
def build_badge_sheet(sheet_id: int) -> str:
    return services.build_badge_sheet(sheet_id=sheet_id).status
