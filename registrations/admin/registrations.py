"""Back office of registrations: ticket types, registrations, guest lists and the outbox.

Scoped like the rest of the back office (see organisations/admin.py): an organiser sees and acts
on their organisations' data only, in the lists, the change pages, the choices and the actions
(a forged id in an action's POST selects nothing). Every change of state goes through
registrations.services: registering someone, cancelling, withdrawing an invitation, renaming.
Registrations and invitations are never deleted here (that would bypass the seat rules and the
emails); they are cancelled or withdrawn.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from badges.models import BadgeSheet
from badges.render import badge_sheet_pdf
from events.models import Event
from events.zoned_admin import EventTimeZoneAdmin, in_event_zone
from organisations.admin import (
    OrganisationScopedAdmin,
    ReadOnlyAdmin,
    ScopedChoicesMixin,
    editable_organisations,
    may_edit,
    scope_queryset,
    warn_of_invoicing_problems,
)
from registrations import emails, exports, selectors, services
from registrations.admin.group_invoices import issue_group_invoice
from registrations.admin.privacy import personal_data_view
from registrations.http import private_page
from registrations.models import (
    Invitation,
    OutgoingEmail,
    Registration,
    TicketType,
)

Status = Registration.Status
# How long after a reminder the "remind now" action leaves a guest alone.
REMINDER_GAP = timedelta(hours=1)


def _local(moment, event) -> str:
    return in_event_zone(moment, event)


# --- Ticket types ---------------------------------------------------------------------------


@admin.register(TicketType)
class TicketTypeAdmin(EventTimeZoneAdmin, OrganisationScopedAdmin, TranslationAdmin):
    list_display = ["name", "event", "category", "price", "is_public", "seats", "by_status"]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter), "category", "is_public"]
    list_select_related = ["event"]
    search_fields = ["name_fr", "name_en", "event__title_fr", "event__slug"]
    ordering = ["event__start", "event_id", "position", "pk"]
    fields = [
        "event",
        ("name", "category"),
        "description",
        ("price", "currency", "vat_rate"),
        ("capacity", "is_public", "position"),
        ("sale_start", "sale_end"),
        "refundable_until_days",
        ("allows_card", "allows_invoice"),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            ticket_type = self.get_object(request, object_id)
            if (
                ticket_type is not None
                and self.has_view_permission(request, ticket_type)
                and ticket_type.allows_invoice
                and not ticket_type.is_free
            ):
                warn_of_invoicing_problems(
                    request,
                    ticket_type.event.organisation,
                    _(
                        "The public form does not offer payment on invoice until the "
                        "organisation's legal details are complete:"
                    ),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        # The counts come with the list's own query (one GROUP BY), whatever its length.
        return selectors.with_status_counts(super().get_queryset(request))

    @admin.display(description=_("seats taken / capacity"))
    def seats(self, ticket_type):
        capacity = "∞" if ticket_type.capacity is None else ticket_type.capacity
        return f"{ticket_type.taken} / {capacity}"

    @admin.display(description=_("registrations by status"))
    def by_status(self, ticket_type):
        parts = [
            f"{label}: {getattr(ticket_type, f'count_{value}')}"
            for value, label in Status.choices
            if getattr(ticket_type, f"count_{value}")
        ]
        return " · ".join(parts) or "—"


# --- Registrations --------------------------------------------------------------------------

ATTENDEE_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "organisation",
    "job_title",
    "institution",
    "mandate",
    "accessibility_needs",
    "language",
    "consent_photos",
    "consent_news",
]


class ManualRegistrationForm(forms.ModelForm):
    """An organiser registers someone. The details are checked by services.clean_attendee;
    the seat is taken by services.register_attendee in save_model. The organiser records
    that the person agreed to the processing of their data."""

    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES, initial="fr")
    consent_processing = forms.BooleanField(
        label=_("The person agreed to the processing of their data"),
        required=True,
        help_text=_("Required: you record their agreement on their behalf."),
    )

    class Meta:
        model = Registration
        fields = ["event", "ticket_type", *ATTENDEE_FIELDS]

    def clean(self):
        cleaned_data = super().clean()
        try:
            self.attendee = services.clean_attendee(
                {**cleaned_data, "consent_processing": cleaned_data.get("consent_processing")}
            )
        except ValidationError as error:
            for name, messages_ in error.message_dict.items():
                if name not in self.errors:  # a field's own check spoke first
                    self.add_error(name if name in self.fields else None, messages_)
        event, ticket_type = cleaned_data.get("event"), cleaned_data.get("ticket_type")
        if event and ticket_type and ticket_type.event_id != event.pk:
            self.add_error("ticket_type", gettext("This ticket type is not one of this event's."))
        return cleaned_data

    def validate_unique(self):
        # One active seat per email is the service's rule, checked under the seat lock with
        # its own message; the model's conditional constraint cannot judge a new row here.
        pass


class RenameForm(forms.ModelForm):
    class Meta:
        model = Registration
        fields = ["first_name", "last_name"]


class RegistrationActionForm(ActionForm):
    """The action bar of the registrations list, with the badge layout that "Download badges
    (PDF)" uses."""

    layout = forms.ChoiceField(
        label=_("badge layout"),
        choices=BadgeSheet.Layout.choices,
        initial=BadgeSheet.Layout.A6,
        required=False,
    )


