"""Back office of badge sheets: ordering one for an event, following its building, downloading
it. Scoped like the rest (organisations/admin.py)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from badges import services as sheets
from badges.models import BadgeSheet
from events.zoned_admin import in_event_zone
from organisations.admin import (
    OrganisationScopedAdmin,
)
from registrations import services
from registrations.http import private_page
from registrations.services import RegistrationError

# --- Badge sheets ---------------------------------------------------------------------------


class BadgeSheetForm(forms.ModelForm):
    class Meta:
        model = BadgeSheet
        fields = ["event", "layout"]

    def clean_event(self):
        event = self.cleaned_data["event"]
        if not services.badge_holders(event=event).exists():
            raise ValidationError(
                gettext(
                    "No registration of this event has a badge yet: badges are printed for "
                    "confirmed registrations and those awaiting payment."
                )
            )
        return event


@admin.register(BadgeSheet)
class BadgeSheetAdmin(OrganisationScopedAdmin):
    """Sheets of an event's badges, built in the background: the organiser picks an event and
    a layout, then watches the progress on the sheet's page and downloads the PDF there.
    A sheet is never edited (make another); the PDF is served only here, to the organisers of
    the event's organisation."""

    form = BadgeSheetForm
    list_display = ["event", "layout", "status", "progress", "created_by", "requested", "download"]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter), "status"]
    list_select_related = ["event", "created_by"]
    change_form_template = "admin/badges/badgesheet/change_form.html"
    view_fields = [
        "event",
        "layout",
        "status",
        "progress",
        "created_by",
        "requested",
        "finished",
        "error",
        "download",
    ]

    def get_queryset(self, request):
        # The list and the sheet's page never load the PDFs.
        return super().get_queryset(request).defer("pdf")

    def get_fields(self, request, obj=None):
        return ["event", "layout"] if obj is None else self.view_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.view_fields

    def has_change_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        """A sheet is only ever added, by the service that queues its building: the admin goes
        on (history, message, redirect) with the sheet it saved."""
        try:
            return sheets.queue_badge_sheet(
                event=form.cleaned_data["event"],
                layout=form.cleaned_data["layout"],
                user=request.user,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except RegistrationError as error:
            # Shown on the form again, the whole save rolled back (see OrganisationScopedAdmin).
            raise ValidationError(error.message) from error

    def save_model(self, request, obj, form, change):
        """Saved by queue_badge_sheet in save_form."""

    def save_related(self, request, form, formsets, change):
        """Nothing related: the service saved everything."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # One way out of the form: the sheet's page, where its progress shows.
        context.update(show_save_and_add_another=False, show_save_and_continue=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        # To the sheet's page, which shows the progress and then the download link.
        self.message_user(
            request,
            gettext("The badge sheet is queued: this page shows its progress."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:badges_badgesheet_change", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<int:sheet_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="badges_badgesheet_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, sheet_id):
        sheet = (
            self.get_queryset(request)
            .filter(pk=sheet_id, status=BadgeSheet.Status.DONE)
            .select_related("event")
            .first()
        )
        if sheet is None or not self.has_view_permission(request, sheet):
            raise Http404
        pdf = BadgeSheet.objects.filter(pk=sheet.pk).values_list("pdf", flat=True).get()
        response = HttpResponse(bytes(pdf), content_type="application/pdf")
        filename = f"badges-{sheet.event.slug}-{sheet.layout}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return private_page(response)

    @admin.display(description=_("progress"))
    def progress(self, sheet):
        return gettext("%(done)d of %(total)d badges") % {"done": sheet.done, "total": sheet.total}

    @admin.display(description=_("requested at"), ordering="created_at")
    def requested(self, sheet):
        return in_event_zone(sheet.created_at, sheet.event)

    @admin.display(description=_("finished at"), ordering="finished_at")
    def finished(self, sheet):
        return in_event_zone(sheet.finished_at, sheet.event)

    @admin.display(description=_("PDF"))
    def download(self, sheet):
        if sheet.status != BadgeSheet.Status.DONE:
            return "—"
        url = reverse("admin:badges_badgesheet_download", args=[sheet.pk])
        label = gettext("Download (%(size)s)") % {"size": filesizeformat(sheet.pdf_size)}
        return format_html('<a href="{}" download>{}</a>', url, label)


# The door's back office (checkpoints, scanner devices, scan log), and guest list imports.
