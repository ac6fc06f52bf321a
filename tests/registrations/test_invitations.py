"""A guest of the FHF PACA New Year ceremony answers their personal invitation: from the
email's link to the RSVP page, their answer, the seats and the emails that follow."""

import re
from datetime import datetime, timedelta
from io import StringIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import dateformat, timezone, translation
from icalendar import Calendar

from registrations import ratelimit, services
from registrations.models import Invitation, OutgoingEmail, Registration
from tests.factories import EventFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
GUEST = {
    "first_name": "Jean-Luc",
    "last_name": "Martin",
    "email": "jl.martin@example.org",
    "organisation": "CHU de Nice",
    "job_title": "Directeur général",
    "plus_ones_allowed": 1,
}
LINK = re.compile(r"https?://[^\s\"'<>]+?(/(?:en/)?invitations/[A-Za-z0-9_-]+/)")


def ceremony(*, capacity=None, slug=None) -> "services.TicketType":
    """The ceremony at 18:30 Paris time a month ahead, and its guest ticket."""
    day = (timezone.now() + timedelta(days=30)).astimezone(PARIS).date()
    start = datetime(day.year, day.month, day.day, 18, 30, tzinfo=PARIS)
    event = EventFactory(
        **({"slug": slug} if slug else {}),
        kind="ceremony",
        access="invitation",
        title_fr="Cérémonie des vœux de la FHF PACA",
        title_en="FHF PACA New Year ceremony",
        start=start,
        end=start + timedelta(hours=3),
        capacity=capacity,
        venue__name="Sciences Po Aix",
        venue__street="25 rue Gaston de Saporta",
        venue__postal_code="13100",
        venue__city="Aix-en-Provence",
    )
    return TicketTypeFactory(
        event=event, category="guest", is_public=False, name_fr="Invité", name_en="Guest"
    )


def invite(ticket, **data) -> Invitation:
    return services.create_invitation(
        event=ticket.event,
        ticket_type=ticket,
        data={**GUEST, **data},
        deadline=ticket.event.start - timedelta(days=5),
    )


def link_in(message) -> str:
    """The path of the personal link an email carries (its text part)."""
    match = LINK.search(message.body)
    assert match, message.body
    return match[1]


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def accepting(**fields) -> dict:
    return {
        "answer": "accept",
        "first_name": "Jean-Luc",
        "last_name": "Martin",
        "consent_processing": "on",
        **fields,
    }


def calendar_of(message) -> Calendar:
    # The invitation travels beside the badge (badge.png); the calendar is the one .ics.
    [(_filename, content, mimetype)] = [
        attachment for attachment in message.attachments if attachment[0].endswith(".ics")
    ]
    assert mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def test_a_guest_accepts_from_the_emailed_link_with_a_plus_one_and_gets_a_calendar_invitation(
    client,
):
    ticket = ceremony()
    invitation = invite(ticket)

    [invitation_email] = mail.outbox
    assert invitation_email.to == ["jl.martin@example.org"]
    link = link_in(invitation_email)
    assert link == f"/invitations/{invitation.token}/"

    page = client.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cérémonie des vœux de la FHF PACA" in text
    assert re.search(r'<p class="lead" id="guest">[^<]*Jean-Luc Martin', text)
    assert "Sciences Po Aix" in text
    assert "Aix-en-Provence" in text
    assert "18:30" in text  # the event's local time, not UTC
    assert 'name="plus_one_1_first_name"' in text
    assert 'name="plus_one_2_first_name"' not in text

    answered = client.post(
        link, accepting(plus_one_1_first_name="Claire", plus_one_1_last_name="Martin")
    )

    assert answered.status_code == 302
    assert answered["Location"] == link
    guest = Registration.objects.get(invitation=invitation)
    companion = Registration.objects.get(companion_of=guest)
    assert (guest.status, guest.full_name, guest.email, guest.organisation) == (
        "confirmed",
        "Jean-Luc Martin",
        "jl.martin@example.org",
        "CHU de Nice",
    )
    assert (companion.status, companion.full_name, companion.email) == (
        "confirmed",
        "Claire Martin",
        "",
    )
    assert guest.consent_processing_at is not None
    assert guest.consent_photos is False
    invitation.refresh_from_db()
    assert invitation.answer == "accepted"

    [invitation_email, confirmation] = emails_to("jl.martin@example.org")
    assert len(mail.outbox) == 2  # the plus-one has no email of their own
    invite_ics = calendar_of(confirmation)
    assert str(invite_ics["METHOD"]) == "REQUEST"
    [entry] = invite_ics.walk("VEVENT")
    assert entry.decoded("DTSTART") == ticket.event.start

    result = client.get(link)
    result_text = result.content.decode()
    assert 'id="invitation-result"' in result_text
    assert 'data-answer="accepted"' in result_text
    assert f'href="/r/{guest.manage_token}/"' in result_text
    assert "Claire Martin" in result_text
    assert 'name="plus_one_1_first_name"' not in result_text


