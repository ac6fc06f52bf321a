"""The organisers of the ceremony import their guest list from a spreadsheet: whatever Excel
or LibreOffice saved, the good rows become invitations and each bad line is reported."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from registrations import csv_import
from registrations.models import Invitation
from tests.factories import InvitationFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _in_english():
    # Reasons are shown in the organiser's language; the tests read the English ones.
    with translation.override("en"):
        yield


def guest_ticket(slug="voeux-fhf-paca"):
    return TicketTypeFactory(
        event__slug=slug,
        event__access="invitation",
        event__kind="ceremony",
        category="guest",
        is_public=False,
        name_fr="Invité",
        name_en="Guest",
    )


def upload(ticket, content: bytes, *, deadline=None):
    return csv_import.import_invitations_from_file(
        event=ticket.event,
        ticket_type=ticket,
        uploaded_file=SimpleUploadedFile("invites.csv", content, content_type="text/csv"),
        deadline=deadline or ticket.event.start - timedelta(days=5),
    )


MIXED = """prénom;nom;email;organisation;fonction;accompagnants;langue
Renaud;Muselier;r.muselier@example.org;Région Sud;Président;1;fr
Sophie;Dupont;;CHU de Nice;;0;fr
Marc;Petit;marc.petit@;CHU de Nice;;0;fr
Anne;Durand;R.Muselier@example.org;;;;
Luc;Déjà;deja@example.org;;;;
"Jean
Paul";Martin;jp.martin@example.org;;;;
<b>Eve</b>;Leroy;eve@example.org;;;;
Paul;Roux;paul.roux@example.org;;;deux;
Claire;Morel;Claire.Morel@Example.org;AP-HM;Directrice;2;Anglais
"""


def test_a_mixed_file_keeps_the_good_rows_and_reports_each_bad_line_with_its_reason():
    ticket = guest_ticket()
    InvitationFactory(event=ticket.event, ticket_type=ticket, email="deja@example.org")
    mail.outbox.clear()

    report = upload(ticket, MIXED.encode())

    assert report.errors == [
        (3, "The email address is missing: every guest needs one for their invitation."),
        (4, "email: Enter a valid email address."),
        (5, "This email address is already on line 2 of the file."),
        (6, "email: This guest is already invited to this event."),
        (7, "first_name: Line breaks and control characters are not allowed here."),
        (9, "first_name: HTML or other markup is not allowed here."),
        (10, "plus_ones_allowed: Give a whole number of plus-ones between 0 and 10."),
    ]
    assert [
        (i.first_name, i.last_name, i.email, i.organisation, i.plus_ones_allowed, i.language)
        for i in report.created
    ] == [
        ("Renaud", "Muselier", "r.muselier@example.org", "Région Sud", 1, "fr"),
        ("Claire", "Morel", "claire.morel@example.org", "AP-HM", 2, "en"),
    ]
    assert Invitation.objects.filter(event=ticket.event).count() == 3
    assert sorted(message.to[0] for message in mail.outbox) == [
        "claire.morel@example.org",
        "r.muselier@example.org",
    ]


def test_a_file_saved_by_excel_on_windows_in_cp1252_with_semicolons_is_read():
    ticket = guest_ticket()
    content = (
        "Prénom;Nom;Courriel;Organisation;Fonction;Accompagnants\r\n"
        "Hélène;Lefèvre;h.lefevre@example.org;Hôpital d'Aix;Directrice des soins;1\r\n"
        ";;;;;\r\n"
    ).encode("cp1252")

    report = upload(ticket, content)

    assert report.errors == []
    [invitation] = report.created
    assert (
        invitation.first_name,
        invitation.last_name,
        invitation.organisation,
        invitation.job_title,
        invitation.plus_ones_allowed,
    ) == ("Hélène", "Lefèvre", "Hôpital d'Aix", "Directrice des soins", 1)


def test_a_utf8_file_with_a_byte_order_mark_commas_and_english_headers_is_read():
    ticket = guest_ticket()
    content = (
        "\ufeffFirst name,Last name,E-mail,Organization,Title,Plus ones,Language,Notes\n"
        'Zoé,Ngô,zoe.ngo@example.org,"Sciences Po Aix, chaire santé",Professor,0,EN,VIP\n'
        "\n"
    ).encode()

    report = upload(ticket, content)

    assert report.errors == []
    [invitation] = report.created
    assert (invitation.first_name, invitation.organisation, invitation.language) == (
        "Zoé",
        "Sciences Po Aix, chaire santé",
        "en",
    )
    assert report.ignored_columns == ["notes"]


def test_a_line_with_more_cells_than_columns_is_reported_not_shifted():
    ticket = guest_ticket()
    content = b"prenom,nom,email\nJean,Dupont, Jr,jean@example.org\nAna,Lima,ana@example.org\n"

    report = upload(ticket, content)

    assert report.errors == [
        (
            2,
            "This line has more cells (4) than there are columns (3): a value holding the "
            "separator must be between double quotes.",
        )
    ]
    assert [invitation.email for invitation in report.created] == ["ana@example.org"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "This file is empty.", id="empty"),
        pytest.param(b"\r\n \r\n", "This file is empty.", id="blank lines"),
        pytest.param(
            "prénom;nom;email\n".encode(),
            "This file has no guests: only the line of column names (line 1).",
            id="only the header",
        ),
        pytest.param(
            "prénom;email\nJean;jean@example.org\n".encode(),
            "Missing column(s): nom / last_name. The first line of the file must name the "
            "columns, for example: prénom;nom;email;organisation;fonction;accompagnants.",
            id="missing column",
        ),
        pytest.param(
            b"Jean;Dupont;jean@example.org\n",
            "Missing column(s): prénom / first_name, nom / last_name, email / courriel. The "
            "first line of the file must name the columns, for example: "
            "prénom;nom;email;organisation;fonction;accompagnants.",
            id="no header line",
        ),
        pytest.param(
            b"email;courriel;prenom;nom\n",
            "Two columns give the email / courriel: keep only one of them.",
            id="two email columns",
        ),
        pytest.param(
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
            "This is a spreadsheet workbook, not a CSV file. In your spreadsheet, use “Save "
            "as” and choose “CSV UTF-8” (or “CSV”).",
            id="an xlsx workbook",
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "This file is not a CSV text file. Export the guest list as CSV and try again.",
            id="an image",
        ),
        pytest.param(
            "prénom;nom;email\n".encode("utf-16"),
            "This file is in UTF-16. Save it as “CSV UTF-8” (or “CSV”) and import it again.",
            id="utf-16",
        ),
        pytest.param(
            b"pr\x81nom;nom;email\nJ\x8dan;Dupont;jean@example.org\n",
            "This file's encoding is neither UTF-8 nor Windows-1252. Save it as “CSV UTF-8” "
            "and import it again.",
            id="another encoding",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_with_one_message(content, message):
    ticket = guest_ticket()

    with pytest.raises(csv_import.InvalidInvitationFile) as refused:
        upload(ticket, content)

    assert refused.value.messages == [message]
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_FILE_BYTES", 1024 * 1024)
    ticket = guest_ticket()
    content = b"prenom;nom;email\n" + b"Jean;Dupont;jean@example.org\n" * 40_000

    with pytest.raises(csv_import.InvalidInvitationFile) as refused:
        upload(ticket, content)

    assert refused.value.messages == ["This file is too large: a guest list may not exceed 1 MB."]
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    ("days_before_the_event", "message"),
    [
        (-1, "The answer deadline must come before the event starts."),
        (31, "The answer deadline must be in the future."),
    ],
)
def test_a_deadline_that_cannot_work_is_refused_before_anyone_is_invited(
    days_before_the_event, message
):
    ticket = guest_ticket()
    deadline = ticket.event.start - timedelta(days=days_before_the_event)

    with pytest.raises(csv_import.InvalidInvitationFile) as refused:
        upload(ticket, b"prenom;nom;email\nJean;Dupont;jean@example.org\n", deadline=deadline)

    assert refused.value.messages == [message]
    assert Invitation.objects.count() == 0


def test_another_events_ticket_type_is_refused():
    ticket = guest_ticket()
    other = guest_ticket(slug="autre")

    with pytest.raises(csv_import.InvalidInvitationFile) as refused:
        csv_import.import_invitations_from_file(
            event=ticket.event,
            ticket_type=other,
            uploaded_file=SimpleUploadedFile("g.csv", b"prenom;nom;email\nA;B;a@example.org\n"),
            deadline=ticket.event.start - timedelta(days=5),
        )

    assert refused.value.messages == ["This ticket type is not one of this event's."]
    assert Invitation.objects.count() == 0


def test_the_management_command_prints_the_count_and_each_bad_line(tmp_path):
    ticket = guest_ticket()
    guest_list = tmp_path / "invites.csv"
    guest_list.write_bytes(
        (
            "prénom;nom;email;accompagnants\n"
            "Renaud;Muselier;r.muselier@example.org;1\n"
            "Marc;Petit;marc.petit@;0\n"
            "Claire;Morel;claire.morel@example.org;plusieurs\n"
            "Anne;Durand;anne.durand@example.org;\n"
        ).encode("cp1252")
    )
    day = (ticket.event.start - timedelta(days=3)).astimezone(PARIS).date()
    output = StringIO()

    call_command(
        "import_invitations",
        str(guest_list),
        "--event",
        "voeux-fhf-paca",
        "--ticket-type",
        "invité",
        "--deadline",
        day.isoformat(),
        stdout=output,
    )

    assert output.getvalue() == (
        "2 invitation(s) created, 2 line(s) refused.\n"
        "Line 3: email: Enter a valid email address.\n"
        "Line 4: plus_ones_allowed: Give a whole number of plus-ones between 0 and 10.\n"
    )
    invitations = Invitation.objects.order_by("email")
    assert [invitation.email for invitation in invitations] == [
        "anne.durand@example.org",
        "r.muselier@example.org",
    ]
    # A day alone means "by the end of that day", in the event's time zone.
    assert {invitation.deadline for invitation in invitations} == {
        datetime(day.year, day.month, day.day, 23, 59, tzinfo=PARIS)
    }
    assert len(mail.outbox) == 2


def test_the_management_command_takes_the_ticket_type_by_id_and_an_exact_time(tmp_path):
    ticket = guest_ticket()
    guest_list = tmp_path / "invites.csv"
    guest_list.write_text("first_name,last_name,email\nAna,Lima,ana@example.org\n")
    deadline = (ticket.event.start - timedelta(days=3)).astimezone(PARIS)
    output = StringIO()

    call_command(
        "import_invitations",
        str(guest_list),
        event="voeux-fhf-paca",
        ticket_type=str(ticket.pk),
        deadline=deadline.strftime("%Y-%m-%dT%H:%M"),
        stdout=output,
    )

    assert output.getvalue() == "1 invitation(s) created, 0 line(s) refused.\n"
    assert Invitation.objects.get().deadline == deadline.replace(second=0, microsecond=0)


@pytest.mark.parametrize(
    ("arguments", "content", "message"),
    [
        (
            {"ticket_type": "VIP"},
            b"prenom;nom;email\n",
            "No ticket type “VIP” in this event. Its ticket types: {pk} (Invité).",
        ),
        ({"event": "nowhere"}, b"prenom;nom;email\n", "No event with the slug “nowhere”."),
        (
            {"deadline": "next friday"},
            b"prenom;nom;email\n",
            "“next friday” is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM.",
        ),
        ({}, b"", "This file is empty."),
    ],
)
def test_the_management_command_stops_with_one_clear_error(tmp_path, arguments, content, message):
    ticket = guest_ticket()
    guest_list = tmp_path / "invites.csv"
    guest_list.write_bytes(content)
    options = {
        "event": "voeux-fhf-paca",
        "ticket_type": "Invité",
        "deadline": (timezone.now() + timedelta(days=10)).date().isoformat(),
        **arguments,
    }

    with pytest.raises(CommandError) as stopped:
        call_command("import_invitations", str(guest_list), **options)

    assert str(stopped.value) == message.format(pk=ticket.pk)
    assert Invitation.objects.count() == 0
