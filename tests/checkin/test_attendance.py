"""Organisers watch who came: counts per checkpoint and category, arrivals over time, who is
still expected, offline conflicts, and the attendance sheet (feuille d'émargement) as CSV."""

# ruff: noqa: RUF001 - the page shows time ranges with a typographic en dash.

import csv
import io
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from checkin import attendance
from checkin import services as checkin
from checkin.models import CheckIn, attendance_day
from organisations.models import Membership
from registrations.exports import BOM
from registrations.models import Registration, SessionSignup
from tests.checkin.checkin_factories import CheckInFactory, CheckpointFactory
from tests.factories import (
    PARIS,
    EventFactory,
    MembershipFactory,
    SessionFactory,
    TicketTypeFactory,
)
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

Result = CheckIn.Result
DAY_1 = datetime(2027, 5, 20, tzinfo=PARIS)


def at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    return DAY_1 + timedelta(days=day, hours=hour, minutes=minute)


class _TextOf(HTMLParser):
    """The visible text inside the element with a given id (scripts left out)."""

    def __init__(self, element_id):
        super().__init__()
        self.element_id, self.depth, self.parts, self.skip = element_id, 0, [], 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in ("br", "input", "meta", "link", "img")
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1
        self.skip += tag in ("script", "title")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "title")
        if self.depth and tag not in ("br", "input", "meta", "link", "img"):
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def text_of(response, element_id: str) -> str:
    parser = _TextOf(element_id)
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def url(event, what="attendance/", language="fr") -> str:
    prefix = "" if language == "fr" else f"/{language}"
    return f"{prefix}/checkin/events/{event.slug}/{what}"


@pytest.fixture
def event():
    return EventFactory(slug="protection-sociale", title_fr="Protection sociale et territoires")


@pytest.fixture
def organiser(client, event):
    user = MembershipFactory(organisation=event.organisation, role=Membership.Role.ORGANISER).user
    client.force_login(user)
    return user


@pytest.fixture
def tickets(event):
    return {
        "professional": TicketTypeFactory(event=event, category="professional"),
        "student": TicketTypeFactory(
            event=event, category="student", name_fr="Étudiant", name_en="Student"
        ),
    }


def person(ticket, last_name, first_name="Camille", **fields) -> Registration:
    return RegistrationFactory(
        ticket_type=ticket, last_name=last_name, first_name=first_name, **fields
    )


# --- The live page --------------------------------------------------------------------------


def test_the_page_counts_arrivals_per_checkpoint_and_category(client, organiser, event, tickets):
    pro, student = tickets["professional"], tickets["student"]
    durand, martin, petit = (person(pro, name) for name in ("Durand", "Martin", "Petit"))
    leroy = person(student, "Leroy")
    person(student, "Moreau")
    person(pro, "Attente", status=Registration.Status.WAITLISTED)  # no seat: not expected
    CheckInFactory(registration=durand, scanned_at=at(8, 40))
    CheckInFactory(registration=durand, scanned_at=at(9, 5), result=Result.ALREADY_CHECKED_IN)
    # An offline gate let Martin in; the server refused when the scan came in: still arrived.
    CheckInFactory(
        registration=martin,
        scanned_at=at(8, 50),
        is_offline=True,
        client_result=Result.OK,
        result=Result.NOT_PAID,
    )
    CheckInFactory(registration=leroy, scanned_at=at(9, 10))
    CheckInFactory(registration=petit, scanned_at=at(9, 12), result=Result.NOT_PAID)

    response = client.get(url(event))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    figures = text_of(response, "attendance-counts")
    with translation.override("fr"):
        assert f"{gettext('Arrived at the entrance')} 3 {gettext('Expected')} 5" in figures
        assert f"{gettext('Not arrived yet')} 2" in figures
        assert f"{gettext('Offline conflicts')} 1" in figures
        # Entrance: 3 of 5 (60 %), 5 scans, 2 refused (the repeat and the unpaid badge).
        assert "Entrée 3 5 60 % — 5 2 jeu 20, 09:12" in figures
        assert f"{gettext('professional').capitalize()} 2 / 3" in figures
        assert f"{gettext('student').capitalize()} 1 / 2" in figures