def test_the_accepted_page_in_english_names_the_guests_and_links_to_the_manage_page(client):
    invitation = invite(ceremony())
    link = f"/en/invitations/{invitation.token}/"

    client.post(link, accepting(plus_one_1_first_name="Claire", plus_one_1_last_name="Martin"))

    guest = Registration.objects.get(invitation=invitation)
    assert guest.language == "en"
    text = client.get(link).content.decode()
    assert "You have accepted this invitation: we look forward to welcoming you." in text
    assert f'<a class="button" href="/en/r/{guest.manage_token}/" id="manage-link">' in text
    assert "Claire Martin" in text
    assert "Decline the invitation" in text


def test_more_plus_ones_than_allowed_are_refused_with_a_message_and_nothing_is_saved(client):
    invitation = invite(ceremony(), plus_ones_allowed=1)

    page = client.post(
        f"/en/invitations/{invitation.token}/",
        accepting(
            plus_one_1_first_name="Claire",
            plus_one_1_last_name="Martin",
            # Not on the form: a second pair added by hand.
            plus_one_2_first_name="Paul",
            plus_one_2_last_name="Martin",
        ),
    )

    assert page.status_code == 200
    assert "This invitation allows 1 plus-one(s)." in page.content.decode()
    assert Registration.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.answer == "pending"
    assert len(mail.outbox) == 1


def test_a_guest_invited_alone_cannot_bring_a_plus_one(client):
    invitation = invite(ceremony(), plus_ones_allowed=0)

    form = client.get(f"/en/invitations/{invitation.token}/").content.decode()
    page = client.post(
        f"/en/invitations/{invitation.token}/",
        accepting(plus_one_1_first_name="Claire", plus_one_1_last_name="Martin"),
    )

    assert 'id="plus-ones"' not in form
    assert "This invitation allows 0 plus-one(s)." in page.content.decode()
    assert Registration.objects.count() == 0


def test_a_guest_and_plus_one_who_do_not_fit_in_the_hall_are_told_and_nothing_is_saved(client):
    invitation = invite(ceremony(capacity=1), plus_ones_allowed=1)

    page = client.post(
        f"/en/invitations/{invitation.token}/",
        accepting(plus_one_1_first_name="Claire", plus_one_1_last_name="Martin"),
    )

    assert page.status_code == 200
    assert (
        "There are no seats left for you and your plus-ones. Please contact the organisers."
        in page.content.decode()
    )
    assert Registration.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.answer == "pending"


def test_a_guest_already_registered_with_the_same_email_is_told_so(client):
    ticket = ceremony()
    invitation = invite(ticket)
    services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(
            first_name="Jean-Luc",
            last_name="Martin",
            email="jl.martin@example.org",
            consent_processing=True,
        ),
        public=False,
    )

    page = client.post(f"/en/invitations/{invitation.token}/", accepting())

    assert page.status_code == 200
    assert "This email address is already registered for this event." in page.content.decode()
    assert Registration.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.answer == "pending"


def test_a_guest_who_declines_is_thanked_and_takes_no_seat(client):
    invitation = invite(ceremony())
    link = f"/en/invitations/{invitation.token}/"

    answered = client.post(link, {"answer": "decline"})

    assert answered.status_code == 302
    invitation.refresh_from_db()
    assert invitation.answer == "declined"
    assert Registration.objects.count() == 0
    assert len(mail.outbox) == 1
    text = client.get(link).content.decode()
    assert "You have declined this invitation. Thank you for letting us know." in text
    # They may still change their mind before the deadline.
    assert "Changed your mind?" in text
    assert 'value="accept"' in text


def test_a_guest_who_declined_may_accept_before_the_deadline(client):
    invitation = invite(ceremony())
    link = f"/invitations/{invitation.token}/"
    client.post(link, {"answer": "decline"})

    client.post(link, accepting())

    invitation.refresh_from_db()
    assert invitation.answer == "accepted"
    assert Registration.objects.get(invitation=invitation).status == "confirmed"


