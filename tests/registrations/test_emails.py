"""Every email an attendee or a guest receives, in their language, and the outbox that keeps
them through a mail server outage."""

import re
import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from registrations import emails, services
from registrations.models import OutgoingEmail, Registration
from tests.factories import EventFactory, InvitationFactory, MembershipFactory
from tests.registrations.attendee_steps import (
    calendar_attached,
    colloquium_ticket,
    html_part,
)

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind
TITLE = {"fr": "Protection sociale et territoires", "en": "Social protection and territories"}

SUBJECTS = {
    (Kind.CONFIRMATION, "fr"): "Inscription confirmée\u00a0: Protection sociale et territoires",
    (Kind.CONFIRMATION, "en"): "Registration confirmed: Social protection and territories",
    (Kind.WAITLISTED, "fr"): "Sur liste d’attente\u00a0: Protection sociale et territoires",
    (Kind.WAITLISTED, "en"): "On the waiting list: Social protection and territories",
    (
        Kind.SEAT_OFFER,
        "fr",
    ): "Une place s’est libérée pour vous\u00a0: Protection sociale et territoires",
    (Kind.SEAT_OFFER, "en"): "A seat is free for you: Social protection and territories",
    (Kind.OFFER_EXPIRED, "fr"): "Offre de place expirée\u00a0: Protection sociale et territoires",
    (Kind.OFFER_EXPIRED, "en"): "Seat offer expired: Social protection and territories",
    (Kind.CANCELLATION, "fr"): "Inscription annulée\u00a0: Protection sociale et territoires",
    (Kind.CANCELLATION, "en"): "Registration cancelled: Social protection and territories",
    (Kind.ALREADY_REGISTERED, "fr"): (
        "Vous êtes déjà inscrit(e)\u00a0: Protection sociale et territoires"
    ),
    (
        Kind.ALREADY_REGISTERED,
        "en",
    ): "You are already registered: Social protection and territories",
    (Kind.INVITATION, "fr"): "Invitation\u00a0: Cérémonie des vœux",
    (Kind.INVITATION, "en"): "Invitation: New Year ceremony",
    (Kind.REMINDER, "fr"): "Rappel\u00a0: votre invitation à Cérémonie des vœux",
    (Kind.REMINDER, "en"): "Reminder: your invitation to New Year ceremony",
}
GREETING = {"fr": "Bonjour Camille,", "en": "Hello Camille,"}
DATES = {"fr": "jeudi 20 mai 2027, 08:30", "en": "Thursday 20 May 2027, 08:30"}


def registration_in(language: str, status: str, **fields) -> Registration:
    ticket = colloquium_ticket()
    return Registration.objects.create(
        event=ticket.event,
        ticket_type=ticket,
        status=status,
        first_name="Camille",
        last_name="Durand",
        email="camille.durand@example.org",
        language=language,
        consent_processing_at=timezone.now(),
        **fields,
    )


REGISTRATION_KINDS = {
    Kind.CONFIRMATION: {"status": "confirmed"},
    Kind.WAITLISTED: {"status": "waitlisted"},
    Kind.SEAT_OFFER: {
        "status": "offered",
        # 17:00 in Paris (CEST) on 1 May 2027.
        "offer_expires_at": datetime(2027, 5, 1, 15, 0, tzinfo=UTC),
    },
    Kind.OFFER_EXPIRED: {"status": "expired"},
    Kind.CANCELLATION: {"status": "cancelled"},
    Kind.ALREADY_REGISTERED: {"status": "confirmed"},
}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", list(REGISTRATION_KINDS))
def test_each_attendee_email_comes_in_their_language_as_text_and_html(kind, language):
    registration = registration_in(language, **REGISTRATION_KINDS[kind])

    rendered = emails.render(OutgoingEmail(kind=kind, registration=registration))

    prefix = "" if language == "fr" else "/en"
    assert rendered.subject == SUBJECTS[kind, language]
    assert rendered.to == "camille.durand@example.org"
    assert rendered.text.startswith(GREETING[language])
    assert DATES[language] in rendered.text
    assert "Sciences Po Lyon, 14 avenue Berthelot, 69007 Lyon" in rendered.text
    assert "&#" not in rendered.text  # plain text: nothing escaped for HTML
    assert "&amp;" not in rendered.text
    assert f'<html lang="{language}">' in rendered.html
    assert GREETING[language] in rendered.html
    assert TITLE[language] in rendered.html
    # No remote image: the only picture is the badge, carried inside the message.
    assert all(src.startswith("cid:") for src in re.findall(r'<img src="([^"]*)"', rendered.html))
    assert "http" not in "".join(re.findall(r"<img[^>]*>", rendered.html))
    assert "<link" not in rendered.html
    assert "<style" not in rendered.html
    if kind in (Kind.OFFER_EXPIRED, Kind.CANCELLATION):
        assert f"{prefix}/r/" not in rendered.text
    else:
        manage = f"http://127.0.0.1:8000{prefix}/r/{registration.manage_token}/"
        assert manage in rendered.text
        assert f'href="{manage}"' in rendered.html


