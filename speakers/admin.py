"""Speakers in the back office, scoped to the user's organisations like the programme."""

import json

from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from common.forms import ErasureReasonForm
from organisations.admin import OrganisationScopedAdmin
from speakers.forms import SpeakerAdminForm
from speakers.models import Speaker
from speakers.privacy import erase_speaker, speaker_data
from speakers.services import (
    create_speaker,
    delete_speaker,
    remove_speaker_photo,
    set_speaker_photo,
    update_speaker,
)


class HasPhotoFilter(admin.SimpleListFilter):
    title = _("photo")
    parameter_name = "has_photo"

    def lookups(self, request, model_admin):
        return [("yes", _("with a photo")), ("no", _("without a photo"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(photo="")
        if self.value() == "no":
            return queryset.filter(photo="")
        return queryset


@admin.register(Speaker)
class SpeakerAdmin(OrganisationScopedAdmin, TranslationAdmin):
    form = SpeakerAdminForm
    list_display = ["thumbnail", "name", "title", "affiliation", "photo_consent", "organisation"]
    list_display_links = ["thumbnail", "name"]
    list_filter = [
        "photo_consent",
        HasPhotoFilter,
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["organisation"]
    search_fields = ["name", "title_fr", "title_en", "affiliation", "email"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["current_photo"]
    # A speaker's page belongs to an event (/events/<slug>/speakers/<slug>/): no one page to show.
    view_on_site = False
    actions = ["export_personal_data", "erase_personal_data"]
    fieldsets = [
        (None, {"fields": ["organisation", "name", "slug", "title", "affiliation", "bio"]}),
        (_("Photo"), {"fields": ["current_photo", "upload", "remove_photo", "photo_consent"]}),
        (_("Contact and links"), {"fields": ["email", "website", "linkedin"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        """The first block says which privacy notice covers the speaker's data: there is no
        public form for speakers, so the organisers point them to it."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            description = _(
                "The speaker's details are covered by the organisation's privacy notice "
                "(/confidentialite/<organisation>/): give the speaker its address when you "
                "collect them."
            )
        else:
            description = format_html(
                _(
                    "The speaker's details are covered by the organisation's "
                    '<a href="{}">privacy notice</a>: give the speaker its address when you '
                    "collect them."
                ),
                reverse("notices:privacy", kwargs={"slug": obj.organisation.slug}),
            )
        (name, options), *others = fieldsets
        return [(name, {**options, "description": description}), *others]

    @admin.display(description=_("photo"))
    def thumbnail(self, speaker):
        if not speaker.photo_thumbnail:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="48" height="48" style="border-radius: 50%">',
            speaker.photo_thumbnail.url,
        )

    @admin.display(description=_("current photo"))
    def current_photo(self, speaker):
        if not speaker.photo_thumbnail:
            return _("No photo yet.")
        return format_html(
            '<a href="{}"><img src="{}" alt="" width="120" height="120"></a>',
            speaker.photo.url if speaker.photo else speaker.photo_thumbnail.url,
            speaker.photo_thumbnail.url,
        )

    def save_model(self, request, obj, form, change):
        # Through the services, which write the trail.
        if change:
            update_speaker(speaker=obj, data={})
        else:
            create_speaker(organisation=obj.organisation, data={}, speaker=obj)
        if form.cleaned_data.get("upload"):
            set_speaker_photo(speaker=obj, upload=form.cleaned_data["upload"])
        elif form.cleaned_data.get("remove_photo"):
            remove_speaker_photo(speaker=obj)

    def delete_model(self, request, obj):
        delete_speaker(speaker=obj)

    def delete_queryset(self, request, queryset):
        for speaker in queryset:
            delete_speaker(speaker=speaker)

    @admin.action(description=_("Export the selected speakers' personal data (JSON)"))
    def export_personal_data(self, request, queryset):
        """What is held on each speaker selected, for a request the organiser answers on the
        speaker's behalf (their own page comes later)."""
        payload = [speaker_data(speaker) for speaker in queryset.select_related("organisation")]
        response = HttpResponse(
            json.dumps(payload, ensure_ascii=False, indent=2, default=str),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="speakers-personal-data.json"'
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description=_("Erase the selected speakers' personal data"))
    def erase_personal_data(self, request, queryset):
        """Asks for the reason first, then erases each speaker's profile, contact details and
        photo (speakers.privacy.erase_speaker); their sessions stay, by "Name withdrawn"."""
        form = ErasureReasonForm(request.POST if "confirmed" in request.POST else None)
        if form.is_bound and form.is_valid():
            for speaker in queryset:
                erased = erase_speaker(speaker=speaker, reason=form.cleaned_data["reason"])
                self.log_change(
                    request,
                    erased,
                    gettext("Personal data erased on request: %(reason)s")
                    % {"reason": form.cleaned_data["reason"]},
                )
            self.message_user(
                request,
                ngettext(
                    "%(count)d speaker's personal data erased.",
                    "%(count)d speakers' personal data erased.",
                    len(queryset),
                )
                % {"count": len(queryset)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Erase speakers' personal data"),
            "explanation": gettext(
                "Their name, profile, contact details and photo will be erased for good; the "
                "sessions they took part in will show “Name withdrawn”."
            ),
            "items": [str(speaker) for speaker in queryset],
            "form": form,
            "selected": [str(speaker.pk) for speaker in queryset],
            "action": "erase_personal_data",
        }
        return TemplateResponse(request, "admin/privacy/erase.html", context)
