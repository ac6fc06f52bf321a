"""The public registration form and the attendee's own forms.

The rules are the services' (`services.clean_attendee`, `check_ticket_on_sale`,
`register_attendee`): the form parses the request, asks them, and puts their answers next to
the fields they concern, in the page's language.
"""

from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from events.models import Event, Session
from payments import services as payments
from registrations import consents, services
from registrations.models import TicketType

# Input sizes for the browser; the services hold the real limits.
MAX_LENGTHS = {**services.ONE_LINE_FIELDS, **services.MULTI_LINE_FIELDS, "email": 254}


@dataclass
class TicketOffer:
    """A public ticket type as the form and the event page show it."""

    ticket_type: TicketType
    seats_left: int | None  # None: no limit
    is_on_sale: bool
    waiting_list: bool  # full, and the event keeps a waiting list
    invoice_available: bool = False  # may be paid on invoice (payments.services)

    @property
    def is_available(self) -> bool:
        return self.is_on_sale and (self.seats_left != 0 or self.waiting_list)

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0

    @property
    def category_fields(self) -> tuple[str, ...]:
        return services.TICKET_CATEGORY_FIELDS.get(self.ticket_type.category, ())


@dataclass
class SessionOffer:
    session: Session
    seats_left: int | None

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0


def ticket_offers(event: Event) -> list[TicketOffer]:
    """The event's public ticket types with their live availability (two queries)."""
    taken = services.seats_taken(event)
    now = timezone.now()
    return [
        TicketOffer(
            ticket_type=ticket_type,
            seats_left=(left := services.seats_left(event, ticket_type, taken)),
            is_on_sale=ticket_type.is_on_sale(now),
            waiting_list=left == 0 and event.has_waiting_list,
            invoice_available=payments.invoice_payment_available(ticket_type, event.organisation),
        )
        for ticket_type in event.ticket_types.filter(is_public=True).order_by("position", "pk")
        if ticket_type.sale_end is None or now < ticket_type.sale_end
    ]


def session_offers(event: Event) -> list[SessionOffer]:
    """The sessions one signs up for (workshops), with the seats they have left."""
    sessions = list(
        event.sessions.filter(requires_signup=True, is_public=True)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("room")
        .order_by("start", "pk")
    )
    taken = services.session_seats_taken(sessions)
    return [
        SessionOffer(
            session=session,
            seats_left=None
            if session.capacity is None
            else max(0, session.capacity - taken.get(session.pk, 0)),
        )
        for session in sessions
    ]


def registration_is_open(event: Event) -> bool:
    """Whether the public form is shown: the service's window, and not by invitation only."""
    return services.is_registration_open(event) and not event.is_invitation_only


class AttendeeForm(forms.Form):
    """Fields every attendee fills in. Lengths, line breaks and markup are the services'
    business (`clean_attendee`), so that the form, the API and the CSV import agree."""

    first_name = forms.CharField(label=_("First name"), required=False)
    last_name = forms.CharField(label=_("Last name"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in MAX_LENGTHS:
                field.widget.attrs.setdefault("maxlength", MAX_LENGTHS[name])
            if name in _AUTOCOMPLETE:
                field.widget.attrs.setdefault("autocomplete", _AUTOCOMPLETE[name])

    def anchor(self, name: str) -> str:
        """The id an error summary links to for field `name`."""
        return self[name].id_for_label

    def summary_label(self, name: str) -> str:
        """How the error summary names field `name`."""
        return self.fields[name].label

    @property
    def error_summary(self) -> list[tuple[str | None, str, str]]:
        """(anchor, label, message) for each error, in the order of the fields."""
        summary = [(None, "", message) for message in self.non_field_errors()]
        for field in self:
            summary.extend(
                (self.anchor(field.name), self.summary_label(field.name), message)
                for message in field.errors
            )
        return summary

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a ValidationError from the services on the fields it names."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)

    def add_registration_error(self, error: services.RegistrationError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.message))


_AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "email": "email",
    "organisation": "organization",
    "job_title": "organization-title",
}


