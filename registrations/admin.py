"""Back office of registrations: ticket types, registrations, guest lists and the outbox.

Scoped like the rest of the back office (see events/admin.py): an organiser sees and acts on
their organisations' data only, in the lists, the change pages, the choices and the actions (a
forged id in an action's POST selects nothing). Every change of state goes through
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
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from events.admin import (
    OrganisationScopedAdmin,
    ReadOnlyAdmin,
    ScopedChoicesMixin,
    editable_organisations,
    may_edit,
    scope_queryset,
)
from events.models import Event
from events.zoned_admin import EventTimeZoneAdmin, in_event_zone
from registrations import emails, exports, payments, selectors, services
from registrations.http import private_page
from registrations.invoice_pdf import build_invoice
from registrations.models import (
    BadgeSheet,
    Invitation,
    OutgoingEmail,
    Payment,
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
        ("price", "currency"),
        ("capacity", "is_public", "position"),
        ("sale_start", "sale_end"),
        "refundable_until_days",
        ("allows_card", "allows_invoice"),
    ]

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
    actions = ["cancel_registrations", "export_csv", "reissue_badges", "download_badges"]
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
                {"fields": ["language", "consent_processing_at", *ATTENDEE_FIELDS[9:]]},
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
                payments.cancel_paid_registration(registration=registration)
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
        from registrations.badges import badge_sheet_pdf

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
        registrations/guest_list_admin.py."""
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


