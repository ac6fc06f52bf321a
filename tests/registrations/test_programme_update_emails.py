"""When the programme changes, the people holding what changed receive one email each, once the
changes have settled, with calendar updates their calendar applies at the right instant."""

# ruff: noqa: RUF001 - the emails show time ranges with a typographic en dash.

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from events.models import Event, ProgrammeChange
from events.services import delete_session, update_event, update_session
from registrations import emails, services
from registrations.models import OutgoingEmail, Registration, SessionSignup
from registrations.programme_updates import send_programme_updates
from tests.factories import PARIS, MembershipFactory, SessionSpeakerFactory, SpeakerFactory
from tests.registrations.attendee_steps import html_part
from tests.registrations.icaljs import read_with_icaljs
from tests.registrations.programme_update_fixtures import (
    AUTUMN_NIGHT,
    SPRING_NIGHT,
    THURSDAY_AFTERNOON,
    a_programme,
    after_the_delay,
    emailed_invitations,
    invitations_in,
    move_to_the_afternoon,
    send_settled_updates,
    the_vevent,
    updates_to,
)

pytestmark = pytest.mark.django_db


def invitation_sequence(registration) -> int:
    """The SEQUENCE of the event invitation the attendee's page offers now."""
    return the_vevent(emails.registration_calendar(registration).to_ical())[1]["SEQUENCE"]


def session_invitation(message, session):
    """The METHOD and VEVENT of the one calendar update an email carries for `session`."""
    return the_vevent(invitations_in(message)[f"session-{session.pk}.ics"])


def test_a_moved_session_sends_one_request_to_each_attendee_and_speaker_who_holds_it():
    programme = a_programme()
    workshop = programme.workshop

    move_to_the_afternoon(programme)
    assert workshop.sequence == 1
    assert send_settled_updates() == 3

    rooms = {
        programme.camille.email: "Salle 2",
        programme.alex.email: "Room 2",
        programme.speaker.email: "Salle 2",
    }
    assert sorted(message.to[0] for message in mail.outbox) == sorted(rooms)
    for address, room in rooms.items():
        [message] = updates_to(address)
        method, vevent = session_invitation(message, workshop)
        assert method == "REQUEST"
        assert str(vevent["UID"]) == f"session-{workshop.pk}@127.0.0.1"
        assert vevent["SEQUENCE"] == 1
        assert str(vevent["STATUS"]) == "CONFIRMED"
        assert vevent.decoded("DTSTART") == THURSDAY_AFTERNOON[0]
        assert vevent.decoded("DTEND") == THURSDAY_AFTERNOON[1]
        assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
        assert str(vevent["ATTENDEE"]) == f"mailto:{address}"
        assert str(vevent["ORGANIZER"]) == "mailto:colloque@example.org"
        assert (
            str(vevent["LOCATION"]) == f"{room}, Sciences Po Lyon, 14 avenue Berthelot, 69007 Lyon"
        )
    assert updates_to(programme.dominique.email) == []


def test_the_update_says_what_moved_in_the_attendees_language_and_the_events_time():
    programme = a_programme()
    move_to_the_afternoon(programme)

    send_settled_updates()

    [message] = updates_to(programme.alex.email)
    assert message.subject == "Programme change: Social protection and territories"
    assert message.body.startswith("Hello Alex,")
    assert "Workshop: non-take-up of benefits — Moved" in message.body
    assert (
        "When: Thursday 20 May 2027, 10:00–11:30 → Thursday 20 May 2027, 14:00–15:30"
        in message.body
    )
    assert "Room: Lecture hall A → Room 2" in message.body
    assert f"/en/r/{programme.alex.manage_token}/" in message.body
    html = html_part(message)
    assert '<html lang="en">' in html
    assert "Workshop: non-take-up of benefits" in html
    assert "Room: Lecture hall A → Room 2" in html


def test_the_update_comes_in_french_to_a_french_attendee():
    """Passes once the French catalogue has the new messages (/work/tmp/fr_changes.json)."""
    programme = a_programme()
    move_to_the_afternoon(programme)

    send_settled_updates()

    [message] = updates_to(programme.camille.email)
    assert message.subject == "Changement de programme\u00a0: Protection sociale et territoires"
    assert "Atelier : le non-recours aux droits — Déplacée" in message.body
    assert (
        "Quand\u00a0: jeudi 20 mai 2027, 10:00–11:30 → jeudi 20 mai 2027, 14:00–15:30"
        in message.body
    )
    assert "Salle\u00a0: Amphi A → Salle 2" in message.body