@pytest.mark.parametrize(
    ("language", "deadline"),
    [
        ("fr", "samedi 1 mai 2027, 17:00 (Europe/Paris)"),
        ("en", "Saturday 1 May 2027, 17:00 (Europe/Paris)"),
    ],
)
def test_the_seat_offer_gives_its_deadline_in_the_events_time_zone(language, deadline):
    registration = registration_in(language, **REGISTRATION_KINDS[Kind.SEAT_OFFER])

    rendered = emails.render(OutgoingEmail(kind=Kind.SEAT_OFFER, registration=registration))

    assert deadline in rendered.text
    assert deadline in rendered.html


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", [Kind.INVITATION, Kind.REMINDER])
def test_invitations_and_reminders_carry_the_personal_link_the_deadline_and_plus_ones(
    kind, language
):
    invitation = InvitationFactory(
        first_name="Camille",
        last_name="Durand",
        language=language,
        plus_ones_allowed=1,
        event__title_fr="Cérémonie des vœux",
        event__title_en="New Year ceremony",
        event__start=datetime(2027, 1, 15, 17, 0, tzinfo=UTC),
        deadline=datetime(2027, 1, 8, 11, 0, tzinfo=UTC),
    )

    rendered = emails.render(OutgoingEmail(kind=kind, invitation=invitation))

    prefix = "" if language == "fr" else "/en"
    link = f"http://127.0.0.1:8000{prefix}/invitations/{invitation.token}/"
    assert rendered.subject == SUBJECTS[kind, language]
    assert rendered.to == invitation.email
    assert link in rendered.text
    assert f'href="{link}"' in rendered.html
    expected = {
        "fr": (
            "Bonjour Camille Durand,",
            "vendredi 8 janvier 2027, 12:00 (Europe/Paris)",
            "accompagné(e) de 1 personne(s) au plus",
        ),
        "en": (
            "Dear Camille Durand,",
            "Friday 8 January 2027, 12:00 (Europe/Paris)",
            "up to 1 guest(s)",
        ),
    }[language]
    for text in expected:
        assert text in rendered.text
        assert text in rendered.html
    assert rendered.attachments == []


def test_a_cancellation_replaces_the_confirmation_in_the_calendar():
    ticket = colloquium_ticket()
    registration = services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(
            first_name="Camille",
            last_name="Durand",
            email="camille.durand@example.org",
            consent_processing=True,
        ),
    )

    services.cancel_registration(registration=registration)

    confirmation, cancellation = mail.outbox
    assert (confirmation.subject, cancellation.subject) == (
        SUBJECTS[Kind.CONFIRMATION, "fr"],
        SUBJECTS[Kind.CANCELLATION, "fr"],
    )
    request, cancel = calendar_attached(confirmation), calendar_attached(cancellation)
    [booked], [withdrawn] = request.walk("VEVENT"), cancel.walk("VEVENT")
    assert (request["METHOD"], cancel["METHOD"]) == ("REQUEST", "CANCEL")
    assert (booked["STATUS"], withdrawn["STATUS"]) == ("CONFIRMED", "CANCELLED")
    assert str(withdrawn["UID"]) == str(booked["UID"]) == emails.registration_uid(registration)
    assert withdrawn["SEQUENCE"] > booked["SEQUENCE"]
    assert withdrawn["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    assert "text/calendar; charset=utf-8; method=CANCEL" in [
        mimetype for _name, _content, mimetype in cancellation.attachments
    ]
    assert "<html" in html_part(cancellation)


class MailServerDown(BaseEmailBackend):
    """The mail server hangs up on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_server_outage_keeps_the_registration_and_the_email_is_sent_on_retry(
    client, settings
):
    ticket = colloquium_ticket()
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"

    response = client.post(
        f"/events/{ticket.event.slug}/register/",
        {
            "first_name": "Camille",
            "last_name": "Durand",
            "email": "camille.durand@example.org",
            "ticket_type": str(ticket.pk),
            "consent_processing": "on",
        },
    )

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert registration.status == "confirmed"
    queued = OutgoingEmail.objects.get()
    assert (queued.kind, queued.status, queued.attempts) == ("confirmation", "queued", 1)
    assert queued.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert queued.next_attempt_at > timezone.now()
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_queued_emails")
    assert mail.outbox == []  # not due yet

    OutgoingEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    call_command("send_queued_emails")
    call_command("send_queued_emails")

    [message] = mail.outbox
    assert message.subject == SUBJECTS[Kind.CONFIRMATION, "fr"]
    assert calendar_attached(message)["METHOD"] == "REQUEST"
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.last_error) == ("sent", 2, "")
    assert queued.sent_at is not None


@pytest.mark.django_db
def test_organisers_hear_of_payments_at_the_contact_address_else_through_their_members(settings):
    event = EventFactory(contact_email="colloque@example.org")
    assert emails.organiser_addresses(event) == ["colloque@example.org"]

    event.contact_email = ""
    settings.SERVER_EMAIL = "Colloque <server@example.org>"
    assert emails.organiser_addresses(event) == ["Colloque <server@example.org>"]

    MembershipFactory(organisation=event.organisation, user__email="b@example.org")
    MembershipFactory(organisation=event.organisation, user__email="a@example.org")
    MembershipFactory(
        organisation=event.organisation, user__email="door@example.org", role="door_staff"
    )
    assert emails.organiser_addresses(event) == ["a@example.org", "b@example.org"]
