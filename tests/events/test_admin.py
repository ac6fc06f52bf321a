"""The back office shows each organiser their own organisations' programme, and nothing else."""

import html
import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.forms import ModelChoiceField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from events.models import Event, Session, SessionSpeaker
from organisations.models import Membership
from tests.events.admin_forms import admin_form_data
from tests.factories import (
    PARIS,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SESSION_ADD = reverse("admin:events_session_add")
SESSION_LIST = reverse("admin:events_session_changelist")
EVENT_LIST = reverse("admin:events_event_changelist")
SPEAKER_LIST = reverse("admin:speakers_speaker_changelist")


def _invalid_choice_message() -> str:
    with translation.override("fr"):
        return str(ModelChoiceField.default_error_messages["invalid_choice"])


def _page(response) -> str:
    return html.unescape(response.content.decode())


def log_in(client, user):
    # UserFactory sets the password without saving it; log in as the user stored.
    user.refresh_from_db()
    client.force_login(user)
    return client


def _change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def two_organisations():
    """Sciences Po Lyon (A) and FHF PACA (B), each with an event, a room, a speaker, a session."""
    lyon = OrganisationFactory(name="Sciences Po Lyon")
    paca = OrganisationFactory(name="FHF PACA")
    colloquium = EventFactory(organisation=lyon, title_fr="Protection sociale et territoires")
    ceremony = EventFactory(
        organisation=paca,
        title_fr="Cérémonie des vœux",
        start=datetime(2027, 1, 16, 17, 0, tzinfo=PARIS),
        end=datetime(2027, 1, 16, 21, 0, tzinfo=PARIS),
    )
    return {
        "lyon": lyon,
        "paca": paca,
        "colloquium": colloquium,
        "ceremony": ceremony,
        "lyon_session": SessionFactory(event=colloquium, title_fr="Table ronde sur la dépendance"),
        "paca_session": SessionFactory(event=ceremony, title_fr="Signature de la convention"),
        "lyon_speaker": SpeakerFactory(organisation=lyon, name="Camille Durand"),
        "paca_speaker": SpeakerFactory(organisation=paca, name="Dominique Martin"),
    }


@pytest.fixture
def lyon_organiser(client, two_organisations):
    membership = MembershipFactory(organisation=two_organisations["lyon"])
    assert not membership.user.user_permissions.exists()  # membership alone gives access
    log_in(client, membership.user)
    return client


def _session_form(client, event, **changes) -> dict[str, str]:
    data = admin_form_data(client.get(SESSION_ADD))
    data.update(
        {
            "event": str(event.pk),
            "title_fr": "Conférence inaugurale",
            "start_0": "20/05/2027",
            "start_1": "09:00",
            "end_0": "20/05/2027",
            "end_1": "10:00",
        }
    )
    data.update(changes)
    return data


def test_an_organiser_sees_only_their_organisations_events(lyon_organiser):
    page = _page(lyon_organiser.get(EVENT_LIST))

    assert "Protection sociale et territoires" in page
    assert "Cérémonie des vœux" not in page
    assert "FHF PACA" not in page


def test_an_organiser_sees_only_their_organisations_sessions(lyon_organiser):
    page = _page(lyon_organiser.get(SESSION_LIST))

    assert "Table ronde sur la dépendance" in page
    assert "Signature de la convention" not in page
    assert "Cérémonie des vœux" not in page  # not even in the event filter


def test_an_organiser_sees_only_their_organisations_speakers(lyon_organiser):
    page = _page(lyon_organiser.get(SPEAKER_LIST))

    assert "Camille Durand" in page
    assert "Dominique Martin" not in page


def test_the_session_list_shows_times_in_the_events_time_zone(lyon_organiser):
    page = _page(lyon_organiser.get(SESSION_LIST))

    # The factory's session runs 09:00 to 10:00, Paris time, on 20 May 2027.
    assert "20/05/2027 09:00" in page
    assert "20/05/2027 10:00" in page


@pytest.mark.parametrize("name", ["paca_session", "ceremony", "paca_speaker", "paca"])
def test_an_organiser_cannot_open_another_organisations_change_page(
    lyon_organiser, two_organisations, name
):
    obj = two_organisations[name]

    response = lyon_organiser.get(_change_url(obj))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert str(obj) not in _page(lyon_organiser.get(response.url))


def test_a_forged_post_to_another_organisations_session_changes_nothing(
    lyon_organiser, two_organisations
):
    session = two_organisations["paca_session"]
    data = _session_form(lyon_organiser, session.event, title_fr="Piraté")

    response = lyon_organiser.post(_change_url(session), data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title_fr == "Signature de la convention"


def test_a_forged_delete_of_another_organisations_event_deletes_nothing(
    lyon_organiser, two_organisations
):
    event = two_organisations["ceremony"]
    url = reverse("admin:events_event_delete", args=[event.pk])

    response = lyon_organiser.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert Event.objects.filter(pk=event.pk).exists()


def test_an_organiser_adds_a_session_to_their_event_without_any_django_permission(
    lyon_organiser, two_organisations
):
    colloquium = two_organisations["colloquium"]
    room = colloquium.rooms.get()

    response = lyon_organiser.post(
        SESSION_ADD,
        _session_form(
            lyon_organiser,
            colloquium,
            room=str(room.pk),
            **{
                "session_speakers-TOTAL_FORMS": "1",
                "session_speakers-0-speaker": str(two_organisations["lyon_speaker"].pk),
                "session_speakers-0-role": SessionSpeaker.Role.CHAIR,
                "session_speakers-0-position": "0",
            },
        ),
    )

    assert response.status_code == 302
    session = Session.objects.get(title_fr="Conférence inaugurale")
    assert session.event == colloquium
    assert session.room == room
    assert session.start == datetime(2027, 5, 20, 9, 0, tzinfo=PARIS)
    assert [link.speaker.name for link in session.session_speakers.all()] == ["Camille Durand"]


def test_the_session_form_offers_only_the_organisations_events_and_rooms(
    lyon_organiser, two_organisations
):
    page = _page(lyon_organiser.get(SESSION_ADD))

    assert "Protection sociale et territoires" in page
    assert "Cérémonie des vœux" not in page
    assert str(two_organisations["paca_session"].room) not in page


def test_a_forged_post_creating_a_session_in_another_organisations_event_is_refused(
    lyon_organiser, two_organisations
):
    before = Session.objects.count()

    response = lyon_organiser.post(
        SESSION_ADD, _session_form(lyon_organiser, two_organisations["ceremony"])
    )

    assert response.status_code == 200
    assert _invalid_choice_message() in _page(response)
    assert Session.objects.count() == before


def test_a_forged_post_with_another_organisations_room_is_refused(
    lyon_organiser, two_organisations
):
    before = Session.objects.count()
    paca_room = two_organisations["paca_session"].room

    response = lyon_organiser.post(
        SESSION_ADD,
        _session_form(lyon_organiser, two_organisations["colloquium"], room=str(paca_room.pk)),
    )

    assert response.status_code == 200
    assert _invalid_choice_message() in _page(response)
    assert Session.objects.count() == before


def test_a_forged_post_with_another_organisations_speaker_is_refused(
    lyon_organiser, two_organisations
):
    before = (Session.objects.count(), SessionSpeaker.objects.count())

    response = lyon_organiser.post(
        SESSION_ADD,
        _session_form(
            lyon_organiser,
            two_organisations["colloquium"],
            **{
                "session_speakers-TOTAL_FORMS": "1",
                "session_speakers-0-speaker": str(two_organisations["paca_speaker"].pk),
                "session_speakers-0-role": SessionSpeaker.Role.SPEAKER,
                "session_speakers-0-position": "0",
            },
        ),
    )

    assert response.status_code == 200
    assert _invalid_choice_message() in _page(response)
    assert (Session.objects.count(), SessionSpeaker.objects.count()) == before


def test_a_speaker_of_another_organisation_the_organiser_also_edits_is_refused(
    client, two_organisations
):
    membership = MembershipFactory(organisation=two_organisations["lyon"])
    MembershipFactory(organisation=two_organisations["paca"], user=membership.user)
    log_in(client, membership.user)

    response = client.post(
        SESSION_ADD,
        _session_form(
            client,
            two_organisations["colloquium"],
            **{
                "session_speakers-TOTAL_FORMS": "1",
                "session_speakers-0-speaker": str(two_organisations["paca_speaker"].pk),
                "session_speakers-0-role": SessionSpeaker.Role.SPEAKER,
                "session_speakers-0-position": "0",
            },
        ),
    )

    assert response.status_code == 200
    with translation.override("fr"):
        assert translation.gettext("Choose a speaker of the event's organisation.") in _page(
            response
        )
    assert not Session.objects.filter(title_fr="Conférence inaugurale").exists()


def test_a_room_of_another_event_of_the_same_organisation_is_refused(
    lyon_organiser, two_organisations
):
    other_event = EventFactory(organisation=two_organisations["lyon"])
    other_room = RoomFactory(event=other_event)

    response = lyon_organiser.post(
        SESSION_ADD,
        _session_form(lyon_organiser, two_organisations["colloquium"], room=str(other_room.pk)),
    )

    assert response.status_code == 200
    assert "Choisissez une valeur de cet événement." in _page(response)
    assert not Session.objects.filter(title_fr="Conférence inaugurale").exists()


def test_the_speaker_autocomplete_offers_only_the_organisations_speakers(
    lyon_organiser, two_organisations
):
    response = lyon_organiser.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "events",
            "model_name": "sessionspeaker",
            "field_name": "speaker",
            "term": "",
        },
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Camille Durand"]


def test_a_staff_user_without_membership_sees_nothing(client, two_organisations):
    log_in(client, UserFactory(is_staff=True))

    index = _page(client.get(reverse("admin:index")))

    assert SESSION_LIST not in index
    assert EVENT_LIST not in index
    assert client.get(SESSION_LIST).status_code == 403
    assert client.get(SPEAKER_LIST).status_code == 403
    assert client.get(SESSION_ADD).status_code == 403
    assert client.get(_change_url(two_organisations["lyon_session"])).status_code == 403


def test_door_staff_see_nothing_of_the_programme(client, two_organisations):
    membership = MembershipFactory(
        organisation=two_organisations["lyon"], role=Membership.Role.DOOR_STAFF
    )
    log_in(client, membership.user)

    index = _page(client.get(reverse("admin:index")))

    assert SESSION_LIST not in index
    assert SPEAKER_LIST not in index
    assert client.get(SESSION_LIST).status_code == 403
    assert client.get(EVENT_LIST).status_code == 403
    assert client.get(_change_url(two_organisations["lyon_session"])).status_code == 403


def test_a_superuser_sees_every_organisation(client, two_organisations):
    log_in(client, UserFactory(is_staff=True, is_superuser=True))

    sessions = _page(client.get(SESSION_LIST))
    speakers = _page(client.get(SPEAKER_LIST))

    assert "Table ronde sur la dépendance" in sessions
    assert "Signature de la convention" in sessions
    assert "Camille Durand" in speakers
    assert "Dominique Martin" in speakers
    assert client.get(_change_url(two_organisations["paca_session"])).status_code == 200


def test_an_owner_sees_their_organisations_members_without_editing_them(client, two_organisations):
    owner = MembershipFactory(organisation=two_organisations["lyon"], role=Membership.Role.OWNER)
    log_in(client, owner.user)

    response = client.get(_change_url(two_organisations["lyon"]))

    assert response.status_code == 200
    assert owner.user.username in _page(response)
    assert 'name="memberships-0-role"' not in _page(response)


def test_the_session_list_runs_the_same_number_of_queries_for_10_and_200_sessions(
    lyon_organiser, two_organisations
):
    colloquium = two_organisations["colloquium"]
    room, track = RoomFactory(event=colloquium), TrackFactory(event=colloquium)
    starts = [colloquium.start + timedelta(minutes=30), colloquium.end - timedelta(hours=2)]

    def add_sessions(count):
        for number in range(count):
            SessionFactory(event=colloquium, room=room, track=track, start=starts[number % 2])

    add_sessions(9)
    with CaptureQueriesContext(connection) as with_10:
        assert lyon_organiser.get(SESSION_LIST).status_code == 200
    add_sessions(190)
    with CaptureQueriesContext(connection) as with_200:
        page = _page(lyon_organiser.get(SESSION_LIST))

    assert "200 sessions" in page
    assert len(with_200) == len(with_10)


def test_saving_a_session_outside_its_event_shows_the_french_message_and_saves_nothing(
    lyon_organiser, two_organisations
):
    colloquium = two_organisations["colloquium"]

    response = lyon_organiser.post(
        SESSION_ADD,
        _session_form(
            lyon_organiser,
            colloquium,
            start_0="22/05/2027",
            end_0="22/05/2027",
        ),
    )

    assert response.status_code == 200
    assert (
        "La session doit se tenir pendant l’événement (du 20/05/2027 08:30 au 21/05/2027 18:00)."
        in _page(response)
    )
    assert not Session.objects.filter(title_fr="Conférence inaugurale").exists()


def test_moving_a_session_outside_its_event_changes_nothing(lyon_organiser, two_organisations):
    session = two_organisations["lyon_session"]
    data = admin_form_data(lyon_organiser.get(_change_url(session)))
    data.update({"start_0": "19/05/2027", "end_0": "19/05/2027"})

    response = lyon_organiser.post(_change_url(session), data)

    assert response.status_code == 200
    assert "La session doit se tenir pendant l’événement" in _page(response)
    session.refresh_from_db()
    assert session.start == datetime(2027, 5, 20, 9, 0, tzinfo=PARIS)


def test_shrinking_an_event_around_its_sessions_is_refused_on_the_form(
    lyon_organiser, two_organisations
):
    # Nothing but the database knows the event's sessions when its dates change: its trigger
    # refuses the change, and the organiser gets the reason on the form, not an error page.
    colloquium = two_organisations["colloquium"]
    data = admin_form_data(lyon_organiser.get(_change_url(colloquium)))
    data.update({"start_0": "21/05/2027", "start_1": "08:30"})

    response = lyon_organiser.post(_change_url(colloquium), data)

    assert response.status_code == 200
    with translation.override("fr"):
        message = translation.gettext(
            "Some sessions of this event would fall outside its new dates. "
            "Move or delete those sessions first."
        )
    assert message in _page(response)
    colloquium.refresh_from_db()
    assert colloquium.start == datetime(2027, 5, 20, 8, 30, tzinfo=PARIS)


def test_an_organiser_edits_their_event_and_its_rooms(lyon_organiser, two_organisations):
    colloquium = two_organisations["colloquium"]
    data = admin_form_data(lyon_organiser.get(_change_url(colloquium)))
    data.update({"subtitle_fr": "Deux journées à Lyon", "rooms-0-name_fr": "Amphithéâtre"})

    response = lyon_organiser.post(_change_url(colloquium), data)

    assert response.status_code == 302
    colloquium.refresh_from_db()
    assert colloquium.subtitle_fr == "Deux journées à Lyon"
    assert [room.name_fr for room in colloquium.rooms.all()] == ["Amphithéâtre"]


def test_an_event_cannot_use_another_organisations_venue_even_if_the_user_edits_both(
    client, two_organisations
):
    membership = MembershipFactory(organisation=two_organisations["lyon"])
    MembershipFactory(organisation=two_organisations["paca"], user=membership.user)
    log_in(client, membership.user)
    colloquium = two_organisations["colloquium"]
    data = admin_form_data(client.get(_change_url(colloquium)))
    data["venue"] = str(two_organisations["ceremony"].venue_id)

    response = client.post(_change_url(colloquium), data)

    assert response.status_code == 200
    with translation.override("fr"):
        assert translation.gettext("Choose a venue of the event's organisation.") in _page(response)
    colloquium.refresh_from_db()
    assert colloquium.venue.organisation == two_organisations["lyon"]


def test_the_session_change_page_lists_its_speakers(lyon_organiser, two_organisations):
    link = SessionSpeakerFactory(
        session=two_organisations["lyon_session"], speaker=two_organisations["lyon_speaker"]
    )

    page = _page(lyon_organiser.get(_change_url(link.session)))

    assert "Camille Durand" in page


def test_sessions_can_be_filtered_by_day(lyon_organiser, two_organisations):
    colloquium = two_organisations["colloquium"]
    SessionFactory(
        event=colloquium,
        title_fr="Clôture",
        start=datetime(2027, 5, 21, 16, 0, tzinfo=PARIS),
        end=datetime(2027, 5, 21, 17, 0, tzinfo=PARIS),
    )

    everything = _page(lyon_organiser.get(SESSION_LIST))
    second_day = _page(lyon_organiser.get(SESSION_LIST, {"day": "2027-05-21"}))

    assert "vendredi 21 mai 2027" in everything
    assert "Table ronde sur la dépendance" in everything
    assert "Clôture" in second_day
    assert "Table ronde sur la dépendance" not in second_day


def test_a_superuser_manages_an_organisations_members(client, two_organisations):
    log_in(client, UserFactory(is_staff=True, is_superuser=True))
    lyon = two_organisations["lyon"]
    member = MembershipFactory(organisation=lyon)

    page = _page(client.get(_change_url(lyon)))

    assert 'name="memberships-0-role"' in page
    assert member.user.username in page


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("admin:events_event_changelist", lambda lyon: EventFactory(organisation=lyon)),
        ("admin:speakers_speaker_changelist", lambda lyon: SpeakerFactory(organisation=lyon)),
        ("admin:events_venue_changelist", lambda lyon: EventFactory(organisation=lyon).venue),
    ],
    ids=["events", "speakers", "venues"],
)
def test_other_lists_run_the_same_number_of_queries_for_few_and_many_rows(
    lyon_organiser, two_organisations, url_name, make
):
    url = reverse(url_name)
    with CaptureQueriesContext(connection) as with_few:
        assert lyon_organiser.get(url).status_code == 200
    for _ in range(15):
        make(two_organisations["lyon"])
    with CaptureQueriesContext(connection) as with_many:
        assert lyon_organiser.get(url).status_code == 200

    assert len(with_many) == len(with_few)


