"""The trail in the back office: read-only, owners see their organisations' entries, superusers
all of them; filterable, exportable as CSV; each object's page links to its own entries."""

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import actions
from audit.models import AuditEntry
from organisations.selectors import organisation_access

CSV_COLUMNS = (
    ("at", _("when")),
    ("actor_kind", _("actor kind")),
    ("actor_label", _("actor")),
    ("channel", _("channel")),
    ("organisation", _("organisation")),
    ("event", _("event")),
    ("object_type", _("object type")),
    ("object_id", _("object id")),
    ("object_repr", _("object")),
    ("action", _("action")),
    ("changes", _("changes")),
)


def owned_organisations(request) -> set[int] | None:
    """Ids of the organisations whose trail `request.user` may read; None: all (superuser)."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return set()
    if user.is_superuser:
        return None
    return organisation_access(user).owned


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        present = set(model_admin.get_queryset(request).values_list("action", flat=True).distinct())
        return sorted(
            ((code, actions.label(code)) for code in present), key=lambda item: str(item[1])
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "action_name",
        "object_repr",
        "actor_kind",
        "actor_label",
        "channel",
        "event",
    ]
    list_filter = [
        ("event", admin.RelatedOnlyFieldListFilter),
        "actor_kind",
        "channel",
        ActionFilter,
        "at",
    ]
    list_select_related = ["event", "organisation", "content_type"]
    search_fields = ["object_repr", "actor_label"]
    date_hierarchy = "at"
    actions = ["export_csv"]
    fields = [
        "at",
        "action_name",
        "actor_kind",
        "actor_user",
        "actor_label",
        "channel",
        "organisation",
        "event",
        "content_type",
        "object_id",
        "object_repr",
        "changes",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        organisation_ids = owned_organisations(request)
        if organisation_ids is None:
            return queryset
        return queryset.filter(organisation_id__in=organisation_ids)

    def lookup_allowed(self, lookup, value, request=None):
        # Each object's page links here with its own entries (content type and id).
        if lookup in ("content_type__id__exact", "object_id"):
            return True
        return super().lookup_allowed(lookup, value, request)

    def has_module_permission(self, request):
        return owned_organisations(request) != set()

    def has_view_permission(self, request, obj=None):
        organisation_ids = owned_organisations(request)
        if organisation_ids is None:
            return True
        if obj is None:
            return bool(organisation_ids)
        return obj.organisation_id in organisation_ids

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, entry):
        return entry.action_label

    @admin.action(description=_("Export the selected entries as CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
        response.write("\ufeff")  # spreadsheets read UTF-8 with its mark
        writer = csv.writer(response)
        writer.writerow([str(title) for _name, title in CSV_COLUMNS])
        for entry in queryset.select_related("organisation", "event", "content_type"):
            writer.writerow(
                [
                    timezone.localtime(entry.at).isoformat(timespec="seconds"),
                    entry.get_actor_kind_display(),
                    entry.actor_label,
                    entry.get_channel_display(),
                    str(entry.organisation or ""),
                    str(entry.event or ""),
                    entry.content_type.name if entry.content_type else "",
                    entry.object_id,
                    _safe_cell(entry.object_repr),
                    entry.action_label,
                    _safe_cell(_changes_text(entry.changes)),
                ]
            )
        return response


def _changes_text(changes: dict) -> str:
    return "; ".join(f"{name}: {before} → {after}" for name, (before, after) in changes.items())


def _safe_cell(value: str) -> str:
    """No formula injection: a cell a spreadsheet would compute starts with an apostrophe."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
