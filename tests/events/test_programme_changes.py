"""Every path that moves, cancels or deletes a session, or moves or cancels the event, records
the change, makes calendars' SEQUENCE grow and ends in the update emails; the event page keeps
the public log of changes."""

# ruff: noqa: RUF001 - the log shows time ranges with a typographic en dash.

import html
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from events.models import Event, ProgrammeChange, Session
from events.services import update_event, update_session
from tests.events.admin_forms import admin_form_data
from tests.events.test_admin import log_in
from tests.factories import PARIS, MembershipFactory, SessionFactory, api_key_for
from tests.registrations.programme_update_fixtures import (
    THURSDAY_AFTERNOON,
    a_programme,
    invitations_in,
    move_to_the_afternoon,
    send_settled_updates,
    the_vevent,
    updates_to,
)

pytestmark = pytest.mark.django_db

Kind = ProgrammeChange.Kind
AFTERNOON = THURSDAY_AFTERNOON[0]


@pytest.fixture
def programme():
    return a_programme()


@pytest.fixture
def organiser(client, programme):
    membership = MembershipFactory(organisation=programme.event.organisation)
    return log_in(client, membership.user)


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def assert_told_of_a_move(programme, *, sequence: int, start: datetime) -> None:
    """The attendee signed up to the workshop gets one REQUEST at the new time, once settled."""
    assert send_settled_updates() == 3
    [message] = updates_to(programme.camille.email)
    method, vevent = the_vevent(invitations_in(message)[f"session-{programme.workshop.pk}.ics"])
    assert method == "REQUEST"
    assert vevent["SEQUENCE"] == sequence
    assert vevent.decoded("DTSTART").astimezone(UTC) == start.astimezone(UTC)


# --- Recording ----------------------------------------------------------------------------------


def test_moving_a_session_records_what_the_calendars_showed_before_and_after(programme):
    workshop = programme.workshop

    move_to_the_afternoon(programme)

    change = ProgrammeChange.objects.get()
    assert (change.event, change.session, change.session_pk) == (
        programme.event,
        workshop,
        workshop.pk,
    )
    assert change.kind == Kind.SESSION_CHANGED
    assert change.title == {
        "fr": "Atelier : le non-recours aux droits",
        "en": "Workshop: non-take-up of benefits",
    }
    assert change.before == {
        "start": "2027-05-20T08:00:00+00:00",
        "end": "2027-05-20T09:30:00+00:00",
        "room": {"fr": "Amphi A", "en": "Lecture hall A"},
        "status": "confirmed",
        "sequence": 0,
    }
    assert change.after == {
        "start": "2027-05-20T12:00:00+00:00",
        "end": "2027-05-20T13:30:00+00:00",
        "room": {"fr": "Salle 2", "en": "Room 2"},
        "status": "confirmed",
        "sequence": 1,
    }
    assert change.is_public
    assert change.notified_at is None


def test_editing_a_sessions_text_records_nothing_and_keeps_its_sequence(programme):
    update_session(session=programme.workshop, data={"title_fr": "Atelier renommé"})

    assert programme.workshop.sequence == 0
    assert not ProgrammeChange.objects.exists()


@pytest.mark.parametrize(
    ("first", "then", "kinds"),
    [
        ("cancelled", None, [Kind.SESSION_CANCELLED]),
        ("cancelled", "confirmed", [Kind.SESSION_CANCELLED, Kind.SESSION_RESTORED]),
    ],
)
def test_cancelling_and_restoring_a_session_are_recorded_as_such(programme, first, then, kinds):
    update_session(session=programme.workshop, data={"status": first})
    if then:
        update_session(session=programme.workshop, data={"status": then})

    recorded = ProgrammeChange.objects.order_by("changed_at", "pk").values_list("kind", flat=True)
    assert list(recorded) == kinds


def test_a_private_sessions_change_is_recorded_out_of_the_public_log(programme):
    programme.workshop.is_public = False
    programme.workshop.save()

    update_session(session=programme.workshop, data={"status": "cancelled"})

    assert not ProgrammeChange.objects.get().is_public


# --- Every way in -------------------------------------------------------------------------------