def test_admin_pages_load_nothing_from_another_site(lyon_organiser, two_organisations):
    pages = [
        SESSION_ADD,
        _change_url(two_organisations["lyon_session"]),
        _change_url(two_organisations["colloquium"]),
        reverse("admin:speakers_speaker_add"),
        SESSION_LIST,
    ]
    for url in pages:
        page = lyon_organiser.get(url).content.decode()
        assert re.findall(r'<(?:script|link)[^>]*(?:src|href)="(?:https?:)?//', page) == []


def test_moving_a_session_in_the_back_office_makes_calendars_update(
    lyon_organiser, two_organisations
):
    session = two_organisations["lyon_session"]
    url = _change_url(session)

    retitled = {**admin_form_data(lyon_organiser.get(url)), "title_fr": "Table ronde"}
    assert lyon_organiser.post(url, retitled).status_code == 302
    session.refresh_from_db()
    assert (session.title_fr, session.sequence) == ("Table ronde", 0)

    moved = {**admin_form_data(lyon_organiser.get(url)), "start_1": "11:00", "end_1": "12:00"}
    assert lyon_organiser.post(url, moved).status_code == 302
    session.refresh_from_db()
    assert session.start == datetime(2027, 5, 20, 11, 0, tzinfo=PARIS)
    assert session.sequence == 1
