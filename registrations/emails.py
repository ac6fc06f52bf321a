"""The outbox: emails are written in the transaction of the change that causes them and
delivered by a background task, which retries until the mail server takes them.

Rendering happens at delivery, in the recipient's language, from what is stored then, for
what the email was queued for (its kind): a retried confirmation carries the registration as
it is, and an email about a state the registration has since left is dropped, superseded.
Delivery holds no transaction while the mail server answers; a lease on the outbox row lets
another worker take over the email of a worker killed while sending.
"""

import logging
import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.mime.image import MIMEImage

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from events.ics import build as ics
from events.ics import invitations
from organisations.models import Membership
from registrations.models import OutgoingEmail

logger = logging.getLogger(__name__)

# Wait before attempt n+1 (the last value repeats); a day in all before giving up.
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
]
MAX_ATTEMPTS = 15


@dataclass
class EmailExtras:
    """What a builder adds to an email of its kind: template context, attachments and images
    the HTML shows from within the message, each (filename or Content-ID, content, mimetype)."""

    context: dict = field(default_factory=dict)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    inline_images: list[tuple[str, bytes, str]] = field(default_factory=list)


EmailBuilder = Callable[[OutgoingEmail, dict], EmailExtras | None]
# The builders of each kind of email, in the order they were registered. Apps above this one
# register theirs in their AppConfig.ready() (this app: the programme update's changes and
# invitations, registrations/programme_updates.py; payments: the payment an email speaks of, for
# every kind, and the invoice PDF; badges: the badge), so that the outbox knows no more of them
# than their kind.
_builders: dict[str, list[EmailBuilder]] = {}
# Builders registered under this kind run for every email, before those of its own kind.
EVERY_KIND = "*"


def register_builder(kind: str, builder: EmailBuilder) -> None:
    """Have `builder(email, context)` called for each email of `kind` (every email with
    EVERY_KIND) before its templates are rendered; what it returns (or nothing, with None) goes
    into the email, and its context is seen by the builders called after it."""
    builders = _builders.setdefault(kind, [])
    if builder not in builders:
        builders.append(builder)


def queue_email(
    kind: str,
    *,
    registration=None,
    invitation=None,
    speaker=None,
    user=None,
    programme_changes=(),
    facts=None,
) -> OutgoingEmail:
    """Write an email to the outbox and enqueue its delivery, in the caller's transaction.

    The kind says what the email tells, and it is rendered for that at delivery (an
    awaiting-payment email is never sent as a confirmation). A registration is confirmed to
    its attendee once: queueing its confirmation again returns the one already queued.
    `facts` (JSON) keeps what the email tells that no row will hold at delivery."""
    if kind == OutgoingEmail.Kind.CONFIRMATION and registration is not None:
        queued = OutgoingEmail.objects.filter(kind=kind, registration=registration).first()
        if queued is not None:
            return queued
    email = OutgoingEmail.objects.create(
        kind=kind,
        registration=registration,
        invitation=invitation,
        speaker=speaker,
        user=user,
        facts=facts or {},
    )
    if programme_changes:
        email.programme_changes.set(programme_changes)
    # With the database backend the task row commits, or rolls back, with the change: the
    # outbox row and its task are never apart. (The immediate backend of the tests sends at
    # once, wherever it is called.) Should a task be lost anyway, the `send_queued_emails`
    # command delivers what the outbox still holds.
    _enqueue_delivery(email.pk)
    return email


@task()
def deliver_email(email_id: int) -> str:
    """The task that delivers an outbox email (`deliver`). It lives next to the service that
    enqueues it, so neither imports the other; `registrations.tasks.deliver_email` is its old
    path, kept for the rows queued under it."""
    email = deliver(email_id)
    return email.status if email is not None else "deleted"