def test_a_session_moved_in_the_back_office_is_told_to_those_who_hold_it(organiser, programme):
    url = change_url(programme.workshop)
    moved = {**admin_form_data(organiser.get(url)), "start_1": "14:00", "end_1": "15:00"}

    assert organiser.post(url, moved).status_code == 302

    programme.workshop.refresh_from_db()
    assert programme.workshop.sequence == 1
    assert ProgrammeChange.objects.get().kind == Kind.SESSION_CHANGED
    assert_told_of_a_move(programme, sequence=1, start=AFTERNOON)


def test_a_session_moved_through_the_api_is_told_to_those_who_hold_it(programme):
    membership = MembershipFactory(organisation=programme.event.organisation)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(membership.user)}")

    response = api.patch(
        f"/api/v1/sessions/{programme.workshop.pk}/",
        {"start": "2027-05-20T14:00:00+02:00", "end": "2027-05-20T15:00:00+02:00"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["sequence"] == 1
    assert_told_of_a_move(programme, sequence=1, start=AFTERNOON)


def test_a_session_deleted_through_the_api_is_cancelled_for_those_who_held_it(programme):
    membership = MembershipFactory(organisation=programme.event.organisation)
    api = APIClient()
    api.force_authenticate(membership.user)

    assert api.delete(f"/api/v1/sessions/{programme.workshop.pk}/").status_code == 204

    change = ProgrammeChange.objects.get()
    assert change.kind == Kind.SESSION_CANCELLED
    assert change.session is None
    assert change.after["deleted"] is True
    assert send_settled_updates() == 3


def test_a_session_deleted_in_the_back_office_is_cancelled_for_those_who_held_it(
    organiser, programme
):
    workshop_pk = programme.workshop.pk
    delete_url = reverse("admin:events_session_delete", args=[workshop_pk])

    assert organiser.post(delete_url, {"post": "yes"}).status_code == 302

    change = ProgrammeChange.objects.get()
    assert (change.kind, change.session_pk) == (Kind.SESSION_CANCELLED, workshop_pk)
    assert sorted(change.held_by["registrations"]) == sorted(
        [programme.camille.pk, programme.alex.pk]
    )
    assert change.held_by["speakers"] == [programme.speaker.pk]
    send_settled_updates()
    [message] = updates_to(programme.alex.email)
    assert the_vevent(invitations_in(message)[f"session-{workshop_pk}.ics"])[0] == "CANCEL"


def test_sessions_deleted_with_the_admin_action_are_each_cancelled(organiser, programme):
    other = SessionFactory(event=programme.event, room=programme.amphi)
    response = organiser.post(
        reverse("admin:events_session_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [programme.workshop.pk, other.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not Session.objects.filter(pk__in=[programme.workshop.pk, other.pk]).exists()
    assert sorted(ProgrammeChange.objects.values_list("session_pk", flat=True)) == sorted(
        [programme.workshop.pk, other.pk]
    )


def test_an_event_moved_in_the_back_office_raises_its_sequence_and_is_told(organiser, programme):
    event = programme.event
    url = change_url(event)
    data = admin_form_data(organiser.get(url))
    later_end = event.end.astimezone(PARIS) + timedelta(days=1)

    response = organiser.post(url, {**data, "end_0": later_end.strftime("%d/%m/%Y")})

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.end, event.calendar_sequence) == (later_end, 1)
    change = ProgrammeChange.objects.get()
    assert (change.kind, change.session_pk) == (Kind.EVENT_CHANGED, None)
    assert send_settled_updates() == 4  # the three registrations and the speaker


def test_an_event_cancelled_in_the_back_office_cancels_its_sessions_entries(organiser, programme):
    event = programme.event
    url = change_url(event)

    response = organiser.post(url, {**admin_form_data(organiser.get(url)), "status": "cancelled"})

    assert response.status_code == 302
    event.refresh_from_db()
    programme.workshop.refresh_from_db()
    assert (event.calendar_sequence, programme.workshop.sequence) == (1, 1)
    assert ProgrammeChange.objects.get().kind == Kind.EVENT_CANCELLED


def test_editing_an_events_description_records_nothing(programme):
    event = programme.event
    event.description_fr = "Nouvelle description"
    update_event(event=event)

    event.refresh_from_db()
    assert event.calendar_sequence == 0
    assert not ProgrammeChange.objects.exists()


def test_deleting_a_room_in_the_back_office_moves_its_sessions_out_of_it(organiser, programme):
    url = change_url(programme.event)
    data = admin_form_data(organiser.get(url))
    [prefix] = [
        name.removesuffix("-id")
        for name, value in data.items()
        if name.startswith("rooms-") and name.endswith("-id") and value == str(programme.amphi.pk)
    ]

    assert organiser.post(url, {**data, f"{prefix}-DELETE": "on"}).status_code == 302

    programme.workshop.refresh_from_db()
    assert (programme.workshop.room, programme.workshop.sequence) == (None, 1)
    change = ProgrammeChange.objects.get()
    assert (change.before["room"]["fr"], change.after["room"]) == ("Amphi A", None)


def test_reseeding_the_demo_restores_a_moved_session_as_a_change():
    call_command("seed_demo", stdout=None)
    session = Session.objects.filter(event__slug="protection-sociale-et-territoires-2027").first()
    demo_start = session.start
    update_session(
        session=session,
        data={"start": session.start + timedelta(hours=1), "end": session.end + timedelta(hours=1)},
    )

    call_command("seed_demo", stdout=None)

    session.refresh_from_db()
    assert (session.start, session.sequence) == (demo_start, 2)
    assert ProgrammeChange.objects.filter(session=session).count() == 2


# --- The public log -----------------------------------------------------------------------------


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_event_page_lists_public_changes_newest_first_in_english(client, programme):
    move_to_the_afternoon(programme)
    private = SessionFactory(event=programme.event, title_en="Closed meeting", is_public=False)
    update_session(session=private, data={"status": "cancelled"})
    plenary = SessionFactory(event=programme.event, title_en="Closing plenary")
    update_session(session=plenary, data={"status": "cancelled"})

    page = page_text(client.get(f"/en/events/{programme.event.slug}/"))

    assert "Programme changes" in page
    log = page.split('id="changes-title"')[1]
    assert log.index("Closing plenary") < log.index("Workshop: non-take-up of benefits")
    assert "Workshop: non-take-up of benefits</strong> —" in log
    assert "When: Thursday 20 May 2027, 10:00–11:30 → Thursday 20 May 2027, 14:00–15:30" in log
    assert "Room: Lecture hall A → Room 2" in log
    assert "Closed meeting" not in page


def test_the_event_page_lists_changes_in_french(client, programme):
    """Passes once the French catalogue has the new messages (/work/tmp/fr_changes.json)."""
    update_session(session=programme.workshop, data={"status": "cancelled"})

    page = page_text(client.get(f"/events/{programme.event.slug}/"))

    assert "Changements de programme" in page
    assert "Atelier : le non-recours aux droits</strong> —" in page
    assert "Quand\u00a0: jeudi 20 mai 2027, 10:00–11:30" in page
    assert "Salle\u00a0: Amphi A" in page


def test_an_event_without_changes_shows_no_log(client, programme):
    page = page_text(client.get(f"/en/events/{programme.event.slug}/"))

    assert 'id="changes"' not in page


def test_the_log_runs_as_many_queries_for_one_change_as_for_thirty(
    client, programme, django_assert_num_queries
):
    update_session(session=programme.workshop, data={"status": "cancelled"})
    url = f"/en/events/{programme.event.slug}/"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for minutes in range(29):
        start = AFTERNOON + timedelta(minutes=minutes)
        update_session(
            session=programme.workshop, data={"start": start, "end": start + timedelta(hours=1)}
        )
    assert ProgrammeChange.objects.count() == 30

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert page_text(response).count("change-log__item") == 30


def test_changes_of_a_cancelled_event_stay_readable(client, programme):
    programme.event.status = Event.Status.CANCELLED
    update_event(event=programme.event)

    page = page_text(client.get(f"/en/events/{programme.event.slug}/"))

    assert "Social protection and territories</strong> —" in page
    assert "Event cancelled" in page
