"""Dates and times in the back office are typed and read in the event's time zone.

An event in Martinique entered at 08:30 starts at 08:30 in Martinique, whatever the server's
zone. The mixins below activate the event's zone (Django's `timezone.override`) around the
admin pages of the event and of everything that belongs to it (sessions, ticket types,
invitations, checkpoints, registrations), so that Django's own conversions, on input and on
display, use it; every date and time field says which zone it is in.

For the event's own form, the zone submitted with the form interprets the dates of the same
form. A local time that does not exist (the hour skipped when clocks go forward) is refused
with a clear message; a local time that happens twice (the hour repeated when clocks go back)
is read as the first of the two, still in summer time.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from events.models import Event


def zone_named(name) -> ZoneInfo | None:
    """The zone called `name`, or None for anything else (a typing error in a form)."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def aware_in_current_zone(naive: datetime) -> datetime:
    """`naive` read in the active zone. Of a repeated hour, the first (fold=0) is taken; a
    skipped hour raises ValidationError."""
    zone = timezone.get_current_timezone()
    moment = naive.replace(tzinfo=zone, fold=0)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValidationError(
            gettext_lazy(
                "%(time)s does not exist in the time zone %(zone)s: the clocks go forward "
                "then. Give a time before or after the change."
            ),
            code="nonexistent_time",
            params={"time": naive.strftime("%d/%m/%Y %H:%M"), "zone": zone.key},
        )
    return moment


class ZonedSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date + time field, read in the active zone (see the module docstring)."""

    def compress(self, data_list):
        if not data_list:
            return None
        if data_list[0] is None:
            raise ValidationError(self.error_messages["invalid_date"], code="invalid_date")
        if data_list[1] is None:
            raise ValidationError(self.error_messages["invalid_time"], code="invalid_time")
        return aware_in_current_zone(datetime.combine(*data_list))


def zone_help_text(request=None) -> str:
    """Which zone the page's dates are in; before an event is chosen (an empty add form),
    only that they will be read in the event's."""
    if request is not None and getattr(request, "event_time_zone", True) is None:
        return gettext("Time in the event's time zone.")
    return gettext("Time in the %(zone)s time zone.") % {
        "zone": timezone.get_current_timezone_name()
    }


def in_event_zone(moment, event) -> str:
    """A moment as the event's organisers read it, with the zone: "20/05/2027 08:30
    (America/Martinique)"."""
    if moment is None:
        return "—"
    local = date_format(moment.astimezone(event.zone), "SHORT_DATETIME_FORMAT")
    return f"{local} ({event.time_zone})"


class ZonedDateTimeFieldsMixin:
    """For ModelAdmins and inlines: date and time fields read in the active zone, and saying
    which one it is."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateTimeField) and db_field.editable:
            kwargs.update(form_class=ZonedSplitDateTimeField, widget=AdminSplitDateTime)
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            if field is not None:
                help_text = zone_help_text(request)
                field.help_text = " ".join(filter(None, [str(field.help_text), help_text]))
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class EventTimeZoneAdmin(ZonedDateTimeFieldsMixin):
    """For the ModelAdmin of anything that belongs to an event: its pages run in the event's
    zone. Put it before the other bases. `event_field` names the foreign key to the event."""

    event_field = "event"

    def zone_of_event_id(self, request, value) -> ZoneInfo | None:
        if not isinstance(value, str) or not value.isdigit() or len(value) > 18:
            return None
        # Another organisation's event is refused by the form itself; only its zone is read.
        time_zone = Event.objects.filter(pk=int(value)).values_list("time_zone", flat=True).first()
        return zone_named(time_zone)

    def page_time_zone(self, request, object_id=None) -> ZoneInfo | None:
        """The zone of the event chosen in the form being sent, else the object's event's."""
        data = request.POST if request.method == "POST" else request.GET
        zone = self.zone_of_event_id(request, data.get(self.event_field))
        if zone is None and object_id is not None:
            obj = self.get_object(request, object_id)
            event = getattr(obj, self.event_field, None) if obj is not None else None
            zone = zone_named(event.time_zone) if event is not None else None
        return zone

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self.page_time_zone(request, object_id)
        request.event_time_zone = zone  # read by the fields' help texts
        with timezone.override(zone or timezone.get_current_timezone()):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            return render_now(response)

    def history_view(self, request, object_id, extra_context=None):
        zone = self.page_time_zone(request, object_id)
        with timezone.override(zone or timezone.get_current_timezone()):
            return render_now(super().history_view(request, object_id, extra_context))


class EventOwnTimeZoneAdmin(EventTimeZoneAdmin):
    """For the event's own ModelAdmin: the zone typed in the form being sent, else the
    event's."""

    def page_time_zone(self, request, object_id=None) -> ZoneInfo | None:
        zone = zone_named(request.POST.get("time_zone")) if request.method == "POST" else None
        if zone is None and object_id is not None:
            obj = self.get_object(request, object_id)
            zone = zone_named(obj.time_zone) if obj is not None else None
        if zone is None:
            zone = zone_named(Event._meta.get_field("time_zone").get_default())
        return zone


def render_now(response):
    """Render a template response while the zone is still active: the form's values are
    converted for display when the template renders."""
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.render()
    return response
