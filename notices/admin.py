"""The notices in the back office.

Privacy notices: owners publish a new version of their organisation's notice (the form starts
from the version in force, or from the default); a version, once published, is never changed;
organisers read them. The legal notice and the accessibility statement: superusers only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import services as audit
from notices.models import AccessibilityStatement, LegalNotice, PrivacyNotice
from notices.selectors import (
    accessibility_statement,
    current_privacy_notice,
    legal_notice,
)
from notices.services import publish_privacy_notice
from organisations.admin import OrganisationScopedAdmin, editable_organisations
from organisations.models import Organisation
from organisations.selectors import may_change_legal_details, organisation_access

MARKUP_HELP = _(
    "A line starting with “## ” is a heading, a line starting with “- ” a list item; "
    "a blank line ends a paragraph."
)


class PublishPrivacyNoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["organisation", "text_fr", "text_en"]
        help_texts = {"text_fr": MARKUP_HELP, "text_en": MARKUP_HELP}


def owned_organisations(user):
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=organisation_access(user).owned)


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(OrganisationScopedAdmin):
    list_display = ["organisation", "version", "published_at", "published_by"]
    list_filter = ["organisation"]
    readonly_fields = ["organisation", "version", "text_fr", "text_en", "published_at"]
    form = PublishPrivacyNoticeForm

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_exclude(self, request, obj=None):
        return ["published_by"] if obj is None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organisation", "text_fr", "text_en"]
        return ["organisation", "version", "published_at", "published_by", "text_fr", "text_en"]

    def has_add_permission(self, request):
        return owned_organisations(request.user).exists() and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        # A published version is a record of what people accepted: publish a new one instead.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = owned_organisations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        organisation = (
            owned_organisations(request.user)
            .filter(pk=request.GET.get("organisation") or initial.get("organisation") or 0)
            .first()
            or owned_organisations(request.user).first()
        )
        if organisation is not None:
            current = current_privacy_notice(organisation)
            initial.update(
                organisation=organisation.pk, text_fr=current.text_fr, text_en=current.text_en
            )
        return initial

    def save_model(self, request, obj, form, change):
        if not may_change_legal_details(request.user, obj.organisation):
            raise PermissionDenied
        published = publish_privacy_notice(
            organisation=obj.organisation,
            text_fr=obj.text_fr,
            text_en=obj.text_en,
            user=request.user,
        )
        obj.pk = published.pk
        obj.version = published.version

    def has_view_permission(self, request, obj=None):
        organisation_ids = editable_organisations(request)
        if organisation_ids is None:
            return True
        return bool(organisation_ids) and (obj is None or obj.organisation_id in organisation_ids)


class SiteTextAdmin(admin.ModelAdmin):
    """A single record that superusers edit; it is created from its default on first use."""

    readonly_fields = ["updated_at", "updated_by"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        self.current()  # the list is never empty
        return super().get_queryset(request)

    def current(self):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        audit.record(
            "site_text.change",
            obj,
            changes={
                name: [form.initial.get(name), form.cleaned_data.get(name)]
                for name in form.changed_data
            },
        )


@admin.register(LegalNotice)
class LegalNoticeAdmin(SiteTextAdmin):
    fields = [
        "publisher",
        "publisher_contact",
        "publication_director",
        "host",
        "text_fr",
        "text_en",
        "updated_at",
        "updated_by",
    ]

    def current(self):
        return legal_notice()


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(SiteTextAdmin):
    fields = [
        "status",
        ("audit_date", "audit_rate", "audited_by"),
        "contact",
        "text_fr",
        "text_en",
        "updated_at",
        "updated_by",
    ]

    def current(self):
        return accessibility_statement()