def test_a_session_with_its_own_sign_up_expects_those_signed_up(client, organiser, event, tickets):
    workshop = SessionFactory(event=event, title_fr="Atelier santé", requires_signup=True)
    CheckpointFactory(event=event)
    CheckpointFactory(event=event, session=workshop, position=1)
    people = [person(tickets["professional"], f"Inscrit {n}") for n in range(4)]
    for registration in people[:3]:
        SessionSignup.objects.create(registration=registration, session=workshop)
    CheckInFactory(
        registration=people[0], checkpoint=workshop.checkpoints.get(), scanned_at=at(9, 0)
    )

    counts = attendance.attendance_counts(event=event)

    entrance, session = counts.checkpoints
    assert (entrance.total.arrived, entrance.total.expected) == (0, 4)
    assert (session.total.arrived, session.total.expected) == (1, 3)
    assert session.checkpoint.name == "Atelier santé"


def test_people_inside_are_counted_where_exits_are_scanned(event, tickets):
    entrance = CheckpointFactory(event=event, records_exits=True)
    left, back, inside = (person(tickets["professional"], n) for n in ("Parti", "Revenu", "Là"))
    for registration in (left, back, inside):
        CheckInFactory(registration=registration, checkpoint=entrance, scanned_at=at(9))
    for registration in (left, back):
        CheckInFactory(
            registration=registration,
            checkpoint=entrance,
            direction=CheckIn.Direction.EXIT,
            scanned_at=at(12),
        )
    CheckInFactory(registration=back, checkpoint=entrance, scanned_at=at(13, 30))

    counts = attendance.attendance_counts(event=event)

    assert counts.entrance.present == 2
    assert counts.entrance.total.arrived == 3


def test_the_chart_has_one_bar_per_quarter_hour_with_arrivals(client, organiser, event, tickets):
    ticket = tickets["professional"]
    for minute, name in ((5, "A"), (10, "B"), (40, "C"), (80, "D")):
        registration = person(ticket, name)
        CheckInFactory(registration=registration, scanned_at=at(9, minute))
        # A second admission (re-entry) is no new arrival.
        CheckInFactory(registration=registration, scanned_at=at(11, minute))

    response = client.get(url(event))
    html = response.content.decode()

    chart = re.search(r'<svg class="chart__svg".*?</svg>', html, re.S).group(0)
    assert chart.count('class="chart__bar"') == 3  # 09:00 (2), 09:30 (1), 10:15 (1)
    assert 'viewBox="0 0 640 180"' in chart
    assert "," not in re.sub(r"<title>.*?</title>", "", chart)  # no French decimal commas
    figures = text_of(response, "attendance-charts")
    assert "Entrée — jeudi 20 mai 2027" in figures
    assert "09:00–09:15 2 09:15–09:30 0 09:30–09:45 1" in figures
    assert "10:15–10:30 1" in figures
    # Drawn by the server: no chart library, nothing from another host (the one script
    # refreshes the figures).
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/js/attendance.js"]
    assert not re.search(r'(src|href)="https?://', html)


def test_arrivals_are_counted_in_the_events_time_zone(event, tickets):
    registration = person(tickets["professional"], "Durand")
    CheckInFactory(
        registration=registration,
        scanned_at=datetime.fromisoformat("2027-05-19T22:40:00+00:00"),  # 00:40, 20 May, Paris
    )
    CheckInFactory(
        registration=person(tickets["professional"], "Martin"),
        scanned_at=datetime.fromisoformat("2027-05-21T06:59:00+00:00"),  # 08:59 in Paris
    )

    series = attendance.arrivals_over_time(event=event)

    assert [
        (s.day.isoformat(), [(b.start.strftime("%H:%M"), b.count) for b in s.buckets])
        for s in series
    ] == [
        ("2027-05-20", [("00:30", 1)]),
        ("2027-05-21", [("08:45", 1)]),
    ]