def test_a_guest_who_cancelled_from_the_manage_page_may_accept_again(client):
    invitation = invite(ceremony())
    link = f"/en/invitations/{invitation.token}/"
    client.post(link, accepting())
    services.cancel_registration(registration=Registration.objects.get(invitation=invitation))

    page = client.get(link).content.decode()
    client.post(link, accepting())

    assert "Your registration has been cancelled." in page
    assert 'data-answer="cancelled"' in page
    assert "Changed your mind?" in page
    assert 'value="decline"' not in page
    assert list(
        Registration.objects.filter(email=invitation.email).values_list("status", flat=True)
    ) == ["confirmed", "cancelled"]
    assert Registration.objects.get(invitation=invitation).status == "confirmed"


def test_declining_after_accepting_frees_both_seats_for_the_waiting_list(client):
    ticket = ceremony(capacity=2)
    invitation = invite(ticket)
    link = f"/invitations/{invitation.token}/"
    client.post(link, accepting(plus_one_1_first_name="Claire", plus_one_1_last_name="Martin"))
    guest = Registration.objects.get(invitation=invitation)
    # The hall is full: an organiser adds a guest of their own, who waits for a seat.
    waiting = services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(
            first_name="Sophie",
            last_name="Bernard",
            email="s.bernard@example.org",
            consent_processing=True,
        ),
        public=False,
    )
    assert waiting.status == "waitlisted"
    mail.outbox.clear()

    answered = client.post(link, {"answer": "decline"})

    assert answered.status_code == 302
    invitation.refresh_from_db()
    assert invitation.answer == "declined"
    guest.refresh_from_db()
    assert guest.status == "declined"
    assert list(guest.companions.values_list("status", flat=True)) == ["declined"]
    waiting.refresh_from_db()
    assert waiting.status == "offered"
    [offer] = emails_to("s.bernard@example.org")
    assert OutgoingEmail.objects.get(kind="seat_offer", registration=waiting).status == "sent"
    assert f"/r/{waiting.manage_token}/" in offer.body
    [cancellation] = emails_to("jl.martin@example.org")
    assert str(calendar_of(cancellation)["METHOD"]) == "CANCEL"


def test_past_the_deadline_the_page_is_closed_and_answers_are_refused(client):
    invitation = invite(ceremony())
    Invitation.objects.filter(pk=invitation.pk).update(
        deadline=timezone.now() - timedelta(minutes=1)
    )
    link = f"/en/invitations/{invitation.token}/"

    page = client.get(link)
    accepted = client.post(link, accepting())
    declined = client.post(link, {"answer": "decline"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "The deadline to answer this invitation has passed." in text
    assert 'name="answer"' not in text
    assert accepted.status_code == 409
    assert declined.status_code == 409
    assert "The deadline to answer this invitation has passed." in accepted.content.decode()
    invitation.refresh_from_db()
    assert invitation.answer == "pending"
    assert Registration.objects.count() == 0
    assert len(mail.outbox) == 1


def test_a_guest_who_accepted_keeps_the_manage_link_once_answers_are_closed(client):
    invitation = invite(ceremony())
    link = f"/en/invitations/{invitation.token}/"
    client.post(link, accepting())
    Invitation.objects.filter(pk=invitation.pk).update(
        deadline=timezone.now() - timedelta(minutes=1)
    )
    guest = Registration.objects.get(invitation=invitation)

    text = client.get(link).content.decode()
    refused = client.post(link, {"answer": "decline"})

    assert "The deadline to answer this invitation has passed." in text
    assert f'href="/en/r/{guest.manage_token}/"' in text
    assert 'name="answer"' not in text
    assert refused.status_code == 409
    guest.refresh_from_db()
    assert guest.status == "confirmed"


def test_reminders_go_only_to_guests_who_have_not_answered_and_not_twice(client):
    ticket = ceremony(slug="voeux-fhf-paca")
    waiting = invite(ticket, email="waiting@example.org")
    accepted = invite(ticket, email="accepted@example.org")
    client.post(f"/invitations/{accepted.token}/", accepting())
    declined = invite(ticket, email="declined@example.org")
    client.post(f"/invitations/{declined.token}/", {"answer": "decline"})
    late = invite(ticket, email="late@example.org")
    Invitation.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))
    withdrawn = invite(ticket, email="withdrawn@example.org")
    Invitation.objects.filter(pk=withdrawn.pk).update(answer="revoked")
    elsewhere = invite(ceremony(slug="autre-ceremonie"), email="elsewhere@example.org")
    mail.outbox.clear()

    first = StringIO()
    call_command("send_invitation_reminders", "--event", "voeux-fhf-paca", stdout=first)

    assert first.getvalue() == "1 reminder(s) sent.\n"
    [reminder] = mail.outbox
    assert reminder.to == ["waiting@example.org"]
    assert link_in(reminder) == f"/invitations/{waiting.token}/"

    second = StringIO()
    call_command("send_invitation_reminders", "--event", "voeux-fhf-paca", stdout=second)

    assert second.getvalue() == "0 reminder(s) sent.\n"
    assert len(mail.outbox) == 1

    # Two days later, still no answer: one more reminder, and the other event's guest too.
    Invitation.objects.filter(pk=waiting.pk).update(
        last_reminded_at=timezone.now() - timedelta(hours=49)
    )
    third = StringIO()
    call_command("send_invitation_reminders", "--min-interval-hours", "48", stdout=third)

    assert third.getvalue() == "2 reminder(s) sent.\n"
    assert sorted(message.to[0] for message in mail.outbox[1:]) == [
        "elsewhere@example.org",
        "waiting@example.org",
    ]
    waiting.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (waiting.reminders_sent, elsewhere.reminders_sent) == (2, 1)