# More badges than this are built in the background, as a badge sheet.
MAX_BADGES_AT_ONCE = 200


class KeptRecordAdmin(EventTimeZoneAdmin, OrganisationScopedAdmin):
    """Registrations and invitations are never deleted (cancel or withdraw them instead) and,
    once made, change only through the fields their services allow."""

    readonly_on_change: list[str] = []

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_on_change if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(KeptRecordAdmin):
    list_display = [
        "last_name",
        "first_name",
        "email",
        "event",
        "ticket_type",
        "status",
        "created",
        "organisation",
    ]
    list_display_links = ["last_name", "first_name"]
    list_filter = [
        ("event", admin.RelatedOnlyFieldListFilter),
        ("ticket_type", admin.RelatedOnlyFieldListFilter),
        "status",
        "ticket_type__category",
    ]
    list_select_related = ["event", "ticket_type"]
    search_fields = ["first_name", "last_name", "email", "organisation"]
    actions = [
        "cancel_registrations",
        "export_csv",
        "reissue_badges",
        "download_badges",
        issue_group_invoice,
    ]
    action_form = RegistrationActionForm
    change_list_template = "admin/registrations/registration/change_list.html"
    readonly_on_change = [
        "event",
        "ticket_type",
        "status",
        "email",
        "organisation",
        "job_title",
        "institution",
        "mandate",
        "accessibility_needs",
        "language",
        "consent_processing_at",
        "privacy_notice",
        "consent_wording",
        "consent_photos",
        "consent_news",
        "invitation",
        "companion_of",
        "offer_expires_at",
        "created_at",
        "confirmed_at",
        "cancelled_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = RenameForm if obj is not None else ManualRegistrationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["event", "ticket_type"]}),
                (_("Attendee"), {"fields": ATTENDEE_FIELDS[:8]}),
                (
                    _("Language and consent"),
                    {"fields": ["language", "consent_processing", *ATTENDEE_FIELDS[9:]]},
                ),
            ]
        return [
            (None, {"fields": ["event", "ticket_type", "status"]}),
            (_("Attendee"), {"fields": ["first_name", "last_name", *ATTENDEE_FIELDS[2:8]]}),
            (
                _("Language and consent"),
                {
                    "fields": [
                        "language",
                        "consent_processing_at",
                        "privacy_notice",
                        "consent_wording",
                        *ATTENDEE_FIELDS[9:],
                    ]
                },
            ),
            (
                _("History"),
                {
                    "fields": [
                        "invitation",
                        "companion_of",
                        "created_at",
                        "confirmed_at",
                        "offer_expires_at",
                        "cancelled_at",
                    ]
                },
            ),
        ]

    def save_form(self, request, form, change):
        """On the add page the registration is made by the service, which saves it: the
        admin goes on (history, messages, redirect) with that saved object."""
        if change:
            return super().save_form(request, form, change)
        try:
            return services.register_attendee(
                event=form.cleaned_data["event"],
                ticket_type=form.cleaned_data["ticket_type"],
                attendee=form.attendee,
                public=False,
            )
        except services.AlreadyRegistered as error:
            # Not the service's words: the email it queued for the attendee is rolled back.
            raise ValidationError(
                gettext(
                    "This email address is already registered for this event: "
                    "%(name)s (%(status)s)."
                )
                % {
                    "name": error.registration.full_name,
                    "status": error.registration.get_status_display(),
                }
            ) from error
        except services.RegistrationError as error:
            # Shown on the form again, the whole save rolled back (see OrganisationScopedAdmin).
            raise ValidationError(error.message) from error

    def save_model(self, request, obj, form, change):
        if change:
            services.rename_attendee(
                registration=obj, first_name=obj.first_name, last_name=obj.last_name
            )
            return
        # Added: saved by register_attendee in save_form.
        if obj.status == Status.WAITLISTED:
            self.message_user(
                request,
                gettext("No seat was left: %(name)s joins the waiting list.")
                % {"name": obj.full_name},
                messages.WARNING,
            )

    def save_related(self, request, form, formsets, change):
        # The add form has nothing related to save: the service saved everything.
        if change:
            super().save_related(request, form, formsets, change)

    @admin.display(description=_("registered at"), ordering="created_at")
    def created(self, registration):
        return _local(registration.created_at, registration.event)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        event_id = request.GET.get("event__id__exact", "")
        event = None
        if event_id.isdigit() and len(event_id) < 19:
            events = scope_queryset(Event.objects.all(), editable_organisations(request))
            event = events.filter(pk=event_id).first()
        if event is not None:
            extra_context["counts"] = selectors.counts_by_ticket_type(event)
        return super().changelist_view(request, extra_context=extra_context)

    @admin.action(description=_("Cancel the selected registrations"), permissions=["change"])
    def cancel_registrations(self, request, queryset):
        cancelled = 0
        for registration in queryset:
            if registration.is_active:
                services.cancel_registration(registration=registration)
                self.log_change(request, registration, gettext("Cancelled from the back office."))
                cancelled += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d registration cancelled; freed seats were offered to the waiting list.",
                "%(count)d registrations cancelled; freed seats were offered to the waiting list.",
                cancelled,
            )
            % {"count": cancelled},
            messages.SUCCESS,
        )

    @admin.action(description=_("Export the selected registrations (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        registrations = list(
            selectors.registrations_with_details(queryset.order_by("last_name", "first_name"))
        )
        response = HttpResponse(
            exports.registrations_csv(registrations), content_type="text/csv; charset=utf-8"
        )
        filename = exports.export_filename(registrations)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.action(description=_("Reissue badge"), permissions=["change"])
    def reissue_badges(self, request, queryset):
        reissued = refused = 0
        for registration in queryset:
            try:
                services.reissue_badge(registration=registration)
            except services.RegistrationError:
                refused += 1
            else:
                self.log_change(
                    request, registration, gettext("Badge reissued from the back office.")
                )
                reissued += 1
        if reissued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d badge reissued: the old one no longer opens the door.",
                    "%(count)d badges reissued: the old ones no longer open the door.",
                    reissued,
                )
                % {"count": reissued},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d registration has no badge to reissue (it is neither confirmed "
                    "nor awaiting payment).",
                    "%(count)d registrations have no badge to reissue (they are neither "
                    "confirmed nor awaiting payment).",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )

    @admin.action(description=_("Download badges (PDF)"), permissions=["view"])
    def download_badges(self, request, queryset):
        holders = queryset.filter(status__in=Registration.EXPECTED)
        count = holders.count()
        if not count:
            self.message_user(
                request,
                gettext(
                    "None of the selected registrations has a badge: badges are printed for "
                    "confirmed registrations and those awaiting payment."
                ),
                messages.WARNING,
            )
            return None
        if count > MAX_BADGES_AT_ONCE:
            self.message_user(
                request,
                gettext(
                    "Select at most %(max)d registrations to download their badges here; for "
                    "a whole event, make a badge sheet (Badge sheets)."
                )
                % {"max": MAX_BADGES_AT_ONCE},
                messages.ERROR,
            )
            return None
        layout = request.POST.get("layout") or BadgeSheet.Layout.A6
        if layout not in BadgeSheet.Layout.values:
            layout = BadgeSheet.Layout.A6
        registrations = list(
            holders.select_related("event", "ticket_type").order_by("last_name", "first_name", "pk")
        )
        response = HttpResponse(
            badge_sheet_pdf(registrations, layout=layout, title=gettext("Badges")),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'attachment; filename="badges-{layout}.pdf"'
        # The badges open the door: no cache keeps a copy.
        return private_page(response)

    # --- Invitations ----------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "personal-data/",
                self.admin_site.admin_view(self.personal_data_view),
                name="registrations_registration_personal_data",
            ),
            *super().get_urls(),
        ]

    def personal_data_view(self, request):
        """A person's data across the user's organisations: see registrations/admin/privacy.py."""
        return personal_data_view(self, request)


class InvitationAddForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = [
            "event",
            "ticket_type",
            "first_name",
            "last_name",
            "email",
            "organisation",
            "job_title",
            "plus_ones_allowed",
            "language",
            "deadline",
        ]

    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES, initial="fr")

    def validate_unique(self):
        # services.create_invitation says "already invited" in its own words.
        pass


class InvitationChangeForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["plus_ones_allowed", "deadline"]

    def clean(self):
        cleaned_data = super().clean()
        deadline = cleaned_data.get("deadline")
        if deadline and deadline > self.instance.event.start:
            self.add_error(
                "deadline", gettext("The answer deadline must come before the event starts.")
            )
        return cleaned_data


@admin.register(Invitation)
class InvitationAdmin(KeptRecordAdmin):
    list_display = [
        "last_name",
        "first_name",
        "email",
        "event",
        "ticket_type",
        "answer",
        "answer_before",
        "reminders_sent",
        "last_reminded",
    ]
    list_display_links = ["last_name", "first_name"]
    list_filter = [
        ("event", admin.RelatedOnlyFieldListFilter),
        "answer",
        ("ticket_type", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["event", "ticket_type"]
    search_fields = ["first_name", "last_name", "email", "organisation"]
    actions = ["send_reminders", "withdraw_invitations"]
    change_list_template = "admin/registrations/invitation/change_list.html"
    readonly_on_change = [
        "event",
        "ticket_type",
        "first_name",
        "last_name",
        "email",
        "organisation",
        "job_title",
        "language",
        "answer",
        "answered_at",
        "sent_at",
        "reminders_sent",
        "last_reminded_at",
        "registration_link",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = InvitationChangeForm if obj is not None else InvitationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return InvitationAddForm._meta.fields
        return [
            *self.readonly_on_change[:8],
            "plus_ones_allowed",
            "deadline",
            *self.readonly_on_change[8:],
        ]

    def save_form(self, request, form, change):
        """On the add page the invitation is made (and saved) by the service."""
        if change:
            return super().save_form(request, form, change)
        data = dict(form.cleaned_data)
        return services.create_invitation(
            event=data.pop("event"),
            ticket_type=data.pop("ticket_type"),
            deadline=data.pop("deadline"),
            data=data,
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        # Added: saved by create_invitation in save_form.

    def save_related(self, request, form, formsets, change):
        # The add form has nothing related to save: the service saved everything.
        if change:
            super().save_related(request, form, formsets, change)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="registrations_invitation_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Guest lists are imported in the background, with a preview: see
        registrations/admin/guest_lists.py."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:registrations_guestlistimport_add"))

    @admin.display(description=_("answer before"), ordering="deadline")
    def answer_before(self, invitation):
        return _local(invitation.deadline, invitation.event)

    @admin.display(description=_("last reminded at"), ordering="last_reminded_at")
    def last_reminded(self, invitation):
        return _local(invitation.last_reminded_at, invitation.event)

    @admin.display(description=_("registration"))
    def registration_link(self, invitation):
        registration = Registration.objects.filter(invitation=invitation).first()
        if registration is None:
            return "—"
        url = reverse("admin:registrations_registration_change", args=[registration.pk])
        return format_html(
            '<a href="{}">{} ({})</a>', url, registration, registration.get_status_display()
        )

    @admin.action(
        description=_("Remind now the guests of these events who have not answered"),
        permissions=["change"],
    )
    def send_reminders(self, request, queryset):
        # Per event, through the service the scheduled command uses: every guest of the
        # selected invitations' events who has not answered, whose deadline is ahead and who
        # was not reminded in the last hour (a second click reminds nobody twice).
        events = Event.objects.filter(pk__in=queryset.values("event_id"))
        sent = sum(
            services.send_invitation_reminders(event=event, min_interval=REMINDER_GAP)
            for event in events
        )
        self.message_user(
            request,
            ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", sent)
            % {"count": sent},
            messages.SUCCESS,
        )

    @admin.action(description=_("Withdraw the selected invitations"), permissions=["change"])
    def withdraw_invitations(self, request, queryset):
        withdrawn = 0
        for invitation in queryset:
            if invitation.answer != Invitation.Answer.REVOKED:
                services.withdraw_invitation(invitation=invitation)
                self.log_change(request, invitation, gettext("Withdrawn from the back office."))
                withdrawn += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d invitation withdrawn.", "%(count)d invitations withdrawn.", withdrawn
            )
            % {"count": withdrawn},
            messages.SUCCESS,
        )


