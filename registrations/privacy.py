"""The attendee's rights over their personal data (RGPD, issue 13): access (what is held on
them, readable and as JSON), correction (name, organisation, title, an email change confirmed
from the new address), withdrawal of the photo and news consents, erasure, and the lost-link
email.

This app knows only its own tables. The apps above it (payments, check-in, badges, the audit
trail) add theirs from their AppConfig.ready(): `register_person_data` for what a person may
download, `on_erasure` for what an erasure must anonymise or delete in their tables, as
`registrations.emails.register_builder` and `services.on_cancellation` do.

What an erasure keeps, by law or because it identifies nobody: invoices and credit notes with
their payer details (the accounting retention period, payments.Invoice), the registration's
row with its ticket, status and dates (anonymous counts), the outbox rows without their facts.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from audit import services as audit
from events import feed_cache
from registrations import services
from registrations.emails import EmailExtras, queue_email
from registrations.models import (
    GuestListImport,
    Invitation,
    OutgoingEmail,
    Registration,
    new_badge_token,
    new_token,
)

# How long the link that confirms an email change stays valid.
EMAIL_CHANGE_MAX_AGE = 60 * 60 * 48
_EMAIL_CHANGE_SALT = "registrations.privacy.email-change"
# What an erased person's name becomes (no translation: it is stored).
ERASED_NAME = "—"


# --- Hooks for the apps above ---------------------------------------------------------------


@dataclass
class Subject:
    """Whose data: registrations (a registration and its plus-ones) and invitations."""

    registrations: list[Registration] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)

    @property
    def registration_ids(self) -> list[int]:
        return [registration.pk for registration in self.registrations]

    @property
    def invitation_ids(self) -> list[int]:
        return [invitation.pk for invitation in self.invitations]

    @property
    def organisation_id(self) -> int | None:
        """The organisation whose events these are (an erasure is within one: its callers
        take one registration or invitation, or one organisation's)."""
        for person in [*self.registrations, *self.invitations]:
            return person.event.organisation_id
        return None


@dataclass
class Erasure(Subject):
    """An erasure under way: whose data, the values that identify them (as they were before
    the anonymisation: names, emails, organisations, free text), why and by whom."""

    values: list[str] = field(default_factory=list)
    # What names the person anywhere (their full names and addresses): searched for in shared
    # tables (logs, task results); an organisation or a first name alone would match others.
    identifiers: list[str] = field(default_factory=list)
    reason: str = ""
    by: object = None

    def mentions(self, text) -> bool:
        """Whether `text` names the person (one of the identifiers, case-insensitive)."""
        lowered = str(text or "").lower()
        return any(value.lower() in lowered for value in self.identifiers)

    def text_filter(self, *field_names: str) -> Q:
        """Rows whose fields name the person (one of the identifiers)."""
        query = Q(pk__in=[])
        for name in field_names:
            for value in self.identifiers:
                query |= Q(**{f"{name}__icontains": value})
        return query


PersonDataHook = Callable[[Subject], dict[str, list[dict]]]
ErasureHook = Callable[[Erasure], None]
_person_data_hooks: list[PersonDataHook] = []
_erasure_hooks: list[ErasureHook] = []


def register_person_data(hook: PersonDataHook) -> PersonDataHook:
    """Have `hook(subject)` add categories ({name: [rows]}) to a person's data export."""
    if hook not in _person_data_hooks:
        _person_data_hooks.append(hook)
    return hook


def on_erasure(hook: ErasureHook) -> ErasureHook:
    """Have `hook(erasure)` anonymise or delete the erased person's data in its app's tables.
    Hooks run inside the erasure's transaction, before this app's rows are anonymised (the
    rows still hold the values to look for)."""
    if hook not in _erasure_hooks:
        _erasure_hooks.append(hook)
    return hook


# --- Access ---------------------------------------------------------------------------------


def _moment(value):
    return value.isoformat() if value else None


def _registration_row(registration: Registration) -> dict:
    return {
        "event": registration.event.title,
        "event_starts": _moment(registration.event.start),
        "ticket": registration.ticket_type.name,
        "status": registration.get_status_display(),
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "organisation": registration.organisation,
        "job_title": registration.job_title,
        "institution": registration.institution,
        "mandate": registration.mandate,
        "accessibility_needs": registration.accessibility_needs,
        "language": registration.language,
        "registered_at": _moment(registration.created_at),
        "confirmed_at": _moment(registration.confirmed_at),
        "cancelled_at": _moment(registration.cancelled_at),
        "sessions": [
            signup.session.title
            for signup in registration.signups.select_related("session").order_by("session__start")
        ],
        # Plus-ones are other people: only how many.
        "plus_ones": registration.companions.count(),
    }


def _invitation_row(invitation: Invitation) -> dict:
    return {
        "event": invitation.event.title,
        "ticket": invitation.ticket_type.name,
        "first_name": invitation.first_name,
        "last_name": invitation.last_name,
        "email": invitation.email,
        "organisation": invitation.organisation,
        "job_title": invitation.job_title,
        "plus_ones_allowed": invitation.plus_ones_allowed,
        "answer": invitation.get_answer_display(),
        "answer_before": _moment(invitation.deadline),
        "answered_at": _moment(invitation.answered_at),
        "sent_at": _moment(invitation.sent_at),
    }


def _consent_row(registration: Registration) -> dict:
    return {
        "event": registration.event.title,
        "data_processing_accepted_at": _moment(registration.consent_processing_at),
        "photos": registration.consent_photos,
        "photos_withdrawn_at": _moment(registration.consent_photos_withdrawn_at),
        "news": registration.consent_news,
        "news_withdrawn_at": _moment(registration.consent_news_withdrawn_at),
        # Which privacy notice was in force and which boxes' wording was read (notices).
        "privacy_notice_version": (
            registration.privacy_notice.version if registration.privacy_notice_id else None
        ),
        "consent_wording": registration.consent_wording,
    }


def email_subject(email: OutgoingEmail) -> str:
    """The subject an outbox email had, in its recipient's language, rendered from its kind's
    template (no attachment is built)."""
    person = email.recipient
    language = getattr(person, "language", settings.LANGUAGE_CODE)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    context = {
        "email": email,
        "registration": email.registration,
        "invitation": email.invitation,
        "event": email.event,
        "person": person,
    }
    with translation.override(language):
        subject = render_to_string(f"emails/{email.kind}_subject.txt", context)
    return re.sub(r"[ \t\r\n\f\v]+", " ", subject).strip()


def _email_rows(subject: Subject) -> list[dict]:
    emails = (
        OutgoingEmail.objects.filter(
            Q(registration_id__in=subject.registration_ids)
            | Q(invitation_id__in=subject.invitation_ids)
        )
        .exclude(kind__in=OutgoingEmail.ORGANISER_KINDS)
        .select_related("registration__event", "invitation__event")
        .order_by("created_at", "pk")
    )
    return [
        {
            "kind": email.get_kind_display(),
            "subject": email_subject(email),
            "queued_at": _moment(email.created_at),
            "sent_at": _moment(email.sent_at),
            "status": email.get_status_display(),
        }
        for email in emails
    ]


def person_data(
    *,
    registration: Registration | None = None,
    invitation: Invitation | None = None,
    email: str | None = None,
    organisation=None,
) -> dict[str, list[dict]]:
    """Everything held on a person, by category: the registrations, invitations, consents and
    emails of this app, then what the apps above add (payments and invoices' payer details,
    check-ins). Nothing of another person (a plus-one is only counted).

    Either one registration (the attendee's page: its token proves no more than that
    registration) or one invitation (the guest's page), or every registration and invitation
    of an email address, within an organisation if given (the organisers' side)."""
    subject = subject_of(
        registration=registration, invitation=invitation, email=email, organisation=organisation
    )
    data = {
        "registrations": [_registration_row(item) for item in subject.registrations],
        "invitations": [_invitation_row(item) for item in subject.invitations],
        "consents": [_consent_row(item) for item in subject.registrations],
        "emails": _email_rows(subject),
    }
    for hook in _person_data_hooks:
        for category, rows in hook(subject).items():
            data.setdefault(category, []).extend(rows)
    return data


def subject_of(
    *, registration=None, invitation=None, email=None, organisation=None, companions=False
) -> Subject:
    """The registrations and invitations whose data is asked for (see person_data)."""
    registrations = Registration.objects.select_related("event", "ticket_type", "privacy_notice")
    invitations = Invitation.objects.select_related("event", "ticket_type")
    if registration is not None:
        query = Q(pk=registration.pk)
        if companions:
            query |= Q(companion_of_id=registration.pk)
        found = list(registrations.filter(query).order_by("companion_of_id", "pk"))
        linked = [registration.invitation_id] if registration.invitation_id else []
        return Subject(found, list(invitations.filter(pk__in=linked)))
    if invitation is not None:
        found = list(registrations.filter(invitation_id=invitation.pk, erased_at=None))
        if companions:
            found += list(registrations.filter(companion_of__invitation_id=invitation.pk))
        return Subject(found, list(invitations.filter(pk=invitation.pk)))
    address = services.clean_email(email)
    registrations = registrations.filter(email=address)
    invitations = invitations.filter(email__iexact=address)
    if organisation is not None:
        registrations = registrations.filter(event__organisation=organisation)
        invitations = invitations.filter(event__organisation=organisation)
    return Subject(
        list(registrations.order_by("created_at", "pk")),
        list(invitations.order_by("created_at", "pk")),
    )


# --- Correction -----------------------------------------------------------------------------

CORRECTABLE_FIELDS = ("first_name", "last_name", "organisation", "job_title")


def correct_details(*, registration: Registration, data: dict) -> Registration:
    """Correct name, organisation and title, at any time (the right to correct closes with no
    deadline), whatever the registration's status: badges and certificates are drawn from it.
    Checked by the same rules as registering. Raises ValidationError by field. Locks the
    registration's row while comparing with what is stored (the trail's before → after)."""
    if registration.erased_at is not None:
        raise ValidationError(_("This registration's personal data has been erased."))
    details = services.clean_attendee(
        {name: data.get(name) for name in CORRECTABLE_FIELDS}, require_email=False
    )
    with transaction.atomic():
        stored = (
            Registration.objects.select_for_update()
            .filter(pk=registration.pk)
            .values(*CORRECTABLE_FIELDS)
            .get()
        )
        corrected = {name: getattr(details, name) for name in CORRECTABLE_FIELDS}
        changes = audit.diff(stored, corrected)
        for name, value in corrected.items():
            setattr(registration, name, value)
        if changes:
            registration.save(update_fields=list(changes))
            audit.record("registration.edit", registration, changes=changes)
    return registration


def request_email_change(*, registration: Registration, new_email) -> OutgoingEmail:
    """Send the link that confirms a new email address to that address; nothing changes until
    it is followed (confirm_email_change). Raises ValidationError on `email`."""
    try:
        address = services.clean_email(new_email)
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from error
    if registration.erased_at is not None or not registration.email:
        raise ValidationError({"email": [_("This registration has no email address to change.")]})
    if address == registration.email:
        raise ValidationError({"email": [_("This is already the address of this registration.")]})
    _check_address_free(registration, address)
    return queue_email(
        OutgoingEmail.Kind.EMAIL_CHANGE, registration=registration, facts={"to_address": address}
    )


def _check_address_free(registration: Registration, address: str) -> None:
    taken = (
        Registration.objects.filter(
            event_id=registration.event_id, email=address, status__in=Registration.ACTIVE
        )
        .exclude(pk=registration.pk)
        .exists()
    )
    if taken and registration.is_active:
        raise ValidationError({"email": [_("This address is already registered for this event.")]})


def email_change_signature(*, registration: Registration, new_email: str) -> str:
    """What the confirmation link carries, signed: which registration, from which address
    (once the address has changed, the link is spent), to which."""
    return signing.dumps(
        {"r": registration.pk, "from": registration.email, "to": new_email},
        salt=_EMAIL_CHANGE_SALT,
        compress=True,
    )


class EmailChangeLinkError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def read_email_change(*, registration: Registration, signature: str) -> str:
    """The new address a confirmation link carries for this registration, or
    EmailChangeLinkError saying why the link cannot be used."""
    try:
        value = signing.loads(signature, salt=_EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired as error:
        raise EmailChangeLinkError(
            _("This confirmation link has expired. Ask for the change again from your page.")
        ) from error
    except signing.BadSignature as error:
        raise EmailChangeLinkError(
            _("This confirmation link is not valid. Copy the whole link from the email.")
        ) from error
    if (
        not isinstance(value, dict)
        or value.get("r") != registration.pk
        or not isinstance(value.get("to"), str)
    ):
        raise EmailChangeLinkError(
            _("This confirmation link is not valid. Copy the whole link from the email.")
        )
    if value.get("from") != registration.email or registration.erased_at is not None:
        raise EmailChangeLinkError(
            _("This confirmation link has already been used or replaced by a later change.")
        )
    return value["to"]


def confirm_email_change(*, registration: Registration, signature: str) -> Registration:
    """Apply the email change a followed link confirms. Raises EmailChangeLinkError, or
    ValidationError when the address has been registered for the event meanwhile."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        address = read_email_change(registration=registration, signature=signature)
        _check_address_free(registration, address)
        changes = {"email": [registration.email, address]}
        registration.email = address
        try:
            with transaction.atomic():
                registration.save(update_fields=["email"])
        except IntegrityError as error:
            raise ValidationError(
                {"email": [_("This address is already registered for this event.")]}
            ) from error
        audit.record("registration.edit", registration, changes=changes)
    return registration


def email_change_extras(email: OutgoingEmail, context: dict) -> EmailExtras:
    """The confirmation link of an email change, made at delivery (never stored)."""
    registration = email.registration
    signature = email_change_signature(
        registration=registration, new_email=email.facts.get("to_address", "")
    )
    path = reverse(
        "registrations:privacy-email",
        kwargs={"token": registration.manage_token, "signature": signature},
    )
    return EmailExtras(
        context={
            "confirm_url": settings.SITE_URL + path,
            "new_email": email.facts.get("to_address", ""),
            "valid_hours": EMAIL_CHANGE_MAX_AGE // 3600,
        }
    )


# --- Consents -------------------------------------------------------------------------------

CONSENTS = {"photos": "consent_photos", "news": "consent_news"}


def withdraw_consent(*, registration: Registration, consent: str) -> Registration:
    """Withdraw the photo or news consent, recording when. Idempotent."""
    if consent not in CONSENTS:
        raise ValidationError(_("Unknown consent: %(name)s.") % {"name": consent})
    flag = CONSENTS[consent]
    with transaction.atomic():
        given = Registration.objects.select_for_update().filter(pk=registration.pk)
        if given.values_list(flag, flat=True).get():
            setattr(registration, flag, False)
            setattr(registration, f"{flag}_withdrawn_at", timezone.now())
            registration.save(update_fields=[flag, f"{flag}_withdrawn_at"])
            audit.record("registration.edit", registration, changes={flag: [True, False]})
    return registration


# --- Lost links -----------------------------------------------------------------------------


def send_lost_links(email) -> bool:
    """Send to `email` one email with the personal links of every registration and invitation
    of that address (none if it has none). Returns whether one was queued; the page says the
    same either way."""
    address = services.clean_email(email)
    registration = (
        Registration.objects.filter(email=address, erased_at=None).order_by("-created_at").first()
    )
    invitation = None
    if registration is None:
        invitation = (
            Invitation.objects.filter(email__iexact=address, erased_at=None)
            .order_by("-created_at")
            .first()
        )
        if invitation is None:
            return False
    queue_email(OutgoingEmail.Kind.LOST_LINKS, registration=registration, invitation=invitation)
    return True


def lost_links_extras(email: OutgoingEmail, context: dict) -> EmailExtras:
    """Every personal link of the recipient's address, read at delivery."""
    address = email.recipient.email
    links = [
        (registration.event.title, settings.SITE_URL + registration.get_personal_url())
        for registration in Registration.objects.filter(email=address, erased_at=None)
        .select_related("event")
        .order_by("event__start", "pk")
    ]
    links += [
        (invitation.event.title, settings.SITE_URL + invitation.get_personal_url())
        for invitation in Invitation.objects.filter(email__iexact=address, erased_at=None)
        .exclude(registration__isnull=False)
        .select_related("event")
        .order_by("event__start", "pk")
    ]
    return EmailExtras(context={"links": links})


# --- Erasure --------------------------------------------------------------------------------

_PERSONAL_TEXT = ("organisation", "job_title", "institution", "mandate", "accessibility_needs")


def _identifying_values(people: Iterable) -> tuple[list[str], list[str]]:
    """Every personal value of these registrations and invitations, and the identifiers among
    them (full names, addresses). Values of one or two letters identify nobody."""
    values, identifiers = set(), set()
    for person in people:
        if person.erased_at is not None:  # already anonymised: nothing of theirs is left
            continue
        for name in ("first_name", "last_name", "email", *_PERSONAL_TEXT):
            value = (getattr(person, name, "") or "").strip()
            if len(value) >= 3 and value != ERASED_NAME:
                values.add(value)
        for value in (person.full_name, person.email):
            if len(value or "") >= 3 and value != ERASED_NAME:
                identifiers.add(value)
    return sorted(values | identifiers, key=len, reverse=True), sorted(identifiers)


def _erasure(people: list, **fields) -> Erasure:
    values, identifiers = _identifying_values(people)
    return Erasure(values=values, identifiers=identifiers, **fields)


def erase_registration(
    *, registration: Registration, reason: str = "", by=None, cancel: bool = True
) -> Erasure:
    """Erase a person's registration: cancel it if still active (the ticket's refund rules and
    the credit note apply, see services.cancel_registration), then anonymise its personal data
    and its plus-ones' in every table: the registrations and their invitation, the outbox, the
    admin's log, task results, login attempts, and through the hooks of the apps above the
    stored payment provider payloads, check-ins and badge sheets, and the audit trail.

    Kept: invoices and credit notes with their payer details (accounting retention), the
    rows themselves for anonymous counts. The one way to erase: the attendee's page, and the
    organisers later. Idempotent.

    `cancel=False` (the retention command, registrations/retention.py, on an event that has
    ended): an active registration is not cancelled (no refund, no credit note), it keeps its
    status for the anonymous counts."""
    registration = Registration.objects.get(pk=registration.pk)
    if cancel and registration.is_active:
        # No cancellation email: it would be delivered after the address is gone.
        services.cancel_registration(registration=registration, notify=False)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        subject = subject_of(registration=registration, companions=True)
        erasure = _erasure(
            [*subject.registrations, *subject.invitations],
            registrations=subject.registrations,
            invitations=subject.invitations,
            reason=reason,
            by=by,
        )
        _erase_elsewhere(erasure)
        now = timezone.now()
        for person in erasure.registrations:
            _anonymise_registration(person, now)
        for invitation in erasure.invitations:
            _anonymise_invitation(invitation, now)
        registration.refresh_from_db()
        audit.record("registration.erase", registration, changes=_reason(reason))
    return erasure


def erase_invitation(
    *, invitation: Invitation, reason: str = "", by=None, cancel: bool = True
) -> Erasure:
    """Erase a guest's invitation: through its registration if they accepted (see
    erase_registration), else declined if still pending and anonymised (`cancel=False`: left
    unanswered, as erase_registration)."""
    registration = Registration.objects.filter(invitation_id=invitation.pk).first()
    if registration is not None:
        return erase_registration(registration=registration, reason=reason, by=by, cancel=cancel)
    invitation = Invitation.objects.get(pk=invitation.pk)
    if cancel and invitation.answer == Invitation.Answer.PENDING and invitation.is_open():
        services.decline_invitation(invitation=invitation)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        erasure = _erasure([invitation], invitations=[invitation], reason=reason, by=by)
        _erase_elsewhere(erasure)
        _anonymise_invitation(invitation, timezone.now())
        audit.record("invitation.erase", invitation, changes=_reason(reason))
    return erasure


def _reason(reason: str) -> dict:
    # What the trail keeps of an erasure: why (the organisers write no personal data there).
    return {"reason": ["", reason]} if reason else {}


def _erase_elsewhere(erasure: Erasure) -> None:
    """Everything but the registrations and invitations themselves: the apps above (hooks),
    the outbox, the admin's log, task results, login attempts, uploaded guest lists."""
    if not erasure.values:
        return
    for hook in _erasure_hooks:
        hook(erasure)
    _erase_outbox(erasure)
    _erase_log_entries(erasure)
    _erase_task_results(erasure)
    _erase_login_attempts(erasure)
    _erase_guest_list_files(erasure)
    # The trail: the entries of the person's registrations and invitations stay (who did
    # what, when) without the person; elsewhere their names and addresses are scrubbed.
    audit.anonymise_entries(
        content_type=ContentType.objects.get_for_model(Registration),
        ids=erasure.registration_ids,
        values=erasure.identifiers,
        organisation=erasure.organisation_id,
    )
    audit.anonymise_entries(
        content_type=ContentType.objects.get_for_model(Invitation), ids=erasure.invitation_ids
    )
    # What the calendar feeds keep in the cache (events/feed_cache.py): no feed names an
    # attendee today, but a speaker who registered is both; the next polls rebuild it.
    feed_cache.forget_kept_entries()


def _anonymise_registration(registration: Registration, now) -> None:
    registration.first_name = ""
    registration.last_name = ERASED_NAME
    registration.email = (
        f"erased-{registration.pk}@erased.invalid" if registration.companion_of_id is None else ""
    )
    for name in _PERSONAL_TEXT:
        setattr(registration, name, "")
    registration.consent_photos = False
    registration.consent_news = False
    registration.manage_token = new_token()
    registration.badge_token = new_badge_token()
    registration.erased_at = registration.erased_at or now
    registration.save()


def _anonymise_invitation(invitation: Invitation, now) -> None:
    invitation.first_name = ""
    invitation.last_name = ERASED_NAME
    invitation.email = f"erased-invitation-{invitation.pk}@erased.invalid"
    invitation.organisation = ""
    invitation.job_title = ""
    invitation.token = new_token()
    invitation.erased_at = invitation.erased_at or now
    invitation.save()


def _erase_outbox(erasure: Erasure) -> None:
    """The outbox keeps no subject or body (emails are rendered at delivery): its facts and
    errors go, and what is still queued is not sent to an address that no longer exists."""
    emails = OutgoingEmail.objects.filter(
        Q(registration_id__in=erasure.registration_ids)
        | Q(invitation_id__in=erasure.invitation_ids)
    )
    emails.filter(status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.SUPERSEDED, leased_until=None
    )
    emails.update(facts={}, last_error="")
    OutgoingEmail.objects.filter(erasure.text_filter("last_error")).update(last_error="")


def _erase_log_entries(erasure: Erasure) -> None:
    """The admin's history: the entries stay (who did what, when), without the person."""
    own = Q(
        content_type=ContentType.objects.get_for_model(Registration),
        object_id__in=[str(pk) for pk in erasure.registration_ids],
    ) | Q(
        content_type=ContentType.objects.get_for_model(Invitation),
        object_id__in=[str(pk) for pk in erasure.invitation_ids],
    )
    LogEntry.objects.filter(own | erasure.text_filter("object_repr", "change_message")).update(
        object_repr=ERASED_NAME, change_message=""
    )


def _erase_task_results(erasure: Erasure) -> None:
    """Task results (arguments, return values, tracebacks) that mention the person."""
    DBTaskResult.objects.filter(
        erasure.text_filter("args_kwargs", "return_value", "traceback")
    ).delete()


def _erase_login_attempts(erasure: Erasure) -> None:
    """django-axes' records of login attempts made with the person's address."""
    AccessAttempt.objects.filter(erasure.text_filter("username", "get_data", "post_data")).delete()
    AccessLog.objects.filter(erasure.text_filter("username")).delete()
    AccessFailureLog.objects.filter(erasure.text_filter("username")).delete()


def _erase_guest_list_files(erasure: Erasure) -> None:
    """Uploaded guest lists keep their file: the person's lines are removed from it, and from
    the import's reports."""
    event_ids = {person.event_id for person in [*erasure.registrations, *erasure.invitations]}
    for upload in GuestListImport.objects.filter(event_id__in=event_ids):
        content = bytes(upload.content or b"")
        text = content.decode("utf-8-sig", errors="replace")
        kept = [line for line in text.splitlines(keepends=True) if not erasure.mentions(line)]
        preview = [error for error in upload.preview_errors if not erasure.mentions(error)]
        imported = [error for error in upload.import_errors if not erasure.mentions(error)]
        if (
            "".join(kept) != text
            or preview != upload.preview_errors
            or (imported != upload.import_errors)
        ):
            upload.content = "".join(kept).encode()
            upload.preview_errors = preview
            upload.import_errors = imported
            upload.save(update_fields=["content", "preview_errors", "import_errors"])


def erase_speaker_traces(speaker, values: list[str]) -> None:
    """What this app holds of an erased speaker (speakers.privacy.on_speaker_erasure): the
    facts and errors of the outbox's emails to them, nothing more queued; the admin's history
    of their profile without their name."""
    emails = OutgoingEmail.objects.filter(speaker=speaker)
    emails.filter(status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.SUPERSEDED, leased_until=None
    )
    emails.update(facts={}, last_error="")
    own = Q(content_type=ContentType.objects.get_for_model(speaker), object_id=str(speaker.pk))
    mentions = Q(pk__in=[])
    for value in values:
        mentions |= Q(object_repr__icontains=value) | Q(change_message__icontains=value)
    LogEntry.objects.filter(own | mentions).update(object_repr=ERASED_NAME, change_message="")
