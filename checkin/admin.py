"""Back office of the door: checkpoints, scanner devices and the scan log, where organisers
annul admissions made by mistake (checkin/corrections.py)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from checkin import corrections
from checkin import services as checkin
from checkin.models import CheckIn, Checkpoint, ScannerDevice
from common.admin_pages import action_selection
from common.text import validate_single_line
from events.zoned_admin import EventTimeZoneAdmin
from organisations.admin import OrganisationScopedAdmin, ReadOnlyAdmin


@admin.register(Checkpoint)
class CheckpointAdmin(EventTimeZoneAdmin, OrganisationScopedAdmin, TranslationAdmin):
    list_display = ["name", "event", "session", "allows_reentry", "records_exits"]
    list_filter = ["event"]
    list_select_related = ["event", "session"]
    fields = [
        "event",
        "name",
        "session",
        "allows_reentry",
        "records_exits",
        "admits_unpaid_invoices",
        "opens_at",
        "closes_at",
        "position",
    ]
    database_rule_messages = {
        "checkpoint_one_entrance_per_event": _(
            "This event already has an entrance: choose a session for this checkpoint."
        ),
        "checkpoint_one_per_session": _("This session already has a checkpoint."),
        "checkpoint_closes_after_opening": _("A checkpoint must close after it opens."),
    }

    def has_delete_permission(self, request, obj=None):
        # The scan log keeps its checkpoints.
        if obj is not None and obj.checkins.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ScannerDevice)
class ScannerDeviceAdmin(EventTimeZoneAdmin, OrganisationScopedAdmin):
    list_display = ["name", "event", "checkpoint", "created_at", "last_seen_at", "revoked"]
    list_filter = ["event"]
    list_select_related = ["event", "checkpoint"]
    fields = ["event", "name", "checkpoint", "created_at", "last_seen_at", "revoked_at"]
    readonly_fields = ["created_at", "last_seen_at", "revoked_at"]
    actions = ["revoke_devices"]

    def get_readonly_fields(self, request, obj=None):
        # A device stays with the event it was made for.
        return [*self.readonly_fields, "event"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the scan log names its devices

    def save_model(self, request, obj, form, change):
        if change:
            try:
                checkin.change_scanner_device(device=obj, name=obj.name, checkpoint=obj.checkpoint)
            except checkin.CheckInError as error:
                # Shown on the form by OrganisationScopedAdmin, the save rolled back.
                raise ValidationError({error.field: error.message}) from error
            return
        device, token = checkin.create_scanner_device(
            event=obj.event, name=obj.name, checkpoint=obj.checkpoint, created_by=request.user
        )
        obj.pk = device.pk
        obj.token_digest = device.token_digest
        self.message_user(
            request,
            _(
                "Device “%(name)s” created. Its token, shown only now: %(token)s — enter it "
                "on the scanner page of the device."
            )
            % {"name": device.name, "token": token},
            messages.WARNING,
        )

    @admin.display(description=_("revoked"), boolean=True)
    def revoked(self, device):
        return device.is_revoked

    @admin.action(description=_("Revoke the selected devices"))
    def revoke_devices(self, request, queryset):
        now = timezone.now()
        count = 0
        for device in queryset.filter(revoked_at__isnull=True):
            checkin.revoke_scanner_device(device=device, now=now)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d device revoked.", "%(count)d devices revoked.", count)
            % {"count": count},
        )


class AnnulledFilter(admin.SimpleListFilter):
    title = _("annulled")
    parameter_name = "annulled"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(annulled_at__isnull=self.value() == "no")
        return queryset


class OverrideFilter(admin.SimpleListFilter):
    title = _("admitted despite a refusal")
    parameter_name = "override"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(overrides__isnull=self.value() == "no")
        return queryset


class AnnulForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=corrections.REASON_LENGTH,
        required=False,
        validators=[validate_single_line],
        help_text=_("For example: the wrong person's badge, a scan at the wrong checkpoint."),
    )


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin, OrganisationScopedAdmin):
    """The scan log: read only, but for annulling admissions made by mistake."""

    list_display = [
        "scanned_at",
        "result",
        "registration",
        "checkpoint",
        "gate",
        "direction",
        "is_offline",
        "conflict",
        "annulled",
        "overridden_refusal",
    ]
    list_filter = [
        "event",
        "result",
        "is_offline",
        "direction",
        AnnulledFilter,
        OverrideFilter,
    ]
    list_select_related = ["registration", "checkpoint", "overrides"]
    search_fields = ["registration__last_name", "registration__first_name", "gate"]
    date_hierarchy = "scanned_at"
    actions = ["annul_admissions"]
    # Not editable (a log), so only shown when named.
    readonly_fields = [
        "annulled_at",
        "annulled_by",
        "annulled_by_label",
        "annul_reason",
        "overrides",
        "override_reason",
    ]

    @admin.display(description=_("conflict"), boolean=True)
    def conflict(self, scan):
        return scan.is_conflict

    @admin.display(description=_("annulled"), boolean=True)
    def annulled(self, scan):
        return scan.is_annulled

    @admin.display(description=_("overrides the refusal"))
    def overridden_refusal(self, scan):
        refused = scan.overrides
        if refused is None:
            return ""
        url = reverse("admin:checkin_checkin_change", args=[refused.pk])
        return format_html('<a href="{}">{}</a>', url, refused.get_result_display())

    def has_annul_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=_("Annul the selected admissions"), permissions=["annul"])
    def annul_admissions(self, request, queryset):
        """Asks a reason on an intermediate page, then annuls each selected admission (the
        refusals and the scans already annulled among them are left as they are, and said)."""
        form = AnnulForm(request.POST if "apply_annul" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Annul these admissions?"),
                "form": form,
                "scans": queryset.select_related("registration", "checkpoint"),
                **action_selection(request, "annul_admissions"),
            }
            return TemplateResponse(request, "admin/checkin/checkin/annul.html", context)
        annulled, refused = 0, []
        for scan in queryset.order_by("scanned_at", "pk"):
            try:
                corrections.annul_admission(
                    checkin=scan, user=request.user, reason=form.cleaned_data["reason"]
                )
            except corrections.CorrectionError as error:
                refused.append(f"{scan}: {error.message}")
            else:
                annulled += 1
        if annulled:
            self.message_user(
                request,
                ngettext(
                    "%(count)d admission annulled.", "%(count)d admissions annulled.", annulled
                )
                % {"count": annulled},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, line, messages.WARNING)
        return None
