"""Attendance, for organisers: the live page, the attendance sheet (CSV) and every
certificate of an event (PDF); and, for an attendee, their own certificate.

Organisers' pages are for owners and organisers of the event's organisation and superusers:
an anonymous visitor is sent to log in, anyone else gets a 404 (door staff included: they scan,
they do not read the lists). The reads are in `checkin.attendance`, the PDF in
`checkin.certificates`; these views check access and render."""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from checkin import attendance
from checkin.attendance import ArrivalSeries
from checkin.certificates import build_certificate, build_certificates
from registrations.http import private_page
from registrations.models import Registration
from registrations.selectors import managed_events

# The live page refreshes itself this often (seconds); see templates/checkin/attendance.html.
REFRESH_SECONDS = 20
NOT_ARRIVED_SHOWN = 200
EN_DASH = "\u2013"  # between the two ends of a time range


def organiser_event_view(view):
    """Resolve `slug` to an event the user organises, or refuse (see the module docstring)."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        event = get_object_or_404(
            managed_events(request.user).select_related("organisation", "venue"), slug=slug
        )
        return private_page(view(request, event, *args, **kwargs))

    return wrapper


# --- The live page --------------------------------------------------------------------------


@organiser_event_view
def attendance_page(request, event):
    """Counts, arrivals over time, who has not arrived (filtered by `q`), offline conflicts.
    With `live=1`, only the part that refreshes itself."""
    search = request.GET.get("q", "").strip()[:100]
    checkpoints = attendance.event_checkpoints(event)
    not_arrived = attendance.not_arrived(event=event, search=search, limit=NOT_ARRIVED_SHOWN)
    context = {
        "event": event,
        "search": search,
        "counts": attendance.attendance_counts(event=event, checkpoints=checkpoints),
        "charts": [
            _chart(series)
            for series in attendance.arrivals_over_time(event=event, checkpoints=checkpoints)
        ],
        "not_arrived": not_arrived,
        # The headline figure ignores the search.
        "missing": attendance.count_not_arrived(event=event) if search else not_arrived.total,
        "conflicts": attendance.conflict_report(event=event),
        "updated_at": timezone.now(),
        "refresh_seconds": REFRESH_SECONDS,
    }
    if request.GET.get("live") == "1":
        return render(request, "checkin/_attendance_live.html", context)
    return render(request, "checkin/attendance.html", context)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str  # "09:15\u201309:30"


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Chart:
    """An arrivals series laid out for an inline SVG (see checkin/_attendance_chart.html)."""

    series: ArrivalSeries
    bars: list[Bar]  # one per quarter-hour with arrivals
    ticks: list[Tick]  # on the hours
    width: int
    height: int
    left: int  # x of the vertical axis
    right: int  # x where the plot ends
    top: int  # y of the peak's line
    baseline: int


CHART_WIDTH, CHART_HEIGHT = 640, 180
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 36, 8, 12, 24


def _chart(series: ArrivalSeries) -> Chart:
    """The geometry of a bar chart of `series`, computed here so that the page needs no
    chart library: one bar per quarter-hour, scaled to the busiest one."""
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_HEIGHT - CHART_BOTTOM
    slot = plot_width / len(series.buckets)
    peak = series.peak or 1
    bars, ticks = [], []
    for index, bucket in enumerate(series.buckets):
        x = CHART_LEFT + index * slot
        if bucket.start.minute == 0:
            ticks.append(Tick(x=round(x, 1), label=time_format(bucket.start, "H:i")))
        if bucket.count:
            height = plot_height * bucket.count / peak
            bars.append(
                Bar(
                    x=round(x + slot * 0.1, 1),
                    y=round(baseline - height, 1),
                    width=round(slot * 0.8, 1),
                    height=round(height, 1),
                    count=bucket.count,
                    label=_time_range(bucket.start, bucket.end),
                )
            )
    if not ticks:  # less than an hour, not crossing one: label its start
        ticks.append(Tick(x=CHART_LEFT, label=time_format(series.buckets[0].start, "H:i")))
    # Hour labels closer than 40 units would overlap: keep every n-th.
    every = -(-40 // max(1, int(slot * 4)))
    ticks = ticks[::every]
    return Chart(
        series=series,
        bars=bars,
        ticks=ticks,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=CHART_LEFT,
        right=CHART_WIDTH - CHART_RIGHT,
        top=CHART_TOP,
        baseline=baseline,
    )


def _time_range(start, end) -> str:
    return f"{time_format(start, 'H:i')}{EN_DASH}{time_format(end, 'H:i')}"


# --- Exports --------------------------------------------------------------------------------


@organiser_event_view
def attendance_sheet_csv(request, event):
    """The attendance sheet (feuille d'émargement) of every expected person, as CSV."""
    text = attendance.attendance_sheet_csv(attendance.attendance_sheet(event=event), event=event)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    filename = f"{_('attendance-sheet')}-{event.slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@organiser_event_view
def certificates_pdf(request, event):
    """Everyone's certificate, one page each, in French (the organisers' language), by last
    name; each page marked provisional while the event is not over. Four queries whatever the
    number of people."""
    hours = attendance.attended_hours_by_registration(event=event)
    people = (
        Registration.objects.filter(event=event)
        .filter(Exists(attendance.admitted_at_entrance()))
        .order_by(Lower("last_name"), Lower("first_name"), "pk")
    )
    if not hours:
        admitted = people.count()
        if admitted:
            # Admitted after their day's programme had ended: nothing to certify, but they came.
            messages.info(
                request,
                ngettext(
                    "%(count)d person was admitted at the entrance, but after the programme of "
                    "the day had ended: no hours to certify, no certificates.",
                    "%(count)d people were admitted at the entrance, but after the programme of "
                    "the day had ended: no hours to certify, no certificates.",
                    admitted,
                )
                % {"count": admitted},
            )
        else:
            messages.info(
                request, _("No one has been admitted at the entrance yet: no certificates.")
            )
        return redirect("registrations:attendance", slug=event.slug)
    entries = []
    for registration in people:
        if registration.pk in hours:
            registration.event = event  # already loaded with its organisation and venue
            entries.append((registration, hours[registration.pk]))
    response = HttpResponse(
        build_certificates(entries, language="fr", provisional=event.end > timezone.now()),
        content_type="application/pdf",
    )
    filename = f"attestations-{event.slug}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The attendee's own certificate ---------------------------------------------------------


def attendee_certificate(request, token):
    """An attendee's certificate, in their language, once the event is over and if the door
    admitted them; a 404 otherwise (the link is shown only then)."""
    registration = get_object_or_404(
        Registration.objects.select_related("event__organisation", "event__venue"),
        manage_token=token,
    )
    hours = attendance.certificate_hours(registration=registration)
    if hours is None:
        raise Http404
    response = HttpResponse(
        build_certificate(registration=registration, hours=hours), content_type="application/pdf"
    )
    filename = f"{_('certificate')}-{registration.event.slug}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private_page(response)