@pytest.mark.parametrize(
    ("slot", "moved_to"),
    [
        pytest.param(
            (
                datetime(2027, 1, 14, 10, 0, tzinfo=PARIS),
                datetime(2027, 1, 14, 11, 0, tzinfo=PARIS),
            ),
            (
                datetime(2027, 1, 14, 16, 0, tzinfo=PARIS),
                datetime(2027, 1, 14, 17, 0, tzinfo=PARIS),
            ),
            id="winter",
        ),
        pytest.param(
            (
                datetime(2027, 5, 20, 10, 0, tzinfo=PARIS),
                datetime(2027, 5, 20, 11, 0, tzinfo=PARIS),
            ),
            THURSDAY_AFTERNOON,
            id="summer",
        ),
        pytest.param(
            (AUTUMN_NIGHT[0] - timedelta(hours=12), AUTUMN_NIGHT[0] - timedelta(hours=11)),
            AUTUMN_NIGHT,
            id="across-25-october-2026",
        ),
        pytest.param(
            (SPRING_NIGHT[0] - timedelta(hours=12), SPRING_NIGHT[0] - timedelta(hours=11)),
            SPRING_NIGHT,
            id="across-28-march-2027",
        ),
    ],
)
def test_the_emailed_invitation_gives_the_stored_instant_in_every_season(slot, moved_to):
    programme = a_programme(slot=slot)
    workshop = programme.workshop
    update_session(session=workshop, data={"start": moved_to[0], "end": moved_to[1]})
    send_settled_updates()

    [message] = updates_to(programme.camille.email)
    ics = invitations_in(message)[f"session-{workshop.pk}.ics"]
    _method, vevent = the_vevent(ics)
    workshop.refresh_from_db()
    assert vevent.decoded("DTSTART").astimezone(UTC) == workshop.start.astimezone(UTC)
    assert vevent.decoded("DTEND").astimezone(UTC) == workshop.end.astimezone(UTC)
    # Thunderbird's parser reads the same instants from the VTIMEZONE sent with it.
    [read] = read_with_icaljs(ics)["events"]
    assert read["start"] == workshop.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert read["end"] == workshop.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert read["start_timezone"] == "Europe/Paris"


def test_the_night_of_the_autumn_change_lasts_three_hours():
    ics = emailed_invitations()
    _method, vevent = the_vevent(ics["request"])

    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    assert vevent.decoded("DTEND").astimezone(UTC) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_a_cancelled_session_sends_a_cancel_with_the_same_uid_and_a_higher_sequence():
    ics = emailed_invitations()

    request_method, request = the_vevent(ics["request"])
    cancel_method, cancel = the_vevent(ics["cancel"])
    assert (request_method, cancel_method) == ("REQUEST", "CANCEL")
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert str(cancel["UID"]) == str(request["UID"])
    assert cancel["SEQUENCE"] > request["SEQUENCE"]
    assert read_with_icaljs(ics["cancel"])["method"] == "CANCEL"


def test_the_cancellation_email_says_the_session_is_cancelled():
    programme = a_programme()
    update_session(session=programme.workshop, data={"status": "cancelled"})

    send_settled_updates()

    [message] = updates_to(programme.alex.email)
    assert "Workshop: non-take-up of benefits — Cancelled" in message.body
    assert "When: Thursday 20 May 2027, 10:00–11:30" in message.body
    assert "Room: Lecture hall A" in message.body


def test_three_edits_within_the_delay_give_one_email_per_person_with_the_final_times():
    programme = a_programme()
    workshop = programme.workshop
    for hour in (12, 13, 14):
        start = datetime(2027, 5, 20, hour, 0, tzinfo=PARIS)
        update_session(session=workshop, data={"start": start, "end": start + timedelta(hours=1)})

    assert send_settled_updates() == 3

    [message] = updates_to(programme.camille.email)
    _method, vevent = session_invitation(message, workshop)
    assert vevent["SEQUENCE"] == 3
    assert vevent.decoded("DTSTART") == datetime(2027, 5, 20, 14, 0, tzinfo=PARIS)
    [english] = updates_to(programme.alex.email)
    assert "Thursday 20 May 2027, 10:00–11:30 → Thursday 20 May 2027, 14:00–15:00" in english.body
    assert english.body.count("Moved") == 1


def test_nothing_is_sent_before_the_delay_not_even_by_the_task_run_at_once():
    programme = a_programme()
    update_session(
        session=programme.workshop,
        data={"start": THURSDAY_AFTERNOON[0], "end": THURSDAY_AFTERNOON[1]},
    )

    # The tests' immediate task backend ran the change's task already: too early, it sent none.
    assert mail.outbox == []
    almost = after_the_delay() - timedelta(seconds=2)
    assert send_programme_updates(now=almost) == 0
    assert ProgrammeChange.objects.get().notified_at is None


