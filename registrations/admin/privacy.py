"""The organisers' side of a person's rights (issue 13): find everything the user's organisations
hold on an email address, across their events; export it (JSON) or erase it, with a reason.

The data and the erasure are `registrations.privacy`'s, the same the attendee's page uses; this
page only scopes them to the organisations the user edits, and records who erased and why in
the back office's history."""

import json

from django import forms
from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.forms import ErasureReasonForm
from organisations.admin import editable_organisations, may_edit
from organisations.models import Organisation
from registrations import privacy
from registrations.http import private_page
from registrations.models import Registration


class PersonSearchForm(forms.Form):
    email = forms.EmailField(label=_("email address"), max_length=254)


class ErasureForm(ErasureReasonForm):
    email = forms.EmailField(widget=forms.HiddenInput, max_length=254)


def _organisations(request):
    organisation_ids = editable_organisations(request)
    organisations = Organisation.objects.order_by("name")
    if organisation_ids is None:
        return organisations
    return organisations.filter(pk__in=organisation_ids)


def _found(request, email: str) -> list[tuple[Organisation, dict]]:
    """Per organisation of the user's, what it holds on `email` (nothing: left out)."""
    found = []
    for organisation in _organisations(request):
        data = privacy.person_data(email=email, organisation=organisation)
        if data["registrations"] or data["invitations"]:
            found.append((organisation, data))
    return found


def personal_data_view(model_admin, request):
    """Find, export and erase a person's data across the user's organisations' events."""
    if not may_edit(request):
        raise PermissionDenied
    search = PersonSearchForm(request.GET or None)
    email, found = "", []
    if search.is_valid():
        email = search.cleaned_data["email"]
        found = _found(request, email)
        if request.GET.get("format") == "json":
            payload = {organisation.slug: data for organisation, data in found}
            response = HttpResponse(
                json.dumps(payload, ensure_ascii=False, indent=2, default=str),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
            return private_page(response)
    erase = ErasureForm(request.POST or None, initial={"email": email})
    if request.method == "POST" and erase.is_valid():
        erased = _erase(request, erase.cleaned_data["email"], erase.cleaned_data["reason"])
        messages.success(
            request,
            ngettext(
                "%(count)d registration or invitation erased. Invoices keep their payer details.",
                "%(count)d registrations or invitations erased. Invoices keep their payer details.",
                erased,
            )
            % {"count": erased},
        )
        return HttpResponseRedirect(request.path)
    if request.method == "POST":
        email = erase.data.get("email", "")
        search = PersonSearchForm({"email": email})
        found = _found(request, email) if search.is_valid() else []
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Personal data requests"),
        "search": search,
        "searched": bool(email),
        "email": email,
        "found": found,
        "erase": erase,
    }
    return private_page(TemplateResponse(request, "admin/privacy/person.html", context))


def _erase(request, email: str, reason: str) -> int:
    """Erase every registration and invitation of `email` in the user's organisations, each
    recorded in the history with the reason (never the person's data)."""
    erased = 0
    for organisation in _organisations(request):
        subject = privacy.subject_of(email=email, organisation=organisation)
        for registration in subject.registrations:
            if registration.companion_of_id is not None or registration.erased_at is not None:
                continue
            privacy.erase_registration(registration=registration, reason=reason, by=request.user)
            _log(request, Registration, registration.pk, reason)
            erased += 1
        for invitation in subject.invitations:
            if invitation.erased_at is not None:
                continue
            privacy.erase_invitation(invitation=invitation, reason=reason, by=request.user)
            _log(request, type(invitation), invitation.pk, reason)
            erased += 1
    return erased


def _log(request, model, pk: int, reason: str) -> None:
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=model.objects.filter(pk=pk),
        action_flag=CHANGE,
        change_message=gettext("Personal data erased on request: %(reason)s") % {"reason": reason},
        single_object=True,
    )
