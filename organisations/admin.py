"""The back office's base: every ModelAdmin scoped to the user's organisations, and the
organisations' own pages.

Membership is the permission here, not Django's model permissions: a superuser sees everything;
any other staff user sees and edits only the objects of the organisations where they are owner
or organiser (`organisations_edited_by`); everyone else, door staff included, sees nothing. The
scoping covers the lists, the change pages, the permissions, the inlines and the choices of every
foreign key, so a forged id in a POST fails validation like any other wrong choice.
"""

from contextvars import ContextVar

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models
from django.utils.translation import gettext_lazy as _

from audit import services as audit
from organisations.invoicing import invoicing_problems
from organisations.models import Membership, Organisation
from organisations.selectors import may_change_legal_details, organisations_edited_by
from organisations.services import save_organisation

# How each model reaches its organisation. A model missing here offers no choices to anyone
# but superusers: scoping fails closed.
ORGANISATION_LOOKUPS = {
    "organisations.organisation": "pk",
    "organisations.membership": "organisation",
    "notices.privacynotice": "organisation",
    "events.venue": "organisation",
    "events.event": "organisation",
    "events.partnerfeed": "organisation",
    "events.room": "event__organisation",
    "events.track": "event__organisation",
    "events.session": "event__organisation",
    "speakers.speaker": "organisation",
    "events.sessionspeaker": "session__event__organisation",
    "registrations.tickettype": "event__organisation",
    "registrations.registration": "event__organisation",
    "registrations.sessionsignup": "registration__event__organisation",
    "registrations.invitation": "event__organisation",
    "badges.badgesheet": "event__organisation",
    "registrations.guestlistimport": "event__organisation",
    "checkin.checkpoint": "event__organisation",
    "checkin.scannerdevice": "event__organisation",
    "checkin.checkin": "event__organisation",
    "payments.payment": "registration__event__organisation",
    # Outgoing emails reach their organisation through a registration or an invitation: their
    # admin (registrations/admin/registrations.py) scopes them itself.
}

# The messages of a save the database or a service refused, while changeform_view shows the
# form again with them (one request, one thread or task: a context variable).
database_refusal: ContextVar[list[str] | None] = ContextVar("database_refusal", default=None)


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


# The models without a service of their own, whose back-office saves and deletions write the
# audit trail here (by model label, so that this base imports none of the apps above).
AUDITED_IN_ADMIN = {
    "events.venue": "venue",
    "events.room": "room",
    "events.track": "track",
    "registrations.tickettype": "ticket_type",
    "checkin.checkpoint": "checkpoint",
}


def audited_prefix(obj_or_model) -> str:
    return AUDITED_IN_ADMIN.get(obj_or_model._meta.label_lower, "")


def record_saved(prefix: str, before, obj) -> None:
    fields = [field.name for field in obj._meta.concrete_fields if field.name != "id"]
    audit.record(
        f"{prefix}.{'create' if before is None else 'change'}",
        obj,
        changes=audit.field_changes(before, obj, fields),
    )


class OrganisationScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Base of every organisation-scoped ModelAdmin; see the module docstring.

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

    def save_model(self, request, obj, form, change):
        prefix = audited_prefix(obj)
        before = type(obj).objects.filter(pk=obj.pk).first() if prefix and change else None
        super().save_model(request, obj, form, change)
        if prefix:
            record_saved(prefix, before, obj)

    def delete_model(self, request, obj):
        if prefix := audited_prefix(obj):
            audit.record(f"{prefix}.delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if prefix := audited_prefix(queryset.model):
            for obj in queryset:
                audit.record(f"{prefix}.delete", obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Inline rows of the models that have no service of their own (rooms, tracks, ticket
        types) write the trail as the ModelAdmin's saves do."""
        prefix = audited_prefix(formset.model)
        if not prefix:
            super().save_formset(request, form, formset, change)
            return
        for row in formset.deleted_forms:
            if row.instance.pk is not None:
                audit.record(f"{prefix}.delete", row.instance)
        changed = [
            (row, {name: row.initial.get(name) for name in row.changed_data})
            for row in formset.initial_forms
            if row.has_changed() and row not in formset.deleted_forms
        ]
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record_saved(prefix, None, obj)
        for row, before in changed:
            changes = {
                name: [audit.shown(before[name]), audit.shown(getattr(row.instance, name, None))]
                for name in before
            }
            audit.record(f"{prefix}.change", row.instance, changes=changes)

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


def warn_of_invoicing_problems(request, organisation, intro) -> None:
    """Show, as a warning on the page, what keeps `organisation` from issuing invoices."""
    problems = invoicing_problems(organisation)
    if problems:
        messages.warning(request, f"{intro} {' '.join(problems)}")


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
                    ("postcode", "city", "country"),
                    "siret",
                    ("vat_regime", "vat_number"),
                    ("iban", "bic"),
                    "invoice_email",
                    "time_zone",
                ]
            },
        ),
        (
            _("Payment terms"),
            {
                "fields": [
                    "payment_terms_days",
                    "late_payment_rate",
                    "early_payment_discount",
                    "unpaid_seat_release_days",
                ]
            },
        ),
        (
            _("Retention of personal data (months)"),
            {
                "description": _(
                    "How long personal data is kept, then anonymised or deleted by the daily "
                    "retention command: after each event for its attendees, scans, emails and "
                    "unpaid seats (each event may override these periods), after each entry "
                    "for the audit trail. Invoices and credit notes are kept for the "
                    "accounting period (10 years, Code de commerce L123-22) and never "
                    "anonymised."
                ),
                "fields": [
                    "retention_registrations_months",
                    "retention_checkins_months",
                    "retention_emails_months",
                    "retention_unpaid_months",
                    "retention_trail_months",
                ],
            },
        ),
    ]
    # What invoices print, what bank transfers depend on, and how long personal data is kept:
    # owners and superusers only.
    OWNER_ONLY_FIELDSETS = (1, 2, 3)

    @classmethod
    def owner_only_fields(cls) -> list[str]:
        fields = []
        for index in cls.OWNER_ONLY_FIELDSETS:
            for entry in cls.fieldsets[index][1]["fields"]:
                fields.extend(entry if isinstance(entry, tuple) else [entry])
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not may_change_legal_details(request.user, obj):
            readonly.extend(self.owner_only_fields())
        return readonly

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            organisation = self.get_object(request, object_id)
            if organisation is not None and self.has_view_permission(request, organisation):
                warn_of_invoicing_problems(
                    request,
                    organisation,
                    _(
                        "This organisation cannot issue invoices yet, so its tickets cannot be "
                        "paid on invoice:"
                    ),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # Emails every owner when bank details change (organisations.signals).
        save_organisation(organisation=obj, changed_by=request.user)

    def save_formset(self, request, form, formset, change):
        """Memberships have no service: their admin save writes the audit trail (within the
        admin's transaction), removals before the rows go."""
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        for removed in formset.deleted_forms:
            if removed.instance.pk is not None:
                audit.record(
                    "membership.delete",
                    removed.instance,
                    changes={"role": [removed.initial.get("role"), None]},
                )
        changed = [
            (member_form.instance, member_form.initial.get("role"))
            for member_form in formset.initial_forms
            if member_form not in formset.deleted_forms and "role" in member_form.changed_data
        ]
        super().save_formset(request, form, formset, change)
        for membership, role_before in changed:
            audit.record(
                "membership.change", membership, changes={"role": [role_before, membership.role]}
            )
        for membership in formset.new_objects:
            audit.record(
                "membership.create",
                membership,
                changes={"user": [None, str(membership.user)], "role": [None, membership.role]},
            )

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