def test_the_not_arrived_list_can_be_searched_by_name(client, organiser, event, tickets):
    ticket = tickets["professional"]
    came = person(ticket, "Arrivée", "Alice")
    person(ticket, "Dupont", "Hélène", organisation="CPAM du Rhône")
    person(ticket, "Durand", "Paul")
    person(ticket, "Zola", "Émile", status=Registration.Status.PENDING_PAYMENT)
    person(ticket, "Annulé", "Jean", status=Registration.Status.CANCELLED)
    CheckInFactory(registration=came, scanned_at=at(9))

    everyone = text_of(client.get(url(event)), "attendance-not-arrived")
    searched = text_of(client.get(url(event), {"q": "du"}), "attendance-not-arrived")
    nobody = text_of(client.get(url(event), {"q": "Personne"}), "attendance-not-arrived")

    assert everyone.startswith("3 ")
    assert "DUPONT Hélène CPAM du Rhône" in everyone
    assert everyone.index("DUPONT") < everyone.index("DURAND") < everyone.index("ZOLA")
    assert "ARRIVÉE" not in everyone
    assert "ANNULÉ" not in everyone
    assert "DUPONT" in searched
    assert "DURAND" in searched
    assert "ZOLA" not in searched
    assert nobody.startswith("0 ")
    assert "Personne" in nobody
    assert "DUPONT" not in nobody


def test_the_conflict_report_shows_both_admissions_of_a_badge(client, organiser, event, tickets):
    registration = person(tickets["professional"], "Double", "Anne")
    CheckInFactory(
        registration=registration,
        gate="Entrée nord",
        scanned_at=at(9, 1),
        is_offline=True,
        client_result=Result.OK,
        is_first_entry=True,
    )
    CheckInFactory(
        registration=registration,
        gate="Entrée sud",
        scanned_at=at(9, 3),
        is_offline=True,
        client_result=Result.OK,
        result=Result.ALREADY_CHECKED_IN,
        received_at=at(9, 30),
    )

    report = attendance.conflict_report(event=event)
    response = client.get(url(event))

    assert len(report) == 1
    assert report[0].scan.gate == "Entrée sud"
    assert [other.gate for other in report[0].others] == ["Entrée nord"]
    text = text_of(response, "attendance-conflicts")
    assert "DOUBLE Anne" in text
    assert "Entrée sud" in text
    assert "Entrée nord, jeu 20, 09:01:00" in text
    assert "jeu 20, 09:03:00" in text
    assert "jeu 20, 09:30:00" in text
    with translation.override("fr"):
        assert str(Result.ALREADY_CHECKED_IN.label) in text