class RegistrationForm(AttendeeForm):
    email = forms.CharField(
        label=_("Email"),
        required=False,
        widget=forms.EmailInput,
        help_text=_("Your confirmation and your personal link will be sent there."),
    )
    organisation = forms.CharField(label=_("Organisation"), required=False)
    job_title = forms.CharField(label=_("Role or title"), required=False)
    ticket_type = forms.CharField(label=_("Ticket"), required=False)
    institution = forms.CharField(
        label=_("School or university"),
        required=False,
        help_text=_("Required for student tickets."),
    )
    mandate = forms.CharField(
        label=_("Mandate"),
        required=False,
        help_text=_("Required for elected officials' tickets, e.g. “Mayor of Arles”."),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Tell us what would make the event accessible to you (access, hearing loop, "
            "seating, diet…). Optional."
        ),
    )
    sessions = forms.MultipleChoiceField(
        label=_("Workshops"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    payment_method = forms.ChoiceField(
        label=_("Payment"),
        required=False,
        widget=forms.RadioSelect,
        choices=[("card", _("By card")), ("invoice", _("On invoice (bank transfer)"))],
    )
    billing_name = forms.CharField(
        label=_("Paying body"),
        required=False,
        help_text=_("The body the invoice is made out to, e.g. “Centre hospitalier d'Arles”."),
    )
    billing_address = forms.CharField(
        label=_("Billing address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    billing_siret = forms.CharField(
        label=_("SIRET of the paying body"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 20}),
        help_text=_(
            "14 digits, printed on the invoice. Optional, but needed by public bodies that "
            "receive their invoices through Chorus Pro."
        ),
    )
    billing_service_code = forms.CharField(
        label=_("Service code (Chorus Pro)"),
        required=False,
        help_text=_(
            "If your body asks for one on its invoices in Chorus Pro; give the SIRET above "
            "with it. Optional."
        ),
    )
    purchase_order_number = forms.CharField(
        label=_("Purchase order number"),
        required=False,
        help_text=_(
            "Your purchase order or legal commitment number, if your body issued one: it will "
            "be printed on the invoice. Optional."
        ),
    )
    billing_email = forms.CharField(
        label=_("Email for the invoice"),
        required=False,
        widget=forms.EmailInput,
        help_text=_(
            "Where the invoice is sent, e.g. your accounts department. Optional: by default, "
            "to your own address."
        ),
    )
    invoice_group = forms.BooleanField(
        label=_("One invoice for our group: the organisers will issue it"),
        required=False,
        help_text=_(
            "Tick this if several people of your body register with the same purchase order: "
            "your seat is held, and the organisers send one invoice for the whole group."
        ),
    )
    consent_processing = forms.BooleanField(label=consents.PROCESSING, required=False)
    consent_photos = forms.BooleanField(label=consents.PHOTOS, required=False)
    consent_news = forms.BooleanField(label=consents.NEWS, required=False)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        # Evaluated only when a session is chosen or the form is shown: a POST without
        # workshops (most of them) skips the query.
        self.fields["sessions"].choices = lambda: [
            (str(offer.session.pk), offer.session.title) for offer in self.workshops
        ]
        self.fields["sessions"].error_messages["invalid_choice"] = _(
            "Choose among the workshops listed."
        )
        # A single ticket on sale is chosen for the attendee.
        if not self.is_bound:
            available = [offer for offer in self.tickets if offer.is_available]
            if len(available) == 1:
                self.initial.setdefault("ticket_type", str(available[0].ticket_type.pk))

    # The offers, with their seats left, are for showing the form: the seat lock decides.
    @cached_property
    def tickets(self) -> list[TicketOffer]:
        return ticket_offers(self.event)

    @cached_property
    def workshops(self) -> list[SessionOffer]:
        return session_offers(self.event)

    @property
    def offers_invoice(self) -> bool:
        return any(offer.is_available and offer.invoice_available for offer in self.tickets)

    @property
    def has_tickets(self) -> bool:
        return any(offer.is_available for offer in self.tickets)

    def summary_label(self, name: str) -> str:
        if name == "consent_processing":
            return _("Processing of your data")
        return super().summary_label(name)

    def anchor(self, name: str) -> str:
        # A choice of several boxes is reached through its first box.
        if name == "ticket_type":
            offers = [offer for offer in self.tickets if offer.is_available]
            return f"ticket-{offers[0].ticket_type.pk}" if offers else "ticket-types"
        if name == "sessions":
            return f"session-{self.workshops[0].session.pk}" if self.workshops else "workshops"
        return super().anchor(name)

    def clean_ticket_type(self) -> TicketType | None:
        raw = (self.cleaned_data.get("ticket_type") or "").strip()
        if not raw:
            raise ValidationError(_("Choose a ticket."), code="required")
        ticket_type = None
        if raw.isascii() and raw.isdigit() and len(raw) < 19:
            ticket_type = TicketType.objects.filter(pk=int(raw)).first()
        if ticket_type is None:
            raise ValidationError(_("Choose one of the tickets offered."), code="invalid")
        try:
            services.check_ticket_on_sale(event=self.event, ticket_type=ticket_type, public=True)
        except services.RegistrationError as error:
            raise ValidationError(str(error.message), code="unavailable") from error
        return ticket_type

    def clean_sessions(self) -> list[Session]:
        chosen = {int(pk) for pk in self.cleaned_data.get("sessions") or ()}
        if not chosen:
            return []
        return [offer.session for offer in self.workshops if offer.session.pk in chosen]

    def clean(self):
        cleaned = super().clean()
        data = {name: cleaned.get(name) for name in MAX_LENGTHS}
        data.update(
            language=get_language(),
            consent_processing=cleaned.get("consent_processing"),
            consent_photos=cleaned.get("consent_photos"),
            consent_news=cleaned.get("consent_news"),
        )
        try:
            self.attendee = services.clean_attendee(data)
        except ValidationError as error:
            self.add_service_errors(error)
        if not cleaned.get("consent_processing"):
            self.add_error(
                "consent_processing",
                _("Please accept the processing of your data to register."),
            )
        ticket_type = cleaned.get("ticket_type")
        if ticket_type is not None:
            for name in services.TICKET_CATEGORY_FIELDS.get(ticket_type.category, ()):
                if not (cleaned.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, _("This field is required for this ticket."))
            self._clean_payment(cleaned, ticket_type)
        return cleaned

    def _clean_payment(self, cleaned, ticket_type: TicketType) -> None:
        """Card or invoice, for a paid ticket that may be paid on invoice; the paying body's
        details for an invoice."""
        self.payment_method = "card"
        self.billing = None
        self.invoice_group = False
        if not payments.invoice_payment_available(ticket_type):
            return
        chosen = cleaned.get("payment_method") or ""
        if not payments.card_payment_allowed(ticket_type):
            chosen = "invoice"
        if chosen not in ("card", "invoice"):
            self.add_error("payment_method", _("Choose how you will pay."))
            return
        self.payment_method = chosen
        if chosen == "invoice":
            try:
                self.billing = payments.clean_billing(cleaned)
            except ValidationError as error:
                self.add_service_errors(error)
            self.invoice_group = bool(cleaned.get("invoice_group"))

    def pays_on_invoice(self, registration) -> bool:
        return (
            getattr(self, "payment_method", "card") == "invoice"
            and self.billing is not None
            and registration.status == registration.Status.PENDING_PAYMENT
        )

    def register(self):
        """Register the attendee through the services. Call only on a valid form; raises
        the services' RegistrationError (AlreadyRegistered included)."""
        return services.register_attendee(
            event=self.event,
            ticket_type=self.cleaned_data["ticket_type"],
            attendee=self.attendee,
            sessions=self.cleaned_data["sessions"],
            public=True,
        )