def _enqueue_delivery(email_id: int, *, at=None) -> None:
    """Enqueue the delivery of an email, now or at `at`. A backend that cannot defer (the
    immediate one of the tests) leaves later attempts to the `send_queued_emails` command."""
    if at is None:
        deliver_email.enqueue(email_id)
    elif deliver_email.get_backend().supports_defer:
        deliver_email.using(run_after=at).enqueue(email_id)


def queue_again(email_ids) -> int:
    """Ask for one more attempt of these emails at once, a given-up one included; the worker
    makes it (nothing here waits on the mail server). Returns how many were queued again."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutgoingEmail.objects.filter(
                pk__in=email_ids,
                status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.FAILED],
            ).values_list("pk", flat=True)
        )
        OutgoingEmail.objects.filter(pk__in=ids).update(
            status=OutgoingEmail.Status.QUEUED, next_attempt_at=now
        )
        for email_id in ids:
            _enqueue_delivery(email_id)
    return len(ids)


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str
    to: str
    attachments: list[tuple[str, bytes, str]]
    # Further recipients: the other organisers of an organisers' email.
    also_to: tuple[str, ...] = ()
    # Images the HTML shows from within the message: (Content-ID, content, mimetype).
    inline_images: tuple[tuple[str, bytes, str], ...] = ()


def deliver(email_id: int) -> OutgoingEmail | None:
    """Send one queued email if it is due. Call it outside any transaction (a task does): it
    holds none, nor any lock, while the mail server answers, which may take EMAIL_TIMEOUT.

    1. Claim: one UPDATE gives the email to this worker until now + EMAIL_DELIVERY_LEASE, if
       nobody holds it or its holder's claim has expired (a killed worker), and enqueues a
       check for when the claim ends: that check takes over the email of a worker killed
       while sending. A claim counts as an attempt.
    2. Send, rendered from the current data for what the email was queued for; an email
       about a state the registration has left is dropped as superseded (see
       OutgoingEmail.QUEUED_FOR).
    3. Record the outcome. A failure leaves the email queued and enqueues its next attempt
       after a growing delay; the last one gives up.

    Idempotent: an email sent, given up, or claimed by another worker is not sent (None when
    it no longer exists). A worker
    killed after the mail server took the message, before recording it, leaves that one
    message to be sent again once its claim expires."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.EMAIL_DELIVERY_LEASE)
    with transaction.atomic():
        claimed = (
            OutgoingEmail.objects.filter(
                Q(leased_until=None) | Q(leased_until__lte=now),
                pk=email_id,
                status=OutgoingEmail.Status.QUEUED,
                next_attempt_at__lte=now,
            ).update(leased_until=lease, attempts=F("attempts") + 1)
            == 1
        )
        if claimed:
            _enqueue_delivery(email_id, at=lease)
    if not claimed:
        # Sent, given up, not due, held by another worker, or deleted with its recipient.
        return OutgoingEmail.objects.filter(pk=email_id).first()
    email = OutgoingEmail.objects.select_related(
        "registration__event__organisation",
        "registration__event__venue",
        "registration__ticket_type",
        "invitation__event__organisation",
        "invitation__event__venue",
        "speaker",
    ).get(pk=email_id)
    queued_for = OutgoingEmail.QUEUED_FOR.get(email.kind)
    if queued_for and email.registration and email.registration.status != queued_for:
        _record(email, lease, status=OutgoingEmail.Status.SUPERSEDED)
        return email
    try:
        build_message(email).send()
    except Exception as error:  # the mail server's failure must not lose the email
        # The log names the email, not its recipient: a mail server's refusal quotes the
        # address, which the outbox row keeps (erased with the person) and the log must not.
        logger.warning(
            "Email %s attempt %s failed: %s", email.pk, email.attempts, failure_summary(error)
        )
        fields = {"last_error": f"{type(error).__name__}: {error}"[:2000]}
        if email.attempts >= MAX_ATTEMPTS:
            fields["status"] = OutgoingEmail.Status.FAILED
        else:
            delay = RETRY_DELAYS[min(email.attempts, len(RETRY_DELAYS)) - 1]
            fields["next_attempt_at"] = timezone.now() + delay
        if _record(email, lease, **fields) and "next_attempt_at" in fields:
            _enqueue_delivery(email.pk, at=fields["next_attempt_at"])
    else:
        # Sent is sent, even if this worker's claim ran out meanwhile.
        _record(
            email, None, status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), last_error=""
        )
    return email


