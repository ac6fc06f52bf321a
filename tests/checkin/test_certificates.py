"""Attendance certificates: the hours a person attended, computed from the door's scans and
the day's programme, the PDF that states them, and who may download it when."""

# ruff: noqa: RUF001 - certificates show time ranges with a typographic en dash.

from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from checkin import attendance, certificates
from checkin import services as checkin
from checkin.attendance import attended_hours, compute_attended_hours, format_duration
from checkin.models import CheckIn
from events.models import Session
from organisations.models import Membership
from tests.checkin.checkin_factories import CheckInFactory, CheckpointFactory
from tests.factories import (
    PARIS,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    SessionFactory,
    TicketTypeFactory,
    VenueFactory,
)
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

Result = CheckIn.Result
EXIT = CheckIn.Direction.EXIT


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time on the event's day `day` (1 or 2: 20 and 21 May 2027), in Paris."""
    return datetime(2027, 5, 19 + day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def event():
    organisation = OrganisationFactory(
        name="Chaire Protection sociale et territoires",
        legal_name="Sciences Po Lyon",
        address="14 avenue Berthelot\n69007 Lyon",
    )
    return EventFactory(
        organisation=organisation,
        venue=VenueFactory(organisation=organisation),
        slug="protection-sociale",
        title_fr="Protection sociale et territoires : quelles solidarités ?",
        title_en="Social protection and territories: which solidarities?",
        start=at(1, 8, 30),
        end=at(2, 18, 0),
    )


@pytest.fixture
def programme(event):
    """Day 1 from 09:00 to 17:30 (with a cancelled evening session), day 2 from 09:00 to
    12:30."""
    for start, end in ((at(1, 9), at(1, 12, 30)), (at(1, 14), at(1, 17, 30))):
        SessionFactory(event=event, start=start, end=end)
    SessionFactory(event=event, start=at(1, 18), end=at(1, 20), status=Session.Status.CANCELLED)
    SessionFactory(event=event, start=at(2, 9), end=at(2, 12, 30))


@pytest.fixture
def attendee(event):
    return RegistrationFactory(
        ticket_type=TicketTypeFactory(event=event),
        first_name="Éléonore",
        last_name="Lefèvre-Œuvray",
        language="fr",
    )


def scan(registration, moment, **fields):
    return CheckInFactory(registration=registration, scanned_at=moment, **fields)


def spans(hours) -> list[tuple[str, str, str]]:
    return [
        (span.day.isoformat(), f"{span.start:%H:%M}", f"{span.end:%H:%M}") for span in hours.days
    ]


# --- The hours ------------------------------------------------------------------------------


def test_hours_run_from_the_programme_start_for_someone_who_came_early(event, programme, attendee):
    scan(attendee, at(1, 8, 40))

    hours = attended_hours(registration=attendee)

    assert spans(hours) == [("2027-05-20", "09:00", "17:30")]
    assert hours.total == timedelta(hours=8, minutes=30)


def test_hours_run_from_a_late_arrival_to_the_end_of_the_day(event, programme, attendee):
    scan(attendee, at(1, 11, 0))

    assert spans(attended_hours(registration=attendee)) == [("2027-05-20", "11:00", "17:30")]


def test_each_day_of_a_multi_day_event_counts_on_its_own(event, programme, attendee):
    scan(attendee, at(1, 10, 0))
    scan(attendee, at(1, 14, 5), result=Result.ALREADY_CHECKED_IN)  # a refused repeat
    scan(attendee, at(2, 8, 50), result=Result.OK)

    hours = attended_hours(registration=attendee)

    assert spans(hours) == [("2027-05-20", "10:00", "17:30"), ("2027-05-21", "09:00", "12:30")]
    assert hours.total == timedelta(hours=11)


def test_a_day_without_the_person_is_not_counted(event, programme, attendee):
    scan(attendee, at(2, 9, 15))

    assert spans(attended_hours(registration=attendee)) == [("2027-05-21", "09:15", "12:30")]


def test_an_offline_admission_counts_although_the_server_refused_it(event, programme, attendee):
    scan(
        attendee,
        at(2, 9, 30),
        is_offline=True,
        client_result=Result.OK,
        result=Result.ALREADY_CHECKED_IN,
    )

    assert spans(attended_hours(registration=attendee)) == [("2027-05-21", "09:30", "12:30")]


def test_a_refused_badge_gives_no_hours(event, programme, attendee):
    scan(attendee, at(1, 9), result=Result.NOT_PAID)
    scan(attendee, at(1, 9, 5), is_offline=True, client_result=Result.NOT_PAID, result="not_paid")

    assert attended_hours(registration=attendee).days == ()
    assert not attended_hours(registration=attendee).attended


def test_a_last_exit_without_return_ends_the_day(event, programme, attendee):
    CheckpointFactory(event=event, records_exits=True)
    scan(attendee, at(1, 9, 0))
    scan(attendee, at(1, 15, 30), direction=EXIT)

    hours = attended_hours(registration=attendee)

    assert spans(hours) == [("2027-05-20", "09:00", "15:30")]
    with translation.override("fr"):
        assert format_duration(hours.total) == gettext("%(hours)d h %(minutes)02d min") % {
            "hours": 6,
            "minutes": 30,
        }
    with translation.override("en"):
        assert format_duration(hours.total) == "6 h 30 min"


def test_someone_who_went_out_and_came_back_stays_until_the_end(event, programme, attendee):
    CheckpointFactory(event=event, records_exits=True)
    scan(attendee, at(1, 9, 0))
    scan(attendee, at(1, 12, 30), direction=EXIT)
    scan(attendee, at(1, 13, 45))

    assert spans(attended_hours(registration=attendee)) == [("2027-05-20", "09:00", "17:30")]


def test_an_exit_after_the_programme_ends_changes_nothing(event, programme, attendee):
    scan(attendee, at(1, 9, 0))
    scan(attendee, at(1, 19, 0), direction=EXIT)

    assert spans(attended_hours(registration=attendee)) == [("2027-05-20", "09:00", "17:30")]


def test_scans_at_a_session_do_not_count_for_the_entrance(event, programme, attendee):
    session = event.sessions.order_by("start").first()
    at_session = CheckpointFactory(event=event, session=session, position=1)
    scan(attendee, at(1, 9, 0), checkpoint=at_session)

    assert not attended_hours(registration=attendee).attended


def test_without_sessions_a_day_runs_at_the_events_hours(event, attendee):
    scan(attendee, at(1, 8, 0))
    scan(attendee, at(2, 10, 0))

    assert spans(attended_hours(registration=attendee)) == [
        ("2027-05-20", "08:30", "18:00"),
        ("2027-05-21", "10:00", "18:00"),
    ]


def test_an_arrival_after_the_programme_gives_no_hours(event, programme, attendee):
    scan(attendee, at(2, 13, 0))

    assert not attended_hours(registration=attendee).attended


def test_the_computation_needs_no_query(event, programme, attendee, django_assert_num_queries):
    scans = [scan(attendee, at(1, 9, 10)), scan(attendee, at(1, 16, 0), direction=EXIT)]
    sessions = list(event.sessions.all())

    with django_assert_num_queries(0):
        hours = compute_attended_hours(event=event, scans=scans, sessions=sessions)

    assert hours.total == timedelta(hours=6, minutes=50)


@pytest.mark.parametrize(
    ("minutes", "english"),
    [(390, "6 h 30 min"), (420, "7 h"), (65, "1 h 05 min"), (0, "0 h")],
)
def test_durations_read_in_hours_and_minutes(minutes, english):
    with translation.override("en"):
        assert format_duration(timedelta(minutes=minutes, seconds=59)) == english


# --- The PDF --------------------------------------------------------------------------------


def pdf_text(content: bytes) -> list[str]:
    """Each page's text, its lines and columns joined by single spaces."""
    assert content.startswith(b"%PDF")
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(content)).pages]