def test_a_later_change_postpones_the_email_of_earlier_ones():
    programme = a_programme()
    update_session(session=programme.workshop, data={"status": "cancelled"})
    first = ProgrammeChange.objects.get()
    ProgrammeChange.objects.filter(pk=first.pk).update(
        changed_at=first.changed_at - timedelta(hours=1)
    )
    update_session(session=programme.workshop, data={"status": "confirmed"})

    assert send_programme_updates(now=after_the_delay() - timedelta(seconds=2)) == 0
    assert mail.outbox == []


def test_running_the_service_twice_sends_nothing_more():
    programme = a_programme()
    update_session(session=programme.workshop, data={"status": "cancelled"})

    assert send_settled_updates() == 3
    assert send_settled_updates() == 0
    output = io.StringIO()
    call_command("send_programme_updates", stdout=output)

    assert len(mail.outbox) == 3
    assert output.getvalue() == "0 programme update email(s) queued.\n"
    assert ProgrammeChange.objects.get().notified_at is not None


def test_the_command_sends_the_settled_changes():
    programme = a_programme()
    update_session(session=programme.workshop, data={"status": "cancelled"})

    output = io.StringIO()
    with override_settings(PROGRAMME_UPDATE_DELAY=0):
        call_command("send_programme_updates", stdout=output)

    assert output.getvalue() == "3 programme update email(s) queued.\n"
    assert len(updates_to(programme.camille.email)) == 1


def test_the_task_sends_at_once_when_there_is_no_delay():
    programme = a_programme()

    with override_settings(PROGRAMME_UPDATE_DELAY=0):
        update_session(session=programme.workshop, data={"status": "cancelled"})

    assert len(updates_to(programme.camille.email)) == 1


def test_a_session_moved_and_moved_back_sends_nothing():
    programme = a_programme()
    workshop = programme.workshop
    start, end = workshop.start, workshop.end
    update_session(
        session=workshop, data={"start": THURSDAY_AFTERNOON[0], "end": end.replace(hour=15)}
    )
    update_session(session=workshop, data={"start": start, "end": end})

    assert send_settled_updates() == 0
    assert ProgrammeChange.objects.filter(notified_at=None).count() == 0


def test_a_cancelled_registration_hears_nothing_more():
    programme = a_programme()
    services.cancel_registration(registration=programme.alex)
    mail.outbox.clear()
    update_session(session=programme.workshop, data={"status": "cancelled"})

    send_settled_updates()

    assert updates_to(programme.alex.email) == []
    assert len(updates_to(programme.camille.email)) == 1


def test_a_speaker_who_is_registered_gets_one_email_as_an_attendee():
    programme = a_programme()
    programme.speaker.email = programme.alex.email.upper()
    programme.speaker.save()
    update_session(session=programme.workshop, data={"status": "cancelled"})

    assert send_settled_updates() == 2

    [message] = updates_to(programme.alex.email)
    assert message.body.startswith("Hello Alex,")
    email = OutgoingEmail.objects.get(registration=programme.alex)
    assert email.speaker == programme.speaker


def test_a_speaker_without_an_address_is_skipped_and_one_of_another_session_hears_nothing():
    programme = a_programme()
    SessionSpeakerFactory(session=programme.workshop, speaker__email="")
    elsewhere = SpeakerFactory(organisation=programme.event.organisation, email="z@example.org")
    update_session(session=programme.workshop, data={"status": "cancelled"})

    assert send_settled_updates() == 3
    assert updates_to(elsewhere.email) == []


def test_a_speaker_reads_the_update_in_french_with_their_name():
    programme = a_programme()
    update_session(session=programme.workshop, data={"status": "cancelled"})

    send_settled_updates()

    [message] = updates_to(programme.speaker.email)
    assert message.body.startswith("Bonjour Nadia Benhamou,")
    assert "/r/" not in message.body
    method, _vevent = session_invitation(message, programme.workshop)
    assert method == "CANCEL"


def test_a_deleted_session_is_cancelled_in_the_calendars_of_those_who_held_it():
    programme = a_programme()
    workshop_pk, sequence = programme.workshop.pk, programme.workshop.sequence

    delete_session(session=programme.workshop)
    assert SessionSignup.objects.count() == 0
    send_settled_updates()

    for address in (programme.camille.email, programme.speaker.email):
        [message] = updates_to(address)
        method, vevent = the_vevent(invitations_in(message)[f"session-{workshop_pk}.ics"])
        assert method == "CANCEL"
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert str(vevent["UID"]) == f"session-{workshop_pk}@127.0.0.1"
        assert vevent["SEQUENCE"] == sequence + 1
        assert vevent.decoded("DTSTART") == datetime(2027, 5, 20, 10, 0, tzinfo=PARIS)
    [english] = updates_to(programme.alex.email)
    assert "Workshop: non-take-up of benefits — Cancelled" in english.body