def failure_summary(error: Exception) -> str:
    """What a log may say of a failed send: the error's class and the mail server's reply
    codes (e.g. "SMTPRecipientsRefused 550"), none of the addresses its text quotes."""
    codes = []
    if isinstance(error, smtplib.SMTPResponseException):
        codes.append(error.smtp_code)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes.extend(code for code, _reply in error.recipients.values())
    return " ".join([type(error).__name__, *(str(code) for code in sorted(set(codes)))])


def _record(email: OutgoingEmail, lease, **fields) -> bool:
    """Write the outcome of an attempt and end the claim, if the email is still queued and
    (unless `lease` is None) still claimed by this attempt. Returns whether it was written."""
    emails = OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingEmail.Status.QUEUED)
    if lease is not None:
        emails = emails.filter(leased_until=lease)
    written = emails.update(leased_until=None, **fields) == 1
    email.refresh_from_db()
    return written


def due_emails(now=None):
    """Queued emails whose next attempt is due and that no live worker holds (for the retry
    command)."""
    now = now or timezone.now()
    return OutgoingEmail.objects.filter(
        Q(leased_until=None) | Q(leased_until__lte=now),
        status=OutgoingEmail.Status.QUEUED,
        next_attempt_at__lte=now,
    ).order_by("next_attempt_at", "pk")


def build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    rendered = render(email)
    message = MessageWithInlineImages(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[rendered.to, *rendered.also_to],
        reply_to=[reply_to] if (reply_to := getattr(email.event, "contact_email", "")) else None,
    )
    message.attach_alternative(rendered.html, "text/html")
    message.inline_images = list(rendered.inline_images)
    for filename, content, mimetype in rendered.attachments:
        message.attach(filename, content, mimetype)
    return message


class MessageWithInlineImages(EmailMultiAlternatives):
    """An email whose HTML part shows images carried by the message itself: the HTML and its
    images go in a multipart/related part, each image named by its Content-ID (`cid:` in
    the HTML), so that reading the email fetches nothing from anywhere."""

    inline_images: list[tuple[str, bytes, str]] = []

    def _create_alternatives(self, msg):
        msg = super()._create_alternatives(msg)
        if not self.inline_images or not msg.is_multipart():
            return msg
        parts = msg.get_payload()
        for index, part in enumerate(parts):
            if part.get_content_type() == "text/html":
                related = SafeMIMEMultipart(
                    _subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET
                )
                related.attach(part)
                for content_id, content, mimetype in self.inline_images:
                    image = MIMEImage(content, _subtype=mimetype.split("/", 1)[1])
                    image.add_header("Content-ID", f"<{content_id}>")
                    image.add_header("Content-Disposition", "inline")
                    related.attach(image)
                parts[index] = related
        return msg