def test_the_certificate_states_who_what_where_when_and_how_long(event, programme, attendee):
    CheckpointFactory(event=event, records_exits=True)
    scan(attendee, at(1, 8, 40))
    scan(attendee, at(2, 9, 0))
    scan(attendee, at(2, 11, 0), direction=EXIT)
    attendee.event = event

    content = certificates.build_certificate(
        registration=attendee,
        hours=attended_hours(registration=attendee),
        issued_on=date(2027, 5, 21),
    )

    (text,) = pdf_text(content)
    with translation.override("fr"):
        expected = [
            gettext("Certificate of attendance").upper(),
            gettext("%(organisation)s certifies that")
            % {"organisation": "Chaire Protection sociale et territoires"},
            "Éléonore Lefèvre-Œuvray",
            "Protection sociale et territoires : quelles solidarités ?",
            "Sciences Po Lyon, 14 avenue Berthelot, 69007 Lyon",
            gettext("from %(start)s to %(end)s")
            % {"start": "jeudi 20 mai 2027", "end": "vendredi 21 mai 2027"},
            "jeudi 20 mai 2027 09:00 – 17:30",
            "vendredi 21 mai 2027 09:00 – 11:00",
            format_duration(timedelta(hours=8, minutes=30)),
            f"{gettext('Total')} {format_duration(timedelta(hours=10, minutes=30))}",
            gettext("Issued in %(city)s on %(date)s") % {"city": "Lyon", "date": "21 mai 2027"},
            "Sciences Po Lyon",
        ]
    for line in expected:
        assert line in text