def test_the_reminder_command_refuses_an_unknown_event():
    with pytest.raises(CommandError, match=r"No event with the slug “nowhere”\."):
        call_command("send_invitation_reminders", "--event", "nowhere")


def test_the_page_speaks_french_at_the_root_and_english_under_en(client):
    ticket = ceremony()
    invitation = invite(ticket)
    start = ticket.event.start.astimezone(PARIS)
    with translation.override("fr"):
        french_day = dateformat.format(start, "l j F Y")
    with translation.override("en"):
        english_day = dateformat.format(start, "l j F Y")
    assert french_day != english_day

    french = client.get(f"/invitations/{invitation.token}/").content.decode()
    english = client.get(f"/en/invitations/{invitation.token}/").content.decode()

    assert '<html lang="fr">' in french
    assert french_day in french
    assert "Cérémonie des vœux de la FHF PACA" in french
    assert '<html lang="en">' in english
    assert english_day in english
    assert "FHF PACA New Year ceremony" in english
    assert "Will you attend?" in english
    assert "Accept the invitation" in english


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"plus_one_1_first_name": "Claire\nBcc: everyone@example.org"},
            "Line breaks and control characters are not allowed here.",
            id="newline in a plus-one's name",
        ),
        pytest.param(
            {"plus_one_1_last_name": "<script>alert(1)</script>"},
            "HTML or other markup is not allowed here.",
            id="script in a plus-one's name",
        ),
        pytest.param(
            {"last_name": "M" * 10_000},
            "At most 100 characters (10000 given).",
            id="a 10,000-character name",
        ),
        pytest.param(
            {"first_name": "Jean\x00Luc"},
            "Line breaks and control characters are not allowed here.",
            id="a NUL character",
        ),
        pytest.param({"first_name": "  "}, "This field is required.", id="no first name"),
        pytest.param(
            {"plus_one_1_last_name": ""},
            "This field is required.",
            id="a plus-one without a last name",
        ),
    ],
)
def test_bad_names_get_a_clear_message_and_nothing_is_saved(client, fields, message):
    invitation = invite(ceremony())
    data = accepting(plus_one_1_first_name="Claire", plus_one_1_last_name="Martin")
    data.update(fields)

    page = client.post(f"/en/invitations/{invitation.token}/", data)

    assert page.status_code == 200
    text = page.content.decode()
    assert message in text
    assert "<script>alert(1)</script>" not in text
    assert 'id="accept-errors"' in text
    assert Registration.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.answer == "pending"
    assert len(mail.outbox) == 1


def test_data_processing_consent_is_required_and_never_pre_ticked(client):
    invitation = invite(ceremony())
    link = f"/en/invitations/{invitation.token}/"

    form = client.get(link).content.decode()
    refused = client.post(link, accepting(consent_processing=""))

    [consent_box] = re.findall(r'<input type="checkbox" id="id_consent_processing"[^>]*>', form)
    assert "checked" not in consent_box
    [photos_box] = re.findall(r'<input type="checkbox" id="id_consent_photos"[^>]*>', form)
    assert "checked" not in photos_box
    assert "Please accept the processing of your data to register." in refused.content.decode()
    assert Registration.objects.count() == 0