def test_the_live_part_comes_alone_for_the_refresh(client, organiser, event, tickets):
    person(tickets["professional"], "Durand")

    response = client.get(url(event), {"live": "1"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    for part in (
        "attendance-updated",
        "attendance-counts",
        "attendance-charts",
        "attendance-not-arrived",
        "attendance-conflicts",
    ):
        assert f'id="{part}" data-live' in html


def test_the_page_refreshes_itself_every_20_seconds(client, organiser, event):
    html = client.get(url(event)).content.decode()

    assert 'data-refresh-seconds="20"' in html
    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in html


def test_the_page_is_in_english_under_en(client, organiser, event, tickets):
    person(tickets["professional"], "Durand")

    response = client.get(url(event, language="en"))

    assert response.status_code == 200
    assert "Live attendance" in response.content.decode()
    assert "Expected 1" in text_of(response, "attendance-counts")


# --- Who may see it -------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(client, event):
    for what in ("attendance/", "attendance.csv", "certificates.pdf"):
        response = client.get(url(event, what))

        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize("what", ["attendance/", "attendance.csv", "certificates.pdf"])
@pytest.mark.parametrize("who", ["other_organiser", "door_staff", "user_without_membership"])
def test_others_get_not_found(client, event, what, who):
    if who == "other_organiser":
        user = MembershipFactory(role=Membership.Role.ORGANISER).user
    elif who == "door_staff":
        user = MembershipFactory(
            organisation=event.organisation, role=Membership.Role.DOOR_STAFF
        ).user
    else:
        user = get_user_model().objects.create_user("curieux", password="x" * 12)
    client.force_login(user)

    assert client.get(url(event, what)).status_code == 404


def test_a_deactivated_organiser_is_logged_out(client, event):
    user = MembershipFactory(organisation=event.organisation).user
    client.force_login(user)
    user.is_active = False
    user.save()

    response = client.get(url(event))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_owners_and_superusers_see_the_page(client, event):
    owner = MembershipFactory(organisation=event.organisation, role=Membership.Role.OWNER).user
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)

    for user in (owner, root):
        client.force_login(user)
        assert client.get(url(event)).status_code == 200


def test_an_unknown_event_is_not_found(client, organiser):
    assert client.get("/checkin/events/no-such-event/attendance/").status_code == 404


# --- The attendance sheet -------------------------------------------------------------------


def _read(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :], newline=""), delimiter=";"))