def test_an_english_speaker_gets_the_certificate_in_english(event, programme, attendee):
    attendee.language = "en"
    scan(attendee, at(1, 9, 0))
    scan(attendee, at(1, 15, 30), direction=EXIT)

    (text,) = pdf_text(
        certificates.build_certificate(
            registration=attendee,
            hours=attended_hours(registration=attendee),
            issued_on=date(2027, 5, 21),
        )
    )

    assert "CERTIFICATE OF ATTENDANCE" in text
    assert "Social protection and territories: which solidarities?" in text
    assert "from Thursday 20 May 2027 to Friday 21 May 2027" in text
    assert "Thursday 20 May 2027 09:00 – 15:30 6 h 30 min" in text
    assert "Total 6 h 30 min" in text
    assert "Issued in Lyon on 21 May 2027" in text


def drawn_lines(pdf: bytes) -> list[tuple[str, str, float]]:
    """Each piece of text the PDF draws, with the font and size it is drawn in, read by pypdf."""
    drawn = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            drawn.append((text.strip(), font["/BaseFont"].lstrip("/"), size))

    for page in PdfReader(BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return drawn


def test_a_long_name_is_made_to_fit_the_page(event, programme, attendee):
    attendee.first_name = "Marie-Éléonore-Geneviève-Bénédicte"
    attendee.last_name = "de La Rochefoucauld-Montmorency-Laval-Saint-Aignan-Lefèvre d'Orgeval"
    scan(attendee, at(1, 9, 0))

    pdf = certificates.build_certificate(
        registration=attendee, hours=attended_hours(registration=attendee)
    )
    (text,) = pdf_text(pdf)

    name_lines = [
        (line, font, size) for line, font, size in drawn_lines(pdf) if "Rochefoucauld" in line
    ]
    assert name_lines
    for line, font, size in name_lines:
        assert pdfmetrics.stringWidth(line, font, size) <= certificates.WIDTH
    assert text.count(attendee.full_name) == 1


def test_a_very_long_name_without_spaces_is_wrapped(event, programme, attendee):
    attendee.first_name = "A" * 100
    attendee.last_name = "B" * 100
    scan(attendee, at(1, 9, 0))

    (text,) = pdf_text(
        certificates.build_certificate(
            registration=attendee, hours=attended_hours(registration=attendee)
        )
    )

    assert "".join(text.split()).count("A" * 100 + "B" * 100) == 1


def test_names_beyond_western_european_letters_are_printed(event, programme, attendee):
    attendee.first_name, attendee.last_name = "Łukasz", "Dvořák"
    scan(attendee, at(1, 9, 0))

    (text,) = pdf_text(
        certificates.build_certificate(
            registration=attendee, hours=attended_hours(registration=attendee)
        )
    )

    assert "Łukasz Dvořák" in text
    assert "■" not in text


# --- The attendee's download ----------------------------------------------------------------


def certificate_url(registration) -> str:
    return f"/r/{registration.manage_token}/certificate.pdf"


@pytest.fixture
def past_event(event):
    """The same event, moved to last month (sessions and scans move with it)."""
    shift = timezone.now().astimezone(PARIS).date() - timedelta(days=30) - event.start.date()
    event.start += shift
    event.end += shift
    event.save()
    return event, shift


def test_after_the_event_an_admitted_attendee_downloads_their_certificate(
    client, past_event, attendee
):
    event, shift = past_event
    attendee.language = "en"
    attendee.save()
    scan(attendee, at(1, 10, 15) + shift)

    page = client.get(f"/r/{attendee.manage_token}/")
    response = client.get(certificate_url(attendee))

    assert f'href="{certificate_url(attendee)}"' in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    (text,) = pdf_text(response.content)
    assert "Éléonore Lefèvre-Œuvray" in text
    assert "CERTIFICATE OF ATTENDANCE" in text
    assert "Total 7 h 45 min" in text  # 10:15 to 18:00, the event's own hours (no sessions)
    with translation.override("en"):
        last_day = formats.date_format(event.end.astimezone(PARIS), "j F Y")
    assert f"Issued in Lyon on {last_day}" in text  # the event's last day


def test_scanned_at_the_door_on_both_days_the_attendee_has_both_on_certificate_and_sheet(
    client, past_event, attendee
):
    event, shift = past_event
    entrance = checkin.entrance_checkpoint(event)  # one entry a day: no re-entry
    day_one, day_two = at(1, 9, 0) + shift, at(2, 8, 50) + shift

    answers = [
        checkin.check_in(checkpoint=entrance, nonce=nonce, token=attendee.badge_token, now=now)
        for nonce, now in (("a", day_one), ("b", day_one + timedelta(hours=2)), ("c", day_two))
    ]

    assert [answer.result for answer in answers] == ["ok", "already_checked_in", "ok"]
    (text,) = pdf_text(client.get(certificate_url(attendee)).content)
    with translation.override("fr"):
        first, second = (formats.date_format(day, "l j F Y") for day in (day_one, day_two))
        nine_ten, total = format_duration(timedelta(hours=9, minutes=10)), gettext("Total")
        whole = format_duration(timedelta(hours=18, minutes=10))
    # No sessions: each day runs at the event's hours, 08:30 to 18:00.
    assert f"{first} 09:00 – 18:00 9 h {second}" in text
    assert f"{second} 08:50 – 18:00 {nine_ten} {total} {whole}" in text
    organiser = MembershipFactory(organisation=event.organisation).user
    client.force_login(organiser)
    sheet = client.get(f"/checkin/events/{event.slug}/attendance.csv").content.decode()
    assert f"{day_one:%d/%m/%Y};Lefèvre-Œuvray;Éléonore;" in sheet
    assert f";{day_one:%d/%m/%Y} 09:00;;non;" in sheet
    assert f";{day_two:%d/%m/%Y} 08:50;;non;" in sheet


def test_before_the_event_ends_there_is_no_certificate(client, event, attendee):
    event.start = timezone.now() - timedelta(hours=3)
    event.end = timezone.now() + timedelta(hours=5)
    event.save()
    scan(attendee, timezone.now() - timedelta(hours=2))

    page = client.get(f"/r/{attendee.manage_token}/")

    assert certificate_url(attendee) not in page.content.decode()
    assert client.get(certificate_url(attendee)).status_code == 404
    assert not attendance.certificate_available(registration=attendee)


def test_someone_never_admitted_gets_no_certificate(client, past_event, attendee):
    _event, shift = past_event
    scan(attendee, at(1, 10) + shift, result=Result.NOT_PAID)

    page = client.get(f"/r/{attendee.manage_token}/")

    assert certificate_url(attendee) not in page.content.decode()
    assert client.get(certificate_url(attendee)).status_code == 404


def test_an_unknown_link_gets_no_certificate(client):
    assert client.get("/r/not-a-token/certificate.pdf").status_code == 404


# --- Every certificate of an event, for the organisers --------------------------------------


@pytest.fixture
def organiser(client, event):
    user = MembershipFactory(organisation=event.organisation, role=Membership.Role.ORGANISER).user
    client.force_login(user)
    return user


def bulk_url(event) -> str:
    return f"/checkin/events/{event.slug}/certificates.pdf"


def test_organisers_download_one_page_per_attendee_in_french(
    client, organiser, event, programme, attendee
):
    ticket = attendee.ticket_type
    zola = RegistrationFactory(
        ticket_type=ticket, first_name="Émile", last_name="Zola", language="en"
    )
    RegistrationFactory(ticket_type=ticket, first_name="Absent", last_name="Albert")
    scan(zola, at(2, 9, 10))
    scan(attendee, at(1, 9, 0))

    response = client.get(bulk_url(event))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    first, second = pdf_text(response.content)
    assert "Éléonore Lefèvre-Œuvray" in first
    assert "Émile Zola" in second  # in French, although Émile chose English
    with translation.override("fr"):
        assert gettext("Certificate of attendance").upper() in second
        assert "vendredi 21 mai 2027 09:10 – 12:30" in second


def test_with_nobody_admitted_the_organiser_is_told(client, organiser, event, attendee):
    response = client.get(bulk_url(event), follow=True)

    assert response.redirect_chain[0][0] == f"/checkin/events/{event.slug}/attendance/"
    with translation.override("fr"):
        assert gettext(
            "No one has been admitted at the entrance yet: no certificates."
        ) in response.content.decode().replace("&#x27;", "'")


def test_before_the_event_is_over_the_organisers_certificates_are_marked_provisional(
    client, organiser, event, programme, attendee
):
    scan(attendee, at(1, 9, 0))  # the event runs in 2027: not over

    (page,) = pdf_text(client.get(bulk_url(event)).content)

    with translation.override("fr"):
        # The PDF's text comes back with plain spaces where French has non-breaking ones.
        provisional = gettext("Provisional: the event is not over yet.").replace("\xa0", " ")
    assert provisional in page.replace("\xa0", " ")


def test_after_the_event_the_organisers_certificates_are_final(client, organiser, past_event):
    event, shift = past_event
    attendee = RegistrationFactory(ticket_type=TicketTypeFactory(event=event))
    scan(attendee, at(1, 9, 0) + shift)

    (page,) = pdf_text(client.get(bulk_url(event)).content)

    with translation.override("fr"):
        assert gettext("Certificate of attendance").upper() in page
        assert "Provisoire" not in page


def test_five_people_admitted_after_the_days_programme_are_not_called_nobody(
    client, organiser, event, programme
):
    ticket = TicketTypeFactory(event=event)
    for number in range(5):  # the last session of day 2 ends at 12:30
        scan(RegistrationFactory(ticket_type=ticket, last_name=f"Tard {number}"), at(2, 13))

    response = client.get(bulk_url(event), follow=True)

    page = response.content.decode().replace("&#x27;", "'")
    with translation.override("fr"):
        told = ngettext(
            "%(count)d person was admitted at the entrance, but after the programme of "
            "the day had ended: no hours to certify, no certificates.",
            "%(count)d people were admitted at the entrance, but after the programme of "
            "the day had ended: no hours to certify, no certificates.",
            5,
        ) % {"count": 5}
        assert told in page
        assert gettext("No one has been admitted at the entrance yet: no certificates.") not in page


@pytest.mark.parametrize("size", [10, 100])
def test_the_bulk_download_costs_the_same_queries_for_10_or_100(
    client, organiser, event, programme, size, django_assert_max_num_queries
):
    ticket = TicketTypeFactory(event=event)
    CheckpointFactory(event=event, records_exits=True)
    for n in range(size):
        registration = RegistrationFactory(ticket_type=ticket, last_name=f"Nom {n:03}")
        scan(registration, at(1 + n % 2, 8, n % 60))
        if n % 3 == 0:
            scan(registration, at(1 + n % 2, 12, 0), direction=EXIT)

    # Session, user, organisations, event; scans, sessions; the people.
    with django_assert_max_num_queries(7):
        response = client.get(bulk_url(event))

    assert len(PdfReader(BytesIO(response.content)).pages) == size