# --- Payments -------------------------------------------------------------------------------


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin, ScopedChoicesMixin, admin.ModelAdmin):
    """Card payments as Stripe reported them, read-only. "Needs attention" lists the payments
    to look at: an amount or currency Stripe reported differently, or a payment that arrived
    after its seat was released and given away (to refund)."""

    list_display = [
        "registration",
        "email",
        "event",
        "amount",
        "currency",
        "status",
        "flag",
        "created_at",
        "paid_at",
    ]
    list_filter = ["flag", "method", "status"]
    list_select_related = ["registration__event"]
    search_fields = [
        "registration__email",
        "registration__last_name",
        "stripe_session_id",
        "invoice_number",
        "billing_name",
        "purchase_order_number",
    ]
    actions = ["mark_paid"]
    fields = [
        "registration",
        "method",
        "status",
        "amount",
        "currency",
        "invoice_number",
        "billing_name",
        "billing_address",
        "purchase_order_number",
        "due_at",
        "reminded_at",
        "amount_refunded",
        "refunded_at",
        "stripe_refund_id",
        "flag",
        "flag_note",
        "stripe_session_id",
        "stripe_payment_intent",
        "expires_at",
        "created_at",
        "paid_at",
        "invoice_pdf",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        organisation_ids = editable_organisations(request)
        if organisation_ids is None:
            return queryset
        return queryset.filter(registration__event__organisation_id__in=organisation_ids)

    def has_module_permission(self, request):
        return may_edit(request)

    def has_view_permission(self, request, obj=None):
        organisation_ids = editable_organisations(request)
        if obj is None or organisation_ids is None:
            return may_edit(request)
        return obj.registration.event.organisation_id in organisation_ids

    @admin.display(description=_("email"))
    def email(self, payment):
        return payment.registration.email

    @admin.display(description=_("invoice (PDF)"))
    def invoice_pdf(self, payment):
        # The organisers' own way to the invoice: never through the attendee's page.
        if payment.method != Payment.Method.INVOICE or payment.invoice_number is None:
            return "—"
        url = reverse("admin:registrations_payment_invoice", args=[payment.pk])
        return format_html(
            '<a href="{}" download>{}</a>',
            url,
            gettext("Download invoice %(number)s") % {"number": payment.invoice_number},
        )

    def get_urls(self):
        return [
            path(
                "<int:payment_id>/invoice/",
                self.admin_site.admin_view(self.invoice_view),
                name="registrations_payment_invoice",
            ),
            *super().get_urls(),
        ]

    def invoice_view(self, request, payment_id):
        """The invoice of a payment by invoice, for the organisers of its event's
        organisation (the same PDF as the attendee's page gives them)."""
        payment = (
            self.get_queryset(request)
            .filter(pk=payment_id, method=Payment.Method.INVOICE, invoice_number__isnull=False)
            .select_related("registration__event__organisation", "registration__event__venue")
            .first()
        )
        if payment is None or not self.has_view_permission(request, payment):
            raise Http404
        response = HttpResponse(build_invoice(payment), content_type="application/pdf")
        filename = f"invoice-{payment.invoice_number}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return private_page(response)

    @admin.action(description=_("Mark the selected invoices paid"))
    def mark_paid(self, request, queryset):
        marked = skipped = 0
        for payment in queryset:
            if payment.method != Payment.Method.INVOICE:
                skipped += 1
            elif payments.mark_invoice_paid(payment=payment):
                self.log_change(
                    request, payment, gettext("Invoice marked paid from the back office.")
                )
                marked += 1
            else:
                skipped += 1
        if marked:
            self.message_user(
                request,
                ngettext(
                    "%(count)d invoice marked paid: its registration is confirmed.",
                    "%(count)d invoices marked paid: their registrations are confirmed.",
                    marked,
                )
                % {"count": marked},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d payment left as it was (not an invoice, or already paid).",
                    "%(count)d payments left as they were (not invoices, or already paid).",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.display(description=_("event"))
    def event(self, payment):
        return payment.registration.event


# --- Badge sheets ---------------------------------------------------------------------------


class BadgeSheetForm(forms.ModelForm):
    class Meta:
        model = BadgeSheet
        fields = ["event", "layout"]

    def clean_event(self):
        event = self.cleaned_data["event"]
        if not services.badge_holders(event=event).exists():
            raise ValidationError(
                gettext(
                    "No registration of this event has a badge yet: badges are printed for "
                    "confirmed registrations and those awaiting payment."
                )
            )
        return event


@admin.register(BadgeSheet)
class BadgeSheetAdmin(OrganisationScopedAdmin):
    """Sheets of an event's badges, built in the background: the organiser picks an event and
    a layout, then watches the progress on the sheet's page and downloads the PDF there.
    A sheet is never edited (make another); the PDF is served only here, to the organisers of
    the event's organisation."""

    form = BadgeSheetForm
    list_display = ["event", "layout", "status", "progress", "created_by", "requested", "download"]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter), "status"]
    list_select_related = ["event", "created_by"]
    change_form_template = "admin/registrations/badgesheet/change_form.html"
    view_fields = [
        "event",
        "layout",
        "status",
        "progress",
        "created_by",
        "requested",
        "finished",
        "error",
        "download",
    ]

    def get_queryset(self, request):
        # The list and the sheet's page never load the PDFs.
        return super().get_queryset(request).defer("pdf")

    def get_fields(self, request, obj=None):
        return ["event", "layout"] if obj is None else self.view_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.view_fields

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            sheet = services.queue_badge_sheet(
                event=form.cleaned_data["event"],
                layout=form.cleaned_data["layout"],
                user=request.user,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except services.RegistrationError as error:
            raise ValidationError(error.message) from error
        obj.pk = sheet.pk
        obj._state.adding = False  # noqa: SLF001 — moved and fixed with badges/

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # One way out of the form: the sheet's page, where its progress shows.
        context.update(show_save_and_add_another=False, show_save_and_continue=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        # To the sheet's page, which shows the progress and then the download link.
        self.message_user(
            request,
            gettext("The badge sheet is queued: this page shows its progress."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:registrations_badgesheet_change", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<int:sheet_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="registrations_badgesheet_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, sheet_id):
        sheet = (
            self.get_queryset(request)
            .filter(pk=sheet_id, status=BadgeSheet.Status.DONE)
            .select_related("event")
            .first()
        )
        if sheet is None or not self.has_view_permission(request, sheet):
            raise Http404
        pdf = BadgeSheet.objects.filter(pk=sheet.pk).values_list("pdf", flat=True).get()
        response = HttpResponse(bytes(pdf), content_type="application/pdf")
        filename = f"badges-{sheet.event.slug}-{sheet.layout}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return private_page(response)

    @admin.display(description=_("progress"))
    def progress(self, sheet):
        return gettext("%(done)d of %(total)d badges") % {"done": sheet.done, "total": sheet.total}

    @admin.display(description=_("requested at"), ordering="created_at")
    def requested(self, sheet):
        return _local(sheet.created_at, sheet.event)

    @admin.display(description=_("finished at"), ordering="finished_at")
    def finished(self, sheet):
        return _local(sheet.finished_at, sheet.event)

    @admin.display(description=_("PDF"))
    def download(self, sheet):
        if sheet.status != BadgeSheet.Status.DONE:
            return "—"
        url = reverse("admin:registrations_badgesheet_download", args=[sheet.pk])
        label = gettext("Download (%(size)s)") % {"size": filesizeformat(sheet.pdf_size)}
        return format_html('<a href="{}" download>{}</a>', url, label)


# The door's back office (checkpoints, scanner devices, scan log), and guest list imports.
from registrations import checkin_admin, guest_list_admin  # noqa: E402, F401
