"""Guest lists as organisers keep them: a CSV file, saved by Excel, LibreOffice or a script,
turned into rows for `services.import_invitations`.

What the file may look like: UTF-8 with or without a byte-order mark, or Windows-1252 (Excel's
"CSV" on a French Windows); columns separated by `;` (Excel in French) or `,` (or a tab);
column names in French or English, in any order and case, accents optional ("Prénom",
"first_name", "Courriel", "E-mail"…). Columns nobody asked for are ignored.

A file that cannot be read (not text, another encoding, empty, no guest, a required column
missing) is refused as a whole with one message: nothing is created. Otherwise bad rows are
reported by line number with the reason, and the good ones are kept.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event
from registrations import services
from registrations.models import TicketType

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

# Accepted column names, after `_normalise` (lower case, no accents, "_" between words).
COLUMN_ALIASES = {
    "first_name": {"first_name", "firstname", "prenom", "given_name", "forename"},
    "last_name": {"last_name", "lastname", "nom", "nom_de_famille", "surname", "family_name"},
    "email": {
        "email",
        "e_mail",
        "mail",
        "courriel",
        "adresse_email",
        "adresse_e_mail",
        "adresse_mail",
        "adresse_electronique",
        "email_address",
    },
    "organisation": {
        "organisation",
        "organization",
        "organisme",
        "structure",
        "etablissement",
        "institution",
        "company",
        "entreprise",
        "societe",
    },
    "job_title": {"job_title", "title", "fonction", "titre", "role", "poste", "qualite"},
    "plus_ones_allowed": {
        "plus_ones_allowed",
        "plus_ones",
        "plus_one",
        "plus1",
        "accompagnants",
        "accompagnant",
        "accompagnateurs",
        "nombre_d_accompagnants",
        "nb_accompagnants",
    },
    "language": {"language", "langue", "lang"},
}
REQUIRED_COLUMNS = ("first_name", "last_name", "email")
# How the messages name a column: the French and the English header.
COLUMN_NAMES = {
    "first_name": "prénom / first_name",
    "last_name": "nom / last_name",
    "email": "email / courriel",
    "organisation": "organisation",
    "job_title": "fonction / title",
    "plus_ones_allowed": "accompagnants / plus_ones",
    "language": "langue / language",
}
LANGUAGE_VALUES = {
    "fr": "fr",
    "francais": "fr",
    "french": "fr",
    "en": "en",
    "anglais": "en",
    "english": "en",
}
DELIMITERS = (";", ",", "\t")


class InvalidInvitationFile(ValidationError):
    """The file as a whole cannot be imported; nothing was created. One message, meant for
    the person who uploaded it."""


@dataclass
class GuestList:
    """What a readable file holds: rows for the service, and the rows refused on reading."""

    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # Lines refused because their email is on an earlier line.
    duplicate_lines: list[int] = field(default_factory=list)


@dataclass
class FileImportReport(services.ImportReport):
    """The service's report, with the refused rows of the file merged in line order, and the
    columns the file had that were not used."""

    ignored_columns: list[str] = field(default_factory=list)


def import_invitations_from_file(
    *, event: Event, ticket_type: TicketType, uploaded_file, deadline: datetime
) -> FileImportReport:
    """Invite every guest of a CSV file (an uploaded file or any binary file object).

    Raises InvalidInvitationFile (a ValidationError) when the file or the settings cannot be
    used at all; nothing is created then. Otherwise each good row becomes an invitation with
    its email, and each bad one is reported as (line number, reason)."""
    deadline = check_settings(event=event, ticket_type=ticket_type, deadline=deadline)
    guests = read_guest_list(read_upload(uploaded_file))
    report = services.import_invitations(
        event=event, ticket_type=ticket_type, rows=guests.rows, deadline=deadline
    )
    return FileImportReport(
        created=report.created,
        errors=sorted([*guests.errors, *report.errors], key=lambda error: error[0]),
        ignored_columns=guests.ignored_columns,
    )


def check_settings(*, event, ticket_type, deadline) -> datetime:
    if ticket_type.event_id != event.pk:
        raise InvalidInvitationFile(_("This ticket type is not one of this event's."))
    if deadline is None:
        raise InvalidInvitationFile(_("Give the date by which guests must answer."))
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline, event.zone)
    if deadline <= timezone.now():
        raise InvalidInvitationFile(_("The answer deadline must be in the future."))
    if deadline > event.start:
        raise InvalidInvitationFile(_("The answer deadline must come before the event starts."))
    return deadline


def read_upload(uploaded_file) -> bytes:
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    content = uploaded_file.read(MAX_FILE_BYTES + 1)
    if isinstance(content, str):  # a file opened in text mode
        content = content.encode("utf-8")
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInvitationFile(
            _("This file is too large: a guest list may not exceed %(size)d MB.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    return content


def read_guest_list(content: bytes) -> GuestList:
    """Decode and parse a CSV guest list. Raises InvalidInvitationFile."""
    reader = csv.reader(io.StringIO(_decode(content), newline=""), delimiter=_delimiter(content))
    try:
        header, header_line = _header(reader)
        columns, ignored = _map_columns(header)
        guests = GuestList(ignored_columns=ignored)
        seen_emails: dict[str, int] = {}
        end_of_previous = reader.line_num
        for cells in reader:
            line, end_of_previous = end_of_previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, and the ";;;;" spreadsheets leave below the data
            if len(guests.rows) + len(guests.errors) >= MAX_ROWS:
                raise InvalidInvitationFile(
                    _("This file has more than %(count)d guests: split it into several files.")
                    % {"count": MAX_ROWS}
                )
            email = _cell(cells, columns, "email").strip().lower()
            is_duplicate = email in seen_emails and not any(
                cell.strip() for cell in cells[len(header) :]
            )
            problem = _row_problem(cells, header, columns, seen_emails, line)
            if problem:
                guests.errors.append((line, problem))
                if is_duplicate:
                    guests.duplicate_lines.append(line)
            else:
                guests.rows.append((line, _row(cells, columns)))
    except csv.Error as error:
        raise InvalidInvitationFile(
            _("This file could not be read as CSV (line %(line)d): check that it was saved as CSV.")
            % {"line": reader.line_num}
        ) from error
    if not guests.rows and not guests.errors:
        raise InvalidInvitationFile(
            _("This file has no guests: only the line of column names (line %(line)d).")
            % {"line": header_line}
        )
    return guests


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInvitationFile(
            _("This file is in UTF-16. Save it as “CSV UTF-8” (or “CSV”) and import it again.")
        )
    if content.startswith(b"PK\x03\x04"):
        raise InvalidInvitationFile(
            _(
                "This is a spreadsheet workbook, not a CSV file. In your spreadsheet, use "
                "“Save as” and choose “CSV UTF-8” (or “CSV”)."
            )
        )
    if b"\x00" in content:
        raise InvalidInvitationFile(
            _("This file is not a CSV text file. Export the guest list as CSV and try again.")
        )
    text = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise InvalidInvitationFile(
            _(
                "This file's encoding is neither UTF-8 nor Windows-1252. Save it as "
                "“CSV UTF-8” and import it again."
            )
        )
    if not text.strip():
        raise InvalidInvitationFile(_("This file is empty."))
    return text


def _delimiter(content: bytes) -> str:
    """The separator of the first non-blank line: the most frequent of ; , and tab."""
    first_line = next((line for line in content.splitlines() if line.strip()), b"")
    counts = {delimiter: first_line.count(delimiter.encode()) for delimiter in DELIMITERS}
    return max(DELIMITERS, key=lambda delimiter: counts[delimiter])


def _header(reader) -> tuple[list[str], int]:
    for cells in reader:
        if any(cell.strip() for cell in cells):
            return [_normalise(cell) for cell in cells], reader.line_num
    raise InvalidInvitationFile(_("This file is empty."))


def _normalise(name: str) -> str:
    name = unicodedata.normalize("NFKD", name.replace("\ufeff", "").replace("+", "plus"))
    name = "".join(char for char in name if not unicodedata.combining(char)).lower()
    words = "".join(char if char.isalnum() else " " for char in name).split()
    return "_".join(words)


def _map_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """{field: index of its column}, and the names of the columns left unused."""
    columns: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(header):
        target = next((key for key, names in COLUMN_ALIASES.items() if name in names), None)
        if target is None:
            if name:
                ignored.append(name)
            continue
        if target in columns:
            raise InvalidInvitationFile(
                _("Two columns give the %(column)s: keep only one of them.")
                % {"column": COLUMN_NAMES[target]}
            )
        columns[target] = index
    missing = [COLUMN_NAMES[name] for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise InvalidInvitationFile(
            _(
                "Missing column(s): %(columns)s. The first line of the file must name the "
                "columns, for example: prénom;nom;email;organisation;fonction;accompagnants."
            )
            % {"columns": ", ".join(missing)}
        )
    return columns, ignored


def _row_problem(cells, header, columns, seen_emails, line) -> str:
    """What is wrong with a row that the service cannot tell: its shape in the file, and an
    email already given on an earlier line. The rest is the service's to judge."""
    extra = [cell for cell in cells[len(header) :] if cell.strip()]
    if extra:
        return _(
            "This line has more cells (%(cells)d) than there are columns (%(columns)d): a value "
            "holding the separator must be between double quotes."
        ) % {"cells": len(cells), "columns": len(header)}
    email = _cell(cells, columns, "email").strip().lower()
    if not email:
        return _("The email address is missing: every guest needs one for their invitation.")
    if email in seen_emails:
        return _("This email address is already on line %(line)d of the file.") % {
            "line": seen_emails[email]
        }
    seen_emails[email] = line
    return ""


def _row(cells, columns) -> dict:
    row = {name: _cell(cells, columns, name) for name in columns}
    language = _normalise(row.pop("language", ""))
    if language:
        row["language"] = LANGUAGE_VALUES.get(language, language)
    return row


def _cell(cells, columns, name) -> str:
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else ""


def deadline_from_text(value: str, *, event: Event) -> datetime:
    """ "2026-01-09" (by the end of that day) or "2026-01-09T18:00", in the event's time zone."""
    value = value.strip()
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 (zone below)
            moment = datetime.combine(day, time(23, 59))
        else:
            moment = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError as error:
        raise ValueError(
            _("“%(value)s” is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM.") % {"value": value}
        ) from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, event.zone)
    return moment