def render(email: OutgoingEmail) -> RenderedEmail:
    """Subject, text, HTML and attachments of an email, in the recipient's language (a
    speaker's, who has none on file, is the site's)."""
    person = email.recipient
    event = email.event
    for_organisers = email.kind in OutgoingEmail.ORGANISER_KINDS
    language = getattr(person, "language", settings.LANGUAGE_CODE)
    if for_organisers or language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "email": email,
            "registration": email.registration,
            "invitation": email.invitation,
            "event": event,
            "person": person,
            "site_url": settings.SITE_URL,
            "language": language,
        }
        # The personal links are the attendee's alone: an email to the organisers never
        # carries them (they act through the back office).
        if email.registration is not None and not for_organisers:
            context["manage_url"] = settings.SITE_URL + email.registration.get_personal_url()
        if email.invitation is not None and not for_organisers:
            context["invitation_url"] = settings.SITE_URL + email.invitation.get_personal_url()
        if email.user is not None and email.kind == OutgoingEmail.Kind.PASSWORD_RESET:
            context["reset_url"] = password_reset_url(email.user)
        extras = []
        for builder in (*_builders.get(EVERY_KIND, ()), *_builders.get(email.kind, ())):
            extra = builder(email, context)
            if extra is not None:
                context.update(extra.context)  # the builders after it see what it added
                extras.append(extra)
        template = f"emails/{email.kind}"
        # Runs of ASCII whitespace (line breaks of the template) become one space; the no-break
        # spaces of French typography stay.
        subject = re.sub(
            r"[ \t\r\n\f\v]+", " ", render_to_string(f"{template}_subject.txt", context)
        ).strip()
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        attachments = []
        invite = calendar_attachment(email)
        if invite is not None:
            attachments.append(invite)
        for extra in extras:
            attachments.extend(extra.attachments)
    # An email change is confirmed from the new address, which only the email's facts hold.
    to_address = (
        email.facts.get("to_address") if email.kind == OutgoingEmail.Kind.EMAIL_CHANGE else ""
    )
    recipients = organiser_addresses(event) if for_organisers else [to_address or person.email]
    return RenderedEmail(
        subject=subject,
        text=text,
        html=html,
        to=recipients[0],
        attachments=attachments,
        also_to=tuple(recipients[1:]),
        inline_images=tuple(image for extra in extras for image in extra.inline_images),
    )


def password_reset_url(user) -> str:
    """A member of staff's link to choose a new password. Made at delivery and never stored:
    it works for PASSWORD_RESET_TIMEOUT, until the password is changed or they log in."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL + path


def organiser_addresses(event) -> list[str]:
    """Who hears of what needs an organiser: the event's contact address, else the owners and
    organisers of its organisation, else the site's server address."""
    if event.contact_email:
        return [event.contact_email]
    addresses = sorted(
        Membership.objects.filter(
            organisation_id=event.organisation_id, role__in=Membership.EDITOR_ROLES
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return addresses or [settings.SERVER_EMAIL]


def calendar_attachment(email: OutgoingEmail):
    """The calendar invitation a confirmation (REQUEST) or cancellation (CANCEL) carries."""
    kinds = {OutgoingEmail.Kind.CONFIRMATION: False, OutgoingEmail.Kind.CANCELLATION: True}
    if email.kind not in kinds or email.registration is None:
        return None
    registration = email.registration
    if not kinds[email.kind] and registration.status != registration.Status.CONFIRMED:
        return None
    invite = registration_calendar(registration, cancelled=kinds[email.kind])
    return invitations.as_attachment("invitation.ics", invite)


def registration_calendar(registration, *, cancelled: bool | None = None):
    """The attendee's invitation to the event: REQUEST, or CANCEL when `cancelled` (by
    default: once the registration has ended or the event is cancelled).

    Its SEQUENCE adds the registration's (it grows when the attendee cancels or is confirmed)
    to the event's (it grows when the event moves or is cancelled): it only ever grows."""
    event = registration.event
    if cancelled is None:
        cancelled = not registration.is_active or event.is_cancelled
    return invitations.invitation(
        event=event,
        entry=invitations.event_entry(
            event,
            uid=registration_uid(registration),
            sequence=registration.calendar_sequence + event.calendar_sequence,
        ),
        attendee=attendee_of(registration),
        cancelled=cancelled,
    )


def attendee_of(person) -> ics.Attendee:
    """The ATTENDEE of an invitation: a registration or a speaker."""
    name = person.full_name if hasattr(person, "full_name") else person.name
    return ics.Attendee(name=name, email=person.email)


def registration_uid(registration) -> str:
    """Stable for the life of the registration: updates and cancellations replace the entry."""
    return f"registration-{registration.pk}-event-{registration.event_id}@{ics.uid_domain()}"
