from django.contrib.auth.forms import PasswordResetForm

from registrations.emails import queue_email
from registrations.models import OutgoingEmail


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password reset, with its email written to the outbox: the request does not
    wait for the mail server, and a failure of it is retried. The link is made when the
    email is delivered, so no reset token is ever stored. (The back office, and so this email,
    is in the site's language.)"""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        queue_email(OutgoingEmail.Kind.PASSWORD_RESET, user=context["user"])