# --- Outbox ---------------------------------------------------------------------------------


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin, ScopedChoicesMixin, admin.ModelAdmin):
    """What was sent, what waits for the mail server, and why (useful in an SMTP outage).
    Read-only; "retry now" queues the selected emails for the worker to send at once."""

    list_display = ["kind", "recipient", "event", "status", "attempts", "error", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["registration__event", "invitation__event", "speaker", "user"]
    search_fields = [
        "registration__email",
        "invitation__email",
        "speaker__email",
        "user__email",
        "last_error",
    ]
    actions = ["retry_now"]
    fields = [
        "kind",
        "recipient",
        "event",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.emails_of_organisations(
            # A speaker's email reaches its event through the programme changes it tells of.
            super().get_queryset(request).prefetch_related("programme_changes__event"),
            editable_organisations(request),
        )

    def has_module_permission(self, request):
        return may_edit(request)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return may_edit(request)
        organisation_ids = editable_organisations(request)
        if organisation_ids is None:
            return True
        return obj.event is not None and obj.event.organisation_id in organisation_ids

    @admin.display(description=_("recipient"))
    def recipient(self, email):
        return email.recipient.email

    @admin.display(description=_("event"))
    def event(self, email):
        return email.event

    @admin.display(description=_("last error"))
    def error(self, email):
        return email.last_error[:120]

    @admin.action(description=_("Retry now"), permissions=["view"])
    def retry_now(self, request, queryset):
        # The worker sends them: the organiser's request never waits on the mail server.
        queued = emails.queue_again(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d email queued for another attempt: the worker sends it at once.",
                "%(count)d emails queued for another attempt: the worker sends them at once.",
                queued,
            )
            % {"count": queued},
            messages.SUCCESS,
        )
