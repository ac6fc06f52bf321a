"""Guest list imports in the back office: upload a CSV file, read the preview (lines read,
lines refused with their reason, duplicates), send the invitations now or at a chosen time,
then watch the progress and read the final report on the import's page.

The requests only read the file and queue the work: the background task
(`registrations.guest_list_imports.import_guest_list`) invites the guests. Dates are typed
and shown in the event's time zone."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Event
from events.zoned_admin import (
    EventTimeZoneAdmin,
    ZonedSplitDateTimeField,
    in_event_zone,
    render_now,
    zone_help_text,
    zone_named,
)
from organisations.admin import OrganisationScopedAdmin, editable_organisations, scope_queryset
from registrations import guest_list_imports
from registrations.models import GuestListImport, TicketType


class GuestListUploadForm(forms.Form):
    event = forms.ModelChoiceField(label=_("event"), queryset=Event.objects.none())
    ticket_type = forms.ModelChoiceField(label=_("ticket type"), queryset=TicketType.objects.none())
    deadline = ZonedSplitDateTimeField(label=_("answer before"), widget=AdminSplitDateTime)
    file = forms.FileField(
        label=_("guest list (CSV)"),
        help_text=_(
            "Columns: first name, last name, email, organisation, title, plus-ones allowed. "
            "Saved from Excel or LibreOffice, separated by “;” or “,”."
        ),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        organisation_ids = editable_organisations(request)
        self.fields["event"].queryset = scope_queryset(
            Event.objects.order_by("-start"), organisation_ids
        )
        self.fields["ticket_type"].queryset = scope_queryset(
            TicketType.objects.select_related("event").order_by("event__start", "position"),
            organisation_ids,
        )
        self.fields["ticket_type"].label_from_instance = lambda item: f"{item} — {item.event}"
        # The page runs in the zone of the event sent with the form, if any.
        self.fields["deadline"].help_text = (
            gettext("In the event's time zone (%(zone)s for the event chosen above).")
            % {"zone": timezone.get_current_timezone_name()}
            if self.data.get("event")
            else gettext("In the event's time zone.")
        )

    def clean(self):
        cleaned_data = super().clean()
        event, ticket_type = cleaned_data.get("event"), cleaned_data.get("ticket_type")
        if event and ticket_type and ticket_type.event_id != event.pk:
            self.add_error("ticket_type", gettext("This ticket type is not one of this event's."))
        return cleaned_data


class SendForm(forms.Form):
    send_at = ZonedSplitDateTimeField(label=_("send at"), widget=AdminSplitDateTime, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["send_at"].help_text = " ".join(
            [gettext("Leave empty to send the invitations now."), zone_help_text()]
        )


@admin.register(GuestListImport)
class GuestListImportAdmin(EventTimeZoneAdmin, OrganisationScopedAdmin):
    list_display = ["file_name", "event", "status", "progress", "report", "created_by", "uploaded"]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter), "status"]
    list_select_related = ["event", "created_by"]

    def get_queryset(self, request):
        # The lists and pages never load the files.
        return super().get_queryset(request).defer("content")

    def has_delete_permission(self, request, obj=None):
        return False  # the report stays

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        zone = self.page_time_zone(request) or timezone.get_current_timezone()
        with timezone.override(zone):
            form = GuestListUploadForm(request.POST or None, request.FILES or None, request=request)
            if request.method == "POST" and form.is_valid():
                try:
                    job = guest_list_imports.preview_guest_list(
                        event=form.cleaned_data["event"],
                        ticket_type=form.cleaned_data["ticket_type"],
                        deadline=form.cleaned_data["deadline"],
                        uploaded_file=form.cleaned_data["file"],
                        user=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    return HttpResponseRedirect(
                        reverse("admin:registrations_guestlistimport_change", args=[job.pk])
                    )
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Import a guest list (CSV)"),
                "form": form,
                "media": self.media + form.media,
            }
            return render_now(
                TemplateResponse(
                    request, "admin/registrations/guestlistimport/upload.html", context
                )
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        if job is None or not self.has_view_permission(request, job):
            raise Http404
        may_send = self.has_change_permission(request, job)
        with timezone.override(zone_named(job.event.time_zone)):
            form = SendForm(request.POST or None)
            if request.method == "POST":
                if not may_send:
                    raise PermissionDenied
                response = self._send(request, job, form)
                if response is not None:
                    return response
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": str(job),
                "original": job,
                "form": form,
                "may_send": may_send,
                "answer_before": in_event_zone(job.deadline, job.event),
                "send_at": in_event_zone(job.send_at, job.event) if job.send_at else "",
                "media": self.media + form.media,
            }
            return render_now(
                TemplateResponse(
                    request, "admin/registrations/guestlistimport/import.html", context
                )
            )

    def _send(self, request, job, form):
        """Queue the import (or resume a failed one); None to show the page again."""
        try:
            if "resume" in request.POST:
                guest_list_imports.resume_guest_list_import(guest_list_import=job)
            elif form.is_valid():
                guest_list_imports.confirm_guest_list_import(
                    guest_list_import=job, send_at=form.cleaned_data["send_at"]
                )
            else:
                return None
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
            return None
        self.message_user(
            request,
            gettext("The import is queued: this page shows its progress, then its report."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(request.path)

    @admin.display(description=_("progress"))
    def progress(self, job):
        return gettext("%(done)d of %(total)d guests") % {
            "done": job.processed,
            "total": job.to_invite,
        }

    @admin.display(description=_("report"))
    def report(self, job):
        return gettext("%(created)d invited, %(refused)d lines refused") % {
            "created": job.created,
            "refused": len(job.preview_errors) + len(job.import_errors),
        }

    @admin.display(description=_("uploaded at"), ordering="created_at")
    def uploaded(self, job):
        return in_event_zone(job.created_at, job.event)