def test_the_photo_consent_is_recorded_when_given(client):
    invitation = invite(ceremony())

    client.post(f"/invitations/{invitation.token}/", accepting(consent_photos="on"))

    assert Registration.objects.get(invitation=invitation).consent_photos is True


def test_a_link_shows_its_own_guest_and_no_one_else(client):
    ticket = ceremony()
    first = invite(ticket, first_name="Aline", last_name="Arnaud", email="aline@example.org")
    second = invite(ticket, first_name="Bruno", last_name="Blanc", email="bruno@example.org")
    client.post(
        f"/invitations/{second.token}/",
        accepting(
            first_name="Bruno",
            last_name="Blanc",
            plus_one_1_first_name="Zoé",
            plus_one_1_last_name="Secrète",
        ),
    )

    first_page = client.get(f"/invitations/{first.token}/").content.decode()
    second_page = client.get(f"/invitations/{second.token}/").content.decode()

    assert "Aline" in first_page
    assert "Arnaud" in first_page
    for other in ("Bruno", "Blanc", "bruno@example.org", "Zoé", "Secrète", second.token):
        assert other not in first_page
    assert "Zoé Secrète" in second_page
    assert "Aline" not in second_page
    assert Registration.objects.filter(email="aline@example.org").count() == 0


def test_a_withdrawn_invitation_says_so_and_takes_no_answer(client):
    invitation = invite(ceremony())
    Invitation.objects.filter(pk=invitation.pk).update(answer="revoked")
    link = f"/en/invitations/{invitation.token}/"

    page = client.get(link)
    refused = client.post(link, accepting())

    assert page.status_code == 200
    text = page.content.decode()
    assert "This invitation has been withdrawn." in text
    assert 'name="answer"' not in text
    assert refused.status_code == 409
    assert Registration.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.answer == "revoked"


def test_the_invitation_to_a_cancelled_event_takes_no_answer(client):
    ticket = ceremony()
    invitation = invite(ticket)
    ticket.event.status = "cancelled"
    ticket.event.save(update_fields=["status"])
    link = f"/en/invitations/{invitation.token}/"

    page = client.get(link)
    refused = client.post(link, accepting())

    assert page.status_code == 200
    assert "This event is cancelled." in page.content.decode()
    assert 'name="answer"' not in page.content.decode()
    assert refused.status_code == 409
    assert Registration.objects.count() == 0


def test_an_unknown_token_is_not_found(client):
    invite(ceremony())

    assert client.get("/invitations/not-a-token/").status_code == 404
    assert client.get("/en/invitations/Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA/").status_code == 404
    assert client.post("/invitations/not-a-token/", accepting()).status_code == 404
    assert Registration.objects.count() == 0


def test_the_page_is_private_uncached_and_not_indexed(client):
    invitation = invite(ceremony())
    link = f"/invitations/{invitation.token}/"

    page = client.get(link)
    answered = client.post(link, {"answer": "decline"})

    for response in (page, answered):
        assert response["Cache-Control"] == "private, no-store"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in page.content.decode()


def test_an_answer_that_is_neither_yes_nor_no_is_a_bad_request(client):
    invitation = invite(ceremony())

    page = client.post(f"/invitations/{invitation.token}/", {"answer": "maybe"})

    assert page.status_code == 400
    invitation.refresh_from_db()
    assert invitation.answer == "pending"


def test_answers_are_rate_limited_per_client(client, settings, monkeypatch):
    settings.RATE_LIMITS = {"invitation": "2/m"}
    # A fixed clock: the three answers fall in one minute's window whatever the time.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 3600 * 300_000 + 5))
    cache.clear()
    invitation = invite(ceremony())
    link = f"/invitations/{invitation.token}/"

    tries = [client.post(link, accepting(first_name="")).status_code for _ in range(2)]
    blocked = client.post(link, accepting())

    assert tries == [200, 200]
    assert blocked.status_code == 429
    assert Registration.objects.count() == 0
    assert client.get(link).status_code == 200


def test_the_page_of_an_accepted_invitation_takes_few_queries(
    client, django_assert_max_num_queries
):
    invitation = invite(ceremony(), plus_ones_allowed=3)
    link = f"/invitations/{invitation.token}/"
    client.post(
        link,
        accepting(
            plus_one_1_first_name="Claire",
            plus_one_1_last_name="Martin",
            plus_one_2_first_name="Paul",
            plus_one_2_last_name="Martin",
        ),
    )

    with django_assert_max_num_queries(4):
        page = client.get(link)

    text = page.content.decode()
    assert "Claire Martin" in text
    assert "Paul Martin" in text