def test_an_event_cancellation_sends_every_attendee_the_cancel_of_their_invitation():
    programme = a_programme()
    event = programme.event
    before = {
        registration.pk: invitation_sequence(registration)
        for registration in Registration.objects.filter(event=event)
    }
    event.status = Event.Status.CANCELLED
    update_event(event=event)

    assert send_settled_updates() == 4

    for registration in (programme.camille, programme.alex, programme.dominique):
        [message] = updates_to(registration.email)
        method, vevent = the_vevent(invitations_in(message)["invitation.ics"])
        assert method == "CANCEL"
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert str(vevent["UID"]) == emails.registration_uid(registration)
        assert vevent["SEQUENCE"] == before[registration.pk] + 1
    # Those signed up to the workshop, and its speaker, have its entry cancelled too.
    [camille] = updates_to(programme.camille.email)
    assert session_invitation(camille, programme.workshop)[0] == "CANCEL"
    assert f"session-{programme.workshop.pk}.ics" not in invitations_in(
        updates_to(programme.dominique.email)[0]
    )
    [speaker] = updates_to(programme.speaker.email)
    assert set(invitations_in(speaker)) == {f"session-{programme.workshop.pk}.ics"}
    [english] = updates_to(programme.alex.email)
    assert english.subject == "Event cancelled: Social protection and territories"
    assert "Social protection and territories — Event cancelled" in english.body


def test_an_event_moved_sends_a_request_whose_sequence_only_grows():
    programme = a_programme()
    event = programme.event
    confirmed = invitation_sequence(programme.alex)
    event.end += timedelta(days=1)
    update_event(event=event)

    send_settled_updates()

    [message] = updates_to(programme.alex.email)
    method, vevent = the_vevent(invitations_in(message)["invitation.ics"])
    assert method == "REQUEST"
    assert vevent["SEQUENCE"] == confirmed + 1
    assert vevent.decoded("DTEND") == event.end
    # The dates changed, not the sessions: no session entry is sent again.
    assert set(invitations_in(message)) == {"invitation.ics"}
    assert "Dates:" in message.body
    # The attendee's page offers the same invitation, and cancelling still raises it.
    services.cancel_registration(registration=programme.alex)
    programme.alex.refresh_from_db()
    assert invitation_sequence(programme.alex) == vevent["SEQUENCE"] + 1


def test_changes_of_a_draft_event_are_not_told():
    programme = a_programme()
    Event.objects.filter(pk=programme.event.pk).update(status=Event.Status.DRAFT)
    programme.workshop.event.refresh_from_db()
    update_session(session=programme.workshop, data={"status": "cancelled"})

    assert ProgrammeChange.objects.count() == 0
    assert programme.workshop.sequence == 1
    assert send_settled_updates() == 0


def test_a_failed_delivery_keeps_the_update_for_the_retry(settings):
    programme = a_programme()
    settings.EMAIL_BACKEND = "tests.registrations.test_emails.MailServerDown"
    update_session(session=programme.workshop, data={"status": "cancelled"})

    send_settled_updates()

    queued = OutgoingEmail.objects.filter(kind="programme_update", status="queued")
    assert queued.count() == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queued.update(next_attempt_at=timezone.now())  # the retry's time has come
    for email in queued:
        emails.deliver(email.pk)
    assert len(updates_to(programme.camille.email)) == 1


def test_organisers_find_the_speakers_updates_in_their_outbox_and_only_theirs(client):
    programme = a_programme()
    update_session(session=programme.workshop, data={"status": "cancelled"})
    send_settled_updates()
    outbox = reverse("admin:registrations_outgoingemail_changelist")
    speakers_email = OutgoingEmail.objects.get(speaker=programme.speaker, registration=None)

    client.force_login(MembershipFactory(organisation=programme.event.organisation).user)
    page = client.get(outbox, {"q": "nadia@example.org"}).content.decode()
    assert "nadia@example.org" in page
    assert programme.event.title_fr in page
    detail = reverse("admin:registrations_outgoingemail_change", args=[speakers_email.pk])
    assert client.get(detail).status_code == 200

    client.force_login(MembershipFactory().user)
    assert "nadia@example.org" not in client.get(outbox).content.decode()
    assert client.get(detail).status_code == 302  # sent back to the admin's index


def test_with_the_database_backend_the_task_waits_for_the_delay_in_the_same_transaction():
    programme = a_programme()

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        update_session(session=programme.workshop, data={"status": "cancelled"})

    change = ProgrammeChange.objects.get()
    [task] = DBTaskResult.objects.filter(task_path="registrations.tasks.send_programme_updates")
    assert task.args_kwargs == {"args": [programme.event.pk], "kwargs": {}}
    assert task.run_after == change.changed_at + timedelta(seconds=600)
    assert mail.outbox == []
