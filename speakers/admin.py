"""Speakers in the back office, scoped to the user's organisations like the programme."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from organisations.admin import OrganisationScopedAdmin
from speakers.forms import SpeakerAdminForm
from speakers.models import Speaker
from speakers.services import remove_speaker_photo, set_speaker_photo


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
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("upload"):
            set_speaker_photo(speaker=obj, upload=form.cleaned_data["upload"])
        elif form.cleaned_data.get("remove_photo"):
            remove_speaker_photo(speaker=obj)