def test_the_attendance_sheet_lists_everyone_expected_on_each_day_with_that_days_arrival(
    client, organiser, event, tickets
):
    here = person(tickets["student"], "Lefèvre", "Éléonore", organisation="Université Lyon 2")
    offline = person(tickets["professional"], "Martin", "Paul")
    person(tickets["professional"], "Absent", "Jean", organisation="CPAM")
    person(tickets["professional"], "Annulé", "Luc", status=Registration.Status.CANCELLED)
    CheckInFactory(registration=here, scanned_at=at(8, 47, day=0), gate="Entrée nord")
    CheckInFactory(registration=here, scanned_at=at(8, 30, day=1), gate="Entrée sud")
    CheckInFactory(
        registration=offline,
        scanned_at=at(9, 5),
        gate="Tablette 2",
        is_offline=True,
        client_result=Result.OK,
        result=Result.OK,
    )

    response = client.get(url(event, "attendance.csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "protection-sociale.csv" in response["Content-Disposition"]
    header, *rows = _read(response)
    with translation.override("fr"):
        assert header == [str(column) for column in attendance.SHEET_COLUMNS]
        yes, no = gettext("yes"), gettext("no")
        student = gettext("student")
        professional = gettext("professional")
    absent = ["Absent", "Jean", "CPAM", professional, "Plein tarif", "", "", "", ""]
    lefevre = ["Lefèvre", "Éléonore", "Université Lyon 2", student, "Étudiant"]
    martin = ["Martin", "Paul", "Sciences Po Lyon", professional, "Plein tarif"]
    assert rows == [
        ["20/05/2027", *absent],
        ["20/05/2027", *lefevre, "20/05/2027 08:47", "Entrée nord", no, ""],
        ["20/05/2027", *martin, "20/05/2027 09:05", "Tablette 2", yes, ""],
        ["21/05/2027", *absent],
        ["21/05/2027", *lefevre, "21/05/2027 08:30", "Entrée sud", no, ""],
        ["21/05/2027", *martin, "", "", "", ""],
    ]


def test_the_attendance_sheet_never_runs_a_formula(client, organiser, event, tickets):
    registration = person(
        tickets["professional"],
        '=HYPERLINK("http://evil.example","x")',
        "+33 6",
        organisation="@SUM(1+1)",
    )
    CheckInFactory(registration=registration, gate="-cmd|' /C calc'!A0", scanned_at=at(9))

    _header, row, _second_day = _read(client.get(url(event, "attendance.csv")))

    assert row[1] == '\'=HYPERLINK("http://evil.example","x")'
    assert row[2] == "'+33 6"
    assert row[3] == "'@SUM(1+1)"
    assert row[7] == "'-cmd|' /C calc'!A0"


# --- Bounded queries ------------------------------------------------------------------------


def _crowd(event, tickets, size):
    workshop = SessionFactory(event=event, requires_signup=True)
    CheckpointFactory(event=event, records_exits=True)
    session_checkpoint = CheckpointFactory(event=event, session=workshop, position=1)
    for n in range(size):
        registration = person(tickets["student" if n % 3 else "professional"], f"Nom {n:03}")
        SessionSignup.objects.create(registration=registration, session=workshop)
        if n % 2:
            CheckInFactory(registration=registration, scanned_at=at(8, n % 90))
            CheckInFactory(
                registration=registration, checkpoint=session_checkpoint, scanned_at=at(10)
            )
        if n % 5 == 0:
            CheckInFactory(
                registration=registration,
                scanned_at=at(9, n % 60),
                is_offline=True,
                client_result=Result.OK,
                result=Result.ALREADY_CHECKED_IN,
            )
        if n % 7 == 0:
            CheckInFactory(
                registration=registration, direction=CheckIn.Direction.EXIT, scanned_at=at(17)
            )


# Session, user and their organisations (3), the event, checkpoints, counts (5), chart, not
# arrived (2, a third to count everyone while searching), conflicts (2).
PAGE_QUERIES = 15


@pytest.mark.parametrize("size", [10, 100])
def test_the_page_and_sheet_cost_the_same_queries_for_10_or_100_people(
    client, organiser, event, tickets, size, django_assert_max_num_queries
):
    _crowd(event, tickets, size)

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url(event))
    assert response.status_code == 200
    with django_assert_max_num_queries(PAGE_QUERIES + 1):
        assert client.get(url(event), {"q": "Nom", "live": "1"}).status_code == 200
    # Session, user, organisations, event; the people, their arrivals.
    with django_assert_max_num_queries(6):
        sheet = client.get(url(event, "attendance.csv"))
    assert len(_read(sheet)) == 2 * size + 1  # everyone on each of the two days


def test_the_events_back_office_page_links_to_its_attendance(client, organiser, event):
    response = client.get(f"/admin/events/event/{event.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/checkin/events/{event.slug}/attendance/"' in html
    assert f'href="/checkin/events/{event.slug}/attendance.csv"' in html
    assert f'href="/checkin/events/{event.slug}/certificates.pdf"' in html


def test_on_the_second_day_the_live_page_shows_todays_arrivals_beside_the_total(
    client, organiser, event
):
    now = timezone.now()
    event = EventFactory(
        organisation=event.organisation,
        slug="deux-jours",
        start=now - timedelta(days=1, hours=2),
        end=now + timedelta(hours=6),
    )
    ticket = TicketTypeFactory(event=event)
    came_both_days, came_yesterday = person(ticket, "Durand"), person(ticket, "Martin")
    person(ticket, "Petit")
    entrance = checkin.entrance_checkpoint(event)
    yesterday = now - timedelta(days=1)
    for nonce, (registration, moment) in enumerate(
        [(came_both_days, yesterday), (came_yesterday, yesterday), (came_both_days, now)]
    ):
        scan = checkin.check_in(
            checkpoint=entrance, nonce=str(nonce), token=registration.badge_token, now=moment
        )
        assert scan.result == "ok"

    figures = text_of(client.get(url(event)), "attendance-counts")

    with translation.override("fr"):
        today = date_format(attendance_day(now, PARIS), "l j F")
        assert f"{gettext('Arrived at the entrance')} 2" in figures
        assert gettext("Arrived today (%(day)s)") % {"day": today} + " 1" in figures
        assert "Entrée 2 1 3 66 %" in figures
