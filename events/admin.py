"""Back office for organisers: organisations, venues, events and their programme.

Membership is the permission here, not Django's model permissions: a superuser sees everything;
any other staff user sees and edits only the objects of the organisations where they are owner
or organiser (`organisations_edited_by`); everyone else, door staff included, sees nothing. The
scoping covers the lists, the change pages, the permissions, the inlines and the choices of every
foreign key, so a forged id in a POST fails validation like any other wrong choice.
"""

from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from events.models import Event, Membership, Organisation, Room, Session, Track, Venue
from events.selectors import organisations_edited_by
from events.services import delete_session, update_event, update_session
from events.zoned_admin import (
    EventOwnTimeZoneAdmin,
    EventTimeZoneAdmin,
    ZonedDateTimeFieldsMixin,
    in_event_zone,
)
from registrations.models import TicketType
from speakers.models import SessionSpeaker

# How each model reaches its organisation. A model missing here offers no choices to anyone
# but superusers: scoping fails closed.
ORGANISATION_LOOKUPS = {
    "events.organisation": "pk",
    "events.membership": "organisation",
    "events.venue": "organisation",
    "events.event": "organisation",
    "events.partnerfeed": "organisation",
    "events.room": "event__organisation",
    "events.track": "event__organisation",
    "events.session": "event__organisation",
    "speakers.speaker": "organisation",
    "speakers.sessionspeaker": "session__event__organisation",
    "registrations.tickettype": "event__organisation",
    "registrations.registration": "event__organisation",
    "registrations.sessionsignup": "registration__event__organisation",
    "registrations.invitation": "event__organisation",
    "registrations.badgesheet": "event__organisation",
    "registrations.guestlistimport": "event__organisation",
    "registrations.checkpoint": "event__organisation",
    "registrations.scannerdevice": "event__organisation",
    "registrations.checkin": "event__organisation",
    "registrations.payment": "registration__event__organisation",
    # Outgoing emails reach their organisation through a registration or an invitation: their
    # admin (registrations/admin.py) scopes them itself.
}

# The messages of a save the database or a service refused, while changeform_view shows the
# form again with them (one request, one thread or task: a context variable).
database_refusal: ContextVar[list[str] | None] = ContextVar("database_refusal", default=None)

# Names the database triggers and constraints put in their errors.
SESSION_OUTSIDE_EVENT = "session_within_event"


def editable_organisations(request) -> set[int] | None:
    """Ids of the organisations `request.user` may edit here; None means all of them."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return set()
    if user.is_superuser:
        return None
    return organisations_edited_by(user)


def scope_queryset(queryset, organisation_ids: set[int] | None):
    if organisation_ids is None:
        return queryset
    lookup = ORGANISATION_LOOKUPS.get(queryset.model._meta.label_lower)
    if lookup is None or not organisation_ids:
        return queryset.none()
    return queryset.filter(**{f"{lookup}__in": organisation_ids})


def organisation_id_of(obj) -> int | None:
    *path, last = ORGANISATION_LOOKUPS[obj._meta.label_lower].split("__")
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj.pk if last == "pk" else getattr(obj, f"{last}_id")


def may_edit(request, obj=None) -> bool:
    """Whether the user may work on `obj` (or, without one, on anything of this kind)."""
    organisation_ids = editable_organisations(request)
    if organisation_ids is None:
        return True
    if not organisation_ids:
        return False
    return obj is None or organisation_id_of(obj) in organisation_ids


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter on a relation ("by event", "by organisation") that offers only the
    user's organisations' objects, like the form choices."""

    def field_choices(self, field, request, model_admin):
        organisation_ids = editable_organisations(request)
        if organisation_ids is None:
            return super().field_choices(field, request, model_admin)
        offered = scope_queryset(field.related_model._default_manager.all(), organisation_ids)
        return field.get_choices(
            include_blank=False,
            ordering=self.field_admin_ordering(field, request, model_admin),
            limit_choices_to={"pk__in": offered.values("pk")},
        )


def _field_at(model, path: str):
    """The model field at the end of a list filter's path ("event", "ticket_type__category"),
    or None if the path does not name one."""
    field = None
    for name in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


