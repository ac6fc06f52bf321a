"""Back office of the door: checkpoints, scanner devices and the scan log."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from checkin import services as checkin
from checkin.models import CheckIn, Checkpoint, ScannerDevice
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
            super().save_model(request, obj, form, change)
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


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin, OrganisationScopedAdmin):
    """The scan log: read only."""

    list_display = [
        "scanned_at",
        "result",
        "registration",
        "checkpoint",
        "gate",
        "direction",
        "is_offline",
        "conflict",
    ]
    list_filter = ["event", "result", "is_offline", "direction"]
    list_select_related = ["registration", "checkpoint"]
    search_fields = ["registration__last_name", "registration__first_name", "gate"]
    date_hierarchy = "scanned_at"

    @admin.display(description=_("conflict"), boolean=True)
    def conflict(self, scan):
        return scan.is_conflict
