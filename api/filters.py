"""Query filters of the API. A wrong value gives 400 with the parameter's name, never a 500."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field

from events.models import Event, Session, SessionSpeaker
from events.selectors import published_events, visible_events
from payments.models import Invoice
from registrations.models import Invitation, Registration, TicketType
from registrations.selectors import managed_events

# Ids are 64-bit integers; a larger number is no id (and would overflow SQLite's integers).
MAX_ID = 2**63 - 1
# Far enough for any programme, near enough for date arithmetic never to overflow.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        # The schema's type and bounds for this parameter (django-filter only says "number").
        extend_schema_field(
            {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": self.label}
        )(self)


class DayField(forms.DateField):
    input_formats = ["%Y-%m-%d"]
    default_validators = [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]


class DayFilter(django_filters.DateFilter):
    field_class = DayField


class FilterSet(django_filters.FilterSet):
    """A parameter that is given must have a value: `?day=` is refused (400) like `?day=x`,
    rather than read as no filter at all (the schema's types have no empty value)."""

    def is_valid(self):
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and self.data.get(name) == "":
                self.form.add_error(name, _("Give a value, or leave this parameter out."))
                valid = False
        return valid


def _visible_events(request):
    return visible_events(request.user if request is not None else None)


class SessionFilter(FilterSet):
    event = django_filters.ModelChoiceFilter(
        queryset=_visible_events,
        to_field_name="slug",
        label="Slug of the event.",
    )
    day = DayFilter(
        method="filter_day",
        label="Day (YYYY-MM-DD) on which the session starts, in the event's time zone.",
    )
    track = IdFilter(field_name="track_id", label="Id of the track.")
    room = IdFilter(field_name="room_id", label="Id of the room.")
    speaker = IdFilter(method="filter_speaker", label="Id of a speaker taking part.")

    class Meta:
        model = Session
        fields = ["event", "day", "track", "room", "speaker"]

    def filter_day(self, queryset, name, value):
        # A day runs from midnight to midnight in each event's own zone (Europe/Paris for all
        # events so far): one range per zone in use.
        zones = Event.objects.order_by().values_list("time_zone", flat=True).distinct()
        query = Q(pk__in=[])
        for zone_name in zones:
            zone = ZoneInfo(zone_name)
            start = datetime.combine(value, time.min, tzinfo=zone)
            end = datetime.combine(value + timedelta(days=1), time.min, tzinfo=zone)
            query |= Q(event__time_zone=zone_name, start__gte=start, start__lt=end)
        return queryset.filter(query)

    def filter_speaker(self, queryset, name, value):
        return queryset.filter(
            pk__in=SessionSpeaker.objects.filter(speaker_id=value).values("session_id")
        )


# --- Ticket types, registrations, invitations -------------------------------------------------


def _public_events(request):
    return published_events()


def _managed_events(request):

    return managed_events(request.user if request is not None else None)


class TicketTypeFilter(FilterSet):
    event = django_filters.ModelChoiceFilter(
        queryset=_public_events, to_field_name="slug", label="Slug of the event."
    )

    class Meta:
        model = TicketType
        fields = ["event"]


class RegistrationFilter(FilterSet):
    event = django_filters.ModelChoiceFilter(
        queryset=_managed_events, to_field_name="slug", label="Slug of the event."
    )
    ticket_type = IdFilter(field_name="ticket_type_id", label="Id of the ticket type.")
    status = django_filters.ChoiceFilter(
        choices=Registration.Status.choices, label="Status of the registration."
    )
    email = django_filters.CharFilter(
        method="filter_email", max_length=254, label="Email address (any case)."
    )
    checked_in = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_checked_in",
        label="Admitted at the event's entrance (true) or not yet (false).",
    )

    class Meta:
        model = Registration
        fields = ["event", "ticket_type", "status", "email", "checked_in"]

    def filter_email(self, queryset, name, value):
        return queryset.filter(email=value.strip().lower())

    def filter_checked_in(self, queryset, name, value):
        return queryset.filter(checked_in_at__isnull=value == "false")


class InvitationFilter(FilterSet):
    event = django_filters.ModelChoiceFilter(
        queryset=_managed_events, to_field_name="slug", label="Slug of the event."
    )
    ticket_type = IdFilter(field_name="ticket_type_id", label="Id of the ticket type.")
    answer = django_filters.ChoiceFilter(
        choices=Invitation.Answer.choices, label="The guest's answer."
    )

    class Meta:
        model = Invitation
        fields = ["event", "ticket_type", "answer"]


class InvoiceFilter(FilterSet):
    event = django_filters.ModelChoiceFilter(
        queryset=_managed_events, to_field_name="slug", label="Slug of the event."
    )
    status = django_filters.ChoiceFilter(
        choices=Invoice.Status.choices, label="State of the invoice or credit note."
    )
    kind = django_filters.ChoiceFilter(
        choices=Invoice.Kind.choices, label="Invoice or credit note."
    )

    class Meta:
        model = Invoice
        fields = ["event", "status", "kind"]
