"""CSV export of registrations for spreadsheets (Excel, LibreOffice Calc).

UTF-8 with a byte order mark (without it Excel reads accents as Windows-1252), `;` as the
delimiter (what a French Excel expects), headers in the organiser's language (French by
default). A cell that starts like a formula is prefixed with an apostrophe, so that a name such
as `=HYPERLINK("http://evil.example", "Click")` stays text instead of running (CSV injection).
"""

import csv
import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What spreadsheets read as the start of a formula (tab and carriage return too: some strip
# them and read what follows).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value) -> str:
    """The cell's text, with an apostrophe before anything a spreadsheet would run."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _when(moment, registration) -> str:
    if moment is None:
        return ""
    return date_format(moment.astimezone(registration.event.zone), "d/m/Y H:i")


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


COLUMNS = [
    (gettext_lazy("Last name"), lambda r: r.last_name),
    (gettext_lazy("First name"), lambda r: r.first_name),
    (gettext_lazy("Email"), lambda r: r.email),
    (gettext_lazy("Organisation"), lambda r: r.organisation),
    (gettext_lazy("Role or title"), lambda r: r.job_title),
    (gettext_lazy("School or university"), lambda r: r.institution),
    (gettext_lazy("Mandate"), lambda r: r.mandate),
    (gettext_lazy("Event"), lambda r: r.event.title),
    (gettext_lazy("Ticket type"), lambda r: r.ticket_type.name),
    (gettext_lazy("Category"), lambda r: r.ticket_type.get_category_display()),
    (gettext_lazy("Status"), lambda r: r.get_status_display()),
    (gettext_lazy("Plus-one of"), lambda r: r.companion_of.full_name if r.companion_of else ""),
    (gettext_lazy("Accessibility needs"), lambda r: r.accessibility_needs),
    (gettext_lazy("Language"), lambda r: r.language),
    (gettext_lazy("Agrees to be photographed"), lambda r: _yes_no(r.consent_photos)),
    (gettext_lazy("Wants news"), lambda r: _yes_no(r.consent_news)),
    (gettext_lazy("Registered at"), lambda r: _when(r.created_at, r)),
    (gettext_lazy("Confirmed at"), lambda r: _when(r.confirmed_at, r)),
    (gettext_lazy("Cancelled at"), lambda r: _when(r.cancelled_at, r)),
]


def registrations_csv(registrations) -> str:
    """The CSV text (BOM included) of `registrations`, which should come with their event,
    ticket type and `companion_of` joined (see selectors.registrations_with_details)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(header) for header, _value in COLUMNS])
    for registration in registrations:
        writer.writerow([neutralise(value(registration)) for _header, value in COLUMNS])
    return buffer.getvalue()


def export_filename(registrations) -> str:
    slugs = {registration.event.slug for registration in registrations}
    suffix = f"-{slugs.pop()}" if len(slugs) == 1 else ""
    return f"{_('registrations')}{suffix}.csv"
