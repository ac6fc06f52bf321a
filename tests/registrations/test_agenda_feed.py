"""The attendee's own agenda, `/r/<manage-token>/agenda.ics`: their event and the sessions
they signed up for, to subscribe to from the registration's page."""

from datetime import date, datetime, timedelta
from urllib.parse import quote

import pytest

from events.ics.build import event_uid, session_uid
from registrations import services
from registrations.models import Registration, SessionSignup
from tests.events.feed_fixtures import dst_programme, localized, read_feed, vevents
from tests.factories import PARIS, EventFactory, SessionFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def agenda_path(registration: Registration, language: str = "fr") -> str:
    return localized(f"/r/{registration.manage_token}/agenda.ics", language)


def test_the_agenda_holds_the_event_all_day_and_the_sessions_signed_up_for(client):
    programme = dst_programme()

    feed = read_feed(client.get(agenda_path(programme.registration, "en")))

    assert feed["X-WR-CALNAME"] == "Social protection and territories — my agenda"
    entries = vevents(feed)
    assert set(entries) == {
        event_uid(programme.event.pk),
        session_uid(programme.across.pk),
        session_uid(programme.private.pk),
    }
    whole = entries[event_uid(programme.event.pk)]
    assert whole.decoded("DTSTART") == date(2027, 3, 28)
    assert whole.decoded("DTEND") == date(2027, 3, 31)
    assert whole["STATUS"] == "CONFIRMED"
    across = entries[session_uid(programme.across.pk)]
    assert across.decoded("DTSTART") == programme.across.start
    assert across["STATUS"] == "CONFIRMED"


def test_the_agenda_of_a_one_day_event_keeps_its_times(client):
    start = datetime(2027, 1, 16, 18, 0, tzinfo=PARIS)
    event = EventFactory(start=start, end=start + timedelta(hours=3))
    registration = RegistrationFactory(ticket_type=TicketTypeFactory(event=event))

    whole = vevents(read_feed(client.get(agenda_path(registration))))[event_uid(event.pk)]

    assert whole.decoded("DTSTART") == start
    assert whole.decoded("DTEND") == start + timedelta(hours=3)


def test_a_cancelled_registration_cancels_its_event_and_sessions_in_the_agenda(client):
    programme = dst_programme()
    path = agenda_path(programme.registration)
    before = vevents(read_feed(client.get(path)))

    services.cancel_registration(registration=programme.registration)

    after = vevents(read_feed(client.get(path)))
    assert set(after) == set(before)
    for uid, vevent in after.items():
        assert vevent["STATUS"] == "CANCELLED", uid
        assert vevent["SEQUENCE"] == before[uid]["SEQUENCE"] + 1, uid


def test_a_waitlisted_attendees_agenda_is_tentative(client):
    programme = dst_programme()
    Registration.objects.filter(pk=programme.registration.pk).update(
        status=Registration.Status.WAITLISTED
    )

    entries = vevents(read_feed(client.get(agenda_path(programme.registration))))

    statuses = {uid: str(vevent["STATUS"]) for uid, vevent in entries.items()}
    assert statuses == dict.fromkeys(statuses, "TENTATIVE")


def test_a_new_sign_up_gives_a_new_agenda(client):
    programme = dst_programme()
    path = agenda_path(programme.registration)
    etag = client.get(path)["ETag"]

    SessionSignup.objects.create(registration=programme.registration, session=programme.after)

    response = client.get(path, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert session_uid(programme.after.pk) in vevents(read_feed(response))


def test_another_attendees_change_leaves_the_agenda_not_modified(client):
    programme = dst_programme()
    path = agenda_path(programme.registration)
    etag = client.get(path)["ETag"]

    other = RegistrationFactory(ticket_type=programme.registration.ticket_type)
    SessionSignup.objects.create(registration=other, session=programme.after)

    assert client.get(path, headers={"if-none-match": etag}).status_code == 304


def test_a_sign_up_withdrawn_gives_a_new_agenda(client):
    programme = dst_programme()
    path = agenda_path(programme.registration)
    etag = client.get(path)["ETag"]

    SessionSignup.objects.filter(session=programme.private).delete()

    response = client.get(path, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert session_uid(programme.private.pk) not in vevents(read_feed(response))


def test_a_change_of_the_programme_gives_a_new_agenda(client):
    programme = dst_programme()
    path = agenda_path(programme.registration)
    etag = client.get(path)["ETag"]

    SessionFactory(event=programme.event)  # not signed up for, but the event moved its stamp

    assert client.get(path, headers={"if-none-match": etag}).status_code == 200
    assert client.get(path, headers={"if-none-match": client.get(path)["ETag"]}).status_code == 304


def test_an_unknown_agenda_is_not_found(client):
    dst_programme()

    assert client.get("/r/no-such-token/agenda.ics").status_code == 404


def test_the_agenda_is_private_even_when_not_modified(client):
    programme = dst_programme()
    path = agenda_path(programme.registration)
    first = client.get(path)

    for response in (first, client.get(path, headers={"if-none-match": first["ETag"]})):
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "same-origin"


def test_the_agenda_costs_two_queries_and_none_when_not_modified(client, django_assert_num_queries):
    programme = dst_programme()
    path = agenda_path(programme.registration)

    with django_assert_num_queries(2):
        response = client.get(path)
    with django_assert_num_queries(0):
        assert client.get(path, headers={"if-none-match": response["ETag"]}).status_code == 304


def test_the_registration_page_offers_to_follow_the_agenda(client):
    programme = dst_programme()
    registration = programme.registration
    address = f"http://testserver/en/r/{registration.manage_token}/agenda.ics"
    webcal = "webcal://" + address.split("://", 1)[1]

    page = client.get(f"/en/r/{registration.manage_token}/").content.decode()

    assert f'href="{webcal}"' in page
    assert f'href="{address}"' in page
    assert f"https://calendar.google.com/calendar/r?cid={quote(webcal, safe='')}" in page
    assert (
        "https://outlook.live.com/calendar/0/addfromweb?"
        f"url={quote(address, safe='')}&amp;name="
        + quote("Social protection and territories — my agenda", safe="")
    ) in page


def test_a_cancelled_registration_page_offers_no_agenda(client):
    programme = dst_programme()
    services.cancel_registration(registration=programme.registration)

    page = client.get(f"/r/{programme.registration.manage_token}/").content.decode()

    assert "agenda.ics" not in page
