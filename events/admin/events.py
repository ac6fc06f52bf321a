"""Back office for organisers: venues, events and their programme.

Every ModelAdmin here is scoped to the user's organisations by the base in organisations/admin.py.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from events.models import Event, Room, Session, SessionSpeaker, Track, Venue
from events.services import create_session, delete_session, update_event, update_session
from events.zoned_admin import (
    EventOwnTimeZoneAdmin,
    EventTimeZoneAdmin,
    ZonedDateTimeFieldsMixin,
    in_event_zone,
)
from organisations.admin import (
    OrganisationScopedAdmin,
    OrganisationScopedInline,
    warn_of_invoicing_problems,
)
from organisations.models import RETENTION_CATEGORIES, retention_field
from organisations.selectors import may_change_legal_details
from registrations.models import TicketType

# Names the database triggers and constraints put in their errors.
SESSION_OUTSIDE_EVENT = "session_within_event"
# The event's overrides of its organisation's retention periods.
RETENTION_FIELDS = [retention_field(category) for category in RETENTION_CATEGORIES]


@admin.register(Venue)
class VenueAdmin(OrganisationScopedAdmin):
    list_display = ["name", "city", "postal_code", "organisation"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter), "city"]
    list_select_related = ["organisation"]
    search_fields = ["name", "street", "city"]


class RoomInline(OrganisationScopedInline, TranslationTabularInline):
    model = Room
    extra = 0
    fields = ["name", "capacity", "position"]


class TrackInline(OrganisationScopedInline, TranslationTabularInline):
    model = Track
    extra = 0
    fields = ["name", "slug", "colour"]
    prepopulated_fields = {"slug": ("name",)}


class TicketTypeInline(
    ZonedDateTimeFieldsMixin, OrganisationScopedInline, TranslationStackedInline
):
    model = TicketType
    extra = 0
    fields = [
        ("name", "category"),
        "description",
        ("price", "currency", "vat_rate"),
        ("capacity", "is_public", "position"),
        ("sale_start", "sale_end"),
        ("allows_card", "allows_invoice"),
    ]


class EventAdminForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        venue, organisation = cleaned_data.get("venue"), cleaned_data.get("organisation")
        if venue and organisation and venue.organisation_id != organisation.pk:
            self.add_error("venue", _("Choose a venue of the event's organisation."))
        return cleaned_data


@admin.register(Event)
class EventAdmin(EventOwnTimeZoneAdmin, OrganisationScopedAdmin, TranslationAdmin):
    form = EventAdminForm
    list_display = ["title", "kind", "local_start", "local_end", "status", "access", "organisation"]
    list_filter = ["status", "kind", "access", ("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organisation"]
    search_fields = ["title_fr", "title_en", "slug"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ("title",)}
    inlines = [RoomInline, TrackInline, TicketTypeInline]
    fieldsets = [
        (None, {"fields": ["organisation", "kind", "title", "subtitle", "slug", "description"]}),
        (_("When and where"), {"fields": ["venue", "time_zone", "start", "end"]}),
        (_("Publication"), {"fields": ["access", "status", "contact_email"]}),
        (
            _("Registration"),
            {"fields": ["capacity", "has_waiting_list", "offer_validity_hours"]},
        ),
        (_("Attendance"), {"fields": ["attendance_links"]}),
        (
            _("Retention of personal data (months)"),
            {
                "classes": ["collapse"],
                "description": _(
                    "Empty: the organisation's period. Only the organisation's owners change them."
                ),
                "fields": RETENTION_FIELDS,
            },
        ),
    ]
    readonly_fields = ["attendance_links"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Like the organisation's periods: owners and superusers only (a new event's, once it
        # exists and its organisation is known).
        organisation = obj.organisation if obj is not None else None
        if not request.user.is_superuser and not may_change_legal_details(
            request.user, organisation
        ):
            readonly.extend(RETENTION_FIELDS)
        return readonly

    database_rule_messages = {
        SESSION_OUTSIDE_EVENT: _(
            "Some sessions of this event would fall outside its new dates. "
            "Move or delete those sessions first."
        ),
    }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            event = self.get_object(request, object_id)
            if (
                event is not None
                and self.has_view_permission(request, event)
                and event.ticket_types.filter(allows_invoice=True, price__gt=0).exists()
            ):
                warn_of_invoicing_problems(
                    request,
                    event.organisation,
                    _(
                        "The public form does not offer payment on invoice until the "
                        "organisation's legal details are complete:"
                    ),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            # The service makes the invitations' SEQUENCE grow, and tells the attendees, when
            # the dates, the venue or the status change.
            update_event(event=obj)
        else:
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Room:
            # A deleted room leaves its sessions without one: a move their attendees hear of.
            for room_form in formset.deleted_forms:
                if room_form.instance.pk is not None:
                    for session in room_form.instance.sessions.all():
                        update_session(session=session, data={"room": None})
        super().save_formset(request, form, formset, change)

    @admin.display(description=_("start"), ordering="start")
    def local_start(self, event):
        return in_event_zone(event.start, event)

    @admin.display(description=_("end"), ordering="end")
    def local_end(self, event):
        return in_event_zone(event.end, event)

    @admin.display(description=_("attendance"))
    def attendance_links(self, event):

        if event.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("registrations:attendance", kwargs={"slug": event.slug}),
            _("Live attendance"),
            reverse("registrations:attendance-sheet", kwargs={"slug": event.slug}),
            _("Attendance sheet (CSV)"),
            reverse("registrations:certificates", kwargs={"slug": event.slug}),
            _("All attendance certificates (PDF)"),
        )


class SessionDayFilter(admin.SimpleListFilter):
    title = _("day")
    parameter_name = "day"

    # Days are those of each session's event, in the event's time zone.

    def lookups(self, request, model_admin):
        sessions = model_admin.get_queryset(request)
        zones = sessions.order_by().values_list("event__time_zone", flat=True).distinct()
        days = {
            day.date()
            for zone in zones
            for day in sessions.filter(event__time_zone=zone).datetimes(
                "start", "day", tzinfo=ZoneInfo(zone)
            )
        }
        return [(day.isoformat(), date_format(day, "l j F Y")) for day in sorted(days)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            day = date.fromisoformat(self.value())
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error
        zones = queryset.order_by().values_list("event__time_zone", flat=True).distinct()
        within_day = Q(pk__in=[])
        for zone in zones:
            start = datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))
            end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(zone))
            within_day |= Q(event__time_zone=zone, start__gte=start, start__lt=end)
        return queryset.filter(within_day)


class SessionSpeakerFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        # `self.instance` is the session being edited, its event already validated and set.
        event = self.instance.event if self.instance.event_id else None
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            speaker = getattr(form, "cleaned_data", {}).get("speaker")
            if speaker and event and speaker.organisation_id != event.organisation_id:
                form.add_error("speaker", _("Choose a speaker of the event's organisation."))


class SessionSpeakerInline(OrganisationScopedInline, admin.TabularInline):
    model = SessionSpeaker
    formset = SessionSpeakerFormSet
    extra = 0
    fields = ["speaker", "role", "position"]
    autocomplete_fields = ["speaker"]


@admin.register(Session)
class SessionAdmin(EventTimeZoneAdmin, OrganisationScopedAdmin, TranslationAdmin):
    inlines = [SessionSpeakerInline]
    list_display = [
        "title",
        "event",
        "type",
        "local_start",
        "local_end",
        "room",
        "track",
        "status",
        "is_public",
    ]
    list_filter = [
        ("event", admin.RelatedOnlyFieldListFilter),
        "type",
        ("track", admin.RelatedOnlyFieldListFilter),
        ("room", admin.RelatedOnlyFieldListFilter),
        "status",
        "is_public",
        SessionDayFilter,
    ]
    list_select_related = ["event", "room", "track"]
    search_fields = ["title_fr", "title_en", "abstract_fr", "abstract_en"]
    ordering = ["start", "pk"]
    readonly_fields = ["sequence", "updated_at"]
    fieldsets = [
        (None, {"fields": ["event", "type", "title", "abstract"]}),
        (_("When and where"), {"fields": ["start", "end", "room", "track"]}),
        (
            _("Publication"),
            {"fields": ["status", "is_public", "capacity", "requires_signup", "sequence"]},
        ),
    ]
    database_rule_messages = {
        SESSION_OUTSIDE_EVENT: _("The session must take place during its event's dates."),
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("room", "track") and formfield is not None:
            # Rooms of different events often share names: say which event each belongs to.
            formfield.queryset = formfield.queryset.select_related("event")
            formfield.label_from_instance = lambda item: f"{item} — {item.event}"
        return formfield

    def save_model(self, request, obj, form, change):
        if change:
            # The service makes `sequence` grow when the schedule moves, so that calendars
            # update the attendees' copy.
            update_session(session=obj, data={})
        else:
            create_session(event=obj.event, data={}, session=obj)

    def delete_model(self, request, obj):
        # Through the service: the people who held the session are told it is cancelled.
        delete_session(session=obj)

    def delete_queryset(self, request, queryset):
        for session in queryset:
            delete_session(session=session)

    @admin.display(description=_("start"), ordering="start")
    def local_start(self, session):
        return in_event_zone(session.start, session.event)

    @admin.display(description=_("end"), ordering="end")
    def local_end(self, session):
        return in_event_zone(session.end, session.event)