class ScopedChoicesMixin:
    """Offers, in every foreign key, many-to-many, autocomplete and list filter on a
    relation, only the user's organisations' objects: a field or a filter added later is
    scoped without a word (a filter given its own RelatedOnlyFieldListFilter or SimpleListFilter
    draws on the scoped list itself)."""

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        organisation_ids = editable_organisations(request)
        if organisation_ids is None:
            return queryset
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db)
        return scope_queryset(queryset, organisation_ids)

    def get_list_filter(self, request):
        return [self._scoped_list_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_list_filter(self, entry):
        path, filter_class = entry if isinstance(entry, list | tuple) else (entry, None)
        if not isinstance(path, str):
            return entry  # a SimpleListFilter: it draws on the scoped queryset
        field = _field_at(self.model, path)
        if field is None or not field.is_relation:
            return entry
        if filter_class in (None, admin.RelatedFieldListFilter):
            return (path, ScopedRelatedFieldListFilter)
        return entry


class ReadOnlyAdmin:
    """A log the back office shows and never changes: nothing is added, edited or deleted by
    hand (actions may still act on the selected rows). Put it before the ModelAdmin base."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrganisationScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Base of every ModelAdmin of events and speakers; see the module docstring.

    It also turns an IntegrityError raised while saving (a database trigger or constraint that
    model validation could not foresee, e.g. a concurrent change), or a ValidationError raised
    by a service that save_model calls, into an error on the form: the whole save is rolled
    back, then the page is shown again with the message.
    """

    # Messages for the database rules this admin's saves may break, by the name in the error.
    database_rule_messages: dict[str, str] = {}
    # Django 6 makes https the default scheme for addresses typed without one; use it now.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), editable_organisations(request))

    def has_module_permission(self, request):
        return may_edit(request)

    def has_view_permission(self, request, obj=None):
        return may_edit(request, obj)

    def has_add_permission(self, request):
        return may_edit(request)

    def has_change_permission(self, request, obj=None):
        return may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_edit(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        organisation_ids = editable_organisations(request)
        field_names = {field.name for field in self.model._meta.fields}
        if "organisation" in field_names and organisation_ids and len(organisation_ids) == 1:
            initial.setdefault("organisation", next(iter(organisation_ids)))
        return initial

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (IntegrityError, ValidationError) as error:
            # A ValidationError getting this far comes from a service called by save_model:
            # the form's own validation never lets one out.
            if request.method != "POST" or database_refusal.get() is not None:
                raise
            # super() ran in a transaction that the error rolled back: nothing was saved.
            # The form shown again states the refusal (get_form reads it).
            refused = database_refusal.set(self.refusal_messages(error))
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            finally:
                database_refusal.reset(refused)

    def refusal_messages(self, error: IntegrityError | ValidationError) -> list[str]:
        if isinstance(error, ValidationError):
            return error.messages
        for name, message in self.database_rule_messages.items():
            if name in str(error):
                return [message]
        return [
            _(
                "This change could not be saved because it conflicts with other data, "
                "perhaps changed at the same time. Check the form and try again."
            )
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = database_refusal.get()
        if refusal is None:
            return form

        class RefusedByDatabaseForm(form):
            def clean(self):
                super().clean()
                raise ValidationError(refusal)

        return RefusedByDatabaseForm


class OrganisationScopedInline(ScopedChoicesMixin):
    """Inlines follow their parent: `obj` in these checks is the parent object."""

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), editable_organisations(request))

    def has_view_permission(self, request, obj=None):
        return may_edit(request, obj)

    def has_add_permission(self, request, obj=None):
        return may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_edit(request, obj)


class MembershipInline(OrganisationScopedInline, admin.TabularInline):
    """Who may do what is decided by superusers; members see their team."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "website"]}),
        (
            _("Legal details (printed on invoices)"),
            {
                "fields": [
                    "legal_name",
                    "address",
                    ("siret", "vat_number"),
                    "vat_mention",
                    ("iban", "bic"),
                    "time_zone",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


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
        ("price", "currency"),
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
    ]
    readonly_fields = ["attendance_links"]
    database_rule_messages = {
        SESSION_OUTSIDE_EVENT: _(
            "Some sessions of this event would fall outside its new dates. "
            "Move or delete those sessions first."
        ),
    }

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
        from django.urls import reverse
        from django.utils.html import format_html

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
            super().save_model(request, obj, form, change)

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


# Partner feeds (private calendars given to partners).
from events import partner_feed_admin  # noqa: E402, F401
