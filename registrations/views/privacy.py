"""The attendee's rights, from their personal link: see what is held on them (a page and a
JSON file), correct their details, change their email address (confirmed from the new one),
withdraw a consent, erase their data; and the public lost-link page.

Views parse the request and call one function of registrations/privacy.py, which holds the
rules; every page of a personal link is private (registrations/http.py)."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from registrations import privacy
from registrations.forms.privacy import DetailsForm, EmailChangeForm, LostLinkForm
from registrations.http import private_page
from registrations.models import Invitation, Registration
from registrations.ratelimit import rate_limited

CATEGORIES = {
    "registrations": gettext_lazy("Registrations"),
    "invitations": gettext_lazy("Invitations"),
    "consents": gettext_lazy("Consents"),
    "emails": gettext_lazy("Emails sent to you"),
    "payments": gettext_lazy("Payments"),
    "invoices": gettext_lazy("Invoices and credit notes (payer details)"),
    "checkins": gettext_lazy("Check-ins"),
}
LABELS = {
    "event": gettext_lazy("Event"),
    "event_starts": gettext_lazy("Event starts"),
    "ticket": gettext_lazy("Ticket"),
    "status": gettext_lazy("Status"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email"),
    "organisation": gettext_lazy("Organisation"),
    "job_title": gettext_lazy("Role or title"),
    "institution": gettext_lazy("School or university"),
    "mandate": gettext_lazy("Mandate"),
    "accessibility_needs": gettext_lazy("Accessibility needs"),
    "language": gettext_lazy("Language"),
    "registered_at": gettext_lazy("Registered at"),
    "confirmed_at": gettext_lazy("Confirmed at"),
    "cancelled_at": gettext_lazy("Cancelled at"),
    "sessions": gettext_lazy("Sessions"),
    "plus_ones": gettext_lazy("Plus-ones"),
    "plus_ones_allowed": gettext_lazy("Plus-ones allowed"),
    "answer": gettext_lazy("Answer"),
    "answer_before": gettext_lazy("Answer before"),
    "answered_at": gettext_lazy("Answered at"),
    "sent_at": gettext_lazy("Sent at"),
    "data_processing_accepted_at": gettext_lazy("Data processing accepted at"),
    "photos": gettext_lazy("Agrees to be photographed"),
    "photos_withdrawn_at": gettext_lazy("Photo consent withdrawn at"),
    "news": gettext_lazy("Wants news of future events"),
    "news_withdrawn_at": gettext_lazy("News consent withdrawn at"),
    "kind": gettext_lazy("Kind"),
    "subject": gettext_lazy("Subject"),
    "queued_at": gettext_lazy("Written at"),
    "method": gettext_lazy("Method"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "created_at": gettext_lazy("Created at"),
    "paid_at": gettext_lazy("Paid at"),
    "amount_refunded": gettext_lazy("Amount refunded"),
    "refunded_at": gettext_lazy("Refunded at"),
    "billing": gettext_lazy("Payer details"),
    "invoice": gettext_lazy("Invoice"),
    "credit_note": gettext_lazy("Credit note"),
    "number": gettext_lazy("Number"),
    "issued_at": gettext_lazy("Issued at"),
    "total_including_vat": gettext_lazy("Total including VAT"),
    "payer_name": gettext_lazy("Paying body"),
    "payer_email": gettext_lazy("Payer's email"),
    "checkpoint": gettext_lazy("Checkpoint"),
    "scanned_at": gettext_lazy("Scanned at"),
    "direction": gettext_lazy("Direction"),
    "result": gettext_lazy("Result"),
    "annulled_at": gettext_lazy("Annulled at"),
    "correction_reason": gettext_lazy("Reason given by the door staff"),
}


def _shown(value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None or value in ("", [], {}):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{LABELS.get(key, key)}: {_shown(item)}" for key, item in value.items() if item
        )
    return str(value)


def readable(data: dict) -> list[tuple[str, list[list[tuple[str, str]]]]]:
    """The export as the page shows it: (category, rows of (label, value))."""
    return [
        (
            CATEGORIES.get(category, category),
            [[(LABELS.get(key, key), _shown(value)) for key, value in row.items()] for row in rows],
        )
        for category, rows in data.items()
    ]


def _json_download(data: dict, filename: str) -> HttpResponse:
    body = json.dumps(
        {"exported_at": timezone.now().isoformat(), **data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=2,
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private_page(response)


def _registration_or_404(token: str) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event__organisation", "ticket_type"),
        manage_token=token,
        erased_at=None,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("privacy")
def privacy_page(request, token):
    """My data and my rights: what is held, correct it, change the address, withdraw a
    consent, erase."""
    registration = _registration_or_404(token)
    details_form = DetailsForm(
        initial={name: getattr(registration, name) for name in privacy.CORRECTABLE_FIELDS},
        prefix="details",
    )
    email_form = EmailChangeForm(prefix="email")
    confirm_erase = False
    here = redirect("registrations:privacy", token=registration.manage_token)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "details":
            details_form = DetailsForm(request.POST, prefix="details")
            if details_form.is_valid():
                try:
                    privacy.correct_details(
                        registration=registration, data=details_form.cleaned_data
                    )
                except ValidationError as error:
                    details_form.add_service_errors(error)
                else:
                    messages.success(request, _("Your details have been corrected."))
                    return private_page(here)
        elif action == "email":
            email_form = EmailChangeForm(request.POST, prefix="email")
            if email_form.is_valid():
                try:
                    privacy.request_email_change(
                        registration=registration, new_email=email_form.cleaned_data["email"]
                    )
                except ValidationError as error:
                    email_form.add_service_errors(error)
                else:
                    messages.success(
                        request,
                        _(
                            "We have sent a confirmation link to the new address. Your address "
                            "changes only once you follow it."
                        ),
                    )
                    return private_page(here)
        elif action == "withdraw" and request.POST.get("consent") in privacy.CONSENTS:
            privacy.withdraw_consent(registration=registration, consent=request.POST["consent"])
            messages.success(request, _("Your consent has been withdrawn."))
            return private_page(here)
        elif action == "erase":
            if request.POST.get("confirm") == "yes":
                privacy.erase_registration(
                    registration=registration, reason="attendee's request", by=None
                )
                return private_page(redirect("registrations:erased"))
            confirm_erase = True
        else:
            messages.error(request, _("This action is not available."))
            return private_page(here)
    return private_page(
        render(
            request,
            "registrations/privacy.html",
            {
                "registration": registration,
                "event": registration.event,
                "data": readable(privacy.person_data(registration=registration)),
                "details_form": details_form,
                "email_form": email_form,
                "confirm_erase": confirm_erase,
            },
        )
    )


def privacy_data(request, token):
    """The same data as a JSON file."""
    registration = _registration_or_404(token)
    return _json_download(
        privacy.person_data(registration=registration),
        f"my-data-{registration.event.slug}.json",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def email_change(request, token, signature):
    """Where the confirmation link of an email change leads: a button applies the change (a
    mail scanner following the link changes nothing)."""
    registration = _registration_or_404(token)
    error = None
    new_email = None
    try:
        new_email = privacy.read_email_change(registration=registration, signature=signature)
    except privacy.EmailChangeLinkError as problem:
        error = problem.message
    if request.method == "POST" and error is None:
        try:
            privacy.confirm_email_change(registration=registration, signature=signature)
        except privacy.EmailChangeLinkError as problem:
            error = problem.message
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _("Your email address has been changed."))
            return private_page(redirect(registration.get_personal_url()))
    return private_page(
        render(
            request,
            "registrations/email_change.html",
            {
                "registration": registration,
                "event": registration.event,
                "new_email": new_email,
                "error": error,
            },
            status=400 if error else 200,
        )
    )


def erased(request):
    """Where an erasure leads: the personal link no longer opens anything."""
    return private_page(render(request, "registrations/erased.html"))


def _invitation_or_404(token: str) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("event__organisation", "ticket_type"),
        token=token,
        erased_at=None,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("privacy")
def invitation_privacy(request, token):
    """A guest's data and its erasure, from the invitation's link."""
    invitation = _invitation_or_404(token)
    confirm_erase = False
    if request.method == "POST":
        if request.POST.get("action") == "erase":
            if request.POST.get("confirm") == "yes":
                privacy.erase_invitation(invitation=invitation, reason="guest's request", by=None)
                return private_page(redirect("registrations:erased"))
            confirm_erase = True
        else:
            messages.error(request, _("This action is not available."))
    registration = Registration.objects.filter(invitation=invitation, erased_at=None).first()
    return private_page(
        render(
            request,
            "registrations/invitation_privacy.html",
            {
                "invitation": invitation,
                "event": invitation.event,
                "registration": registration,
                "data": readable(privacy.person_data(invitation=invitation)),
                "confirm_erase": confirm_erase,
            },
        )
    )


def invitation_privacy_data(request, token):
    invitation = _invitation_or_404(token)
    return _json_download(
        privacy.person_data(invitation=invitation), f"my-data-{invitation.event.slug}.json"
    )


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("lost_link")
def lost_link(request):
    """Enter an address, receive the links of its registrations and invitations. The page
    answers the same whether the address is known or not."""
    form = LostLinkForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            privacy.send_lost_links(form.cleaned_data["email"])
        except ValidationError as error:
            form.add_error("email", error.messages)
        else:
            return render(request, "registrations/lost_link.html", {"sent": True})
    return render(request, "registrations/lost_link.html", {"form": form})
