"""Background tasks (django-tasks). They take ids and call services."""

from django_tasks import task

from registrations import emails


@task()
def deliver_email(email_id: int) -> str:
    return emails.deliver(email_id).status
