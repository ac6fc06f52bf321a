"""A visitor registers on the public form, in French or in English, and gets a confirmation
email carrying the calendar invitation; bad input gets a clear message and saves nothing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from events.models import Event
from registrations import emails, services
from registrations.models import OutgoingEmail, Registration, SessionSignup
from tests.factories import SessionFactory, TicketTypeFactory
from tests.registrations.attendee_steps import (
    calendar_attached,
    colloquium_ticket,
    form_data,
    html_part,
    link_in,
    page_text,
    register_url,
)

pytestmark = pytest.mark.django_db


def register(ticket, number: int, **extra) -> Registration:
    """Someone else registered through the services (not the form under test)."""
    return services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(
            first_name="Autre",
            last_name=f"Personne {number}",
            email=f"autre{number}@example.org",
            consent_processing=True,
            **extra,
        ),
    )


def test_a_visitor_registers_in_french_and_gets_the_confirmation_with_a_calendar_invitation(
    client,
):
    ticket = colloquium_ticket(capacity=10)
    event = ticket.event

    page = client.get(register_url(event))

    assert page.status_code == 200
    html = page_text(page)
    assert '<html lang="fr">' in html
    assert "S’inscrire à «\u00a0Protection sociale et territoires\u00a0»" in html
    assert "Gratuit" in html
    assert "Places restantes\u00a0: 10" in html
    assert 'value="on" required' in html  # the processing consent box is not ticked
    assert "checked" not in html.split('id="id_consent_processing"')[0].rsplit("<input", 1)[1]

    response = client.post(register_url(event), form_data(ticket))

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        f"/events/{event.slug}/register/done/{registration.manage_token}/"
    )
    assert (registration.status, registration.language) == ("confirmed", "fr")
    assert (registration.first_name, registration.last_name) == ("Camille", "Durand")
    assert registration.email == "camille.durand@example.org"
    assert registration.organisation == "CPAM du Rhône"
    assert registration.job_title == "Chargée de mission"
    assert registration.consent_processing_at is not None
    assert (registration.consent_photos, registration.consent_news) == (False, False)

    done = client.get(response["Location"])
    assert done.status_code == 200
    assert "Votre inscription est confirmée" in page_text(done)
    assert f"/r/{registration.manage_token}/" in page_text(done)
    assert done["Cache-Control"] == "private, no-store"

    [message] = mail.outbox
    assert message.to == ["camille.durand@example.org"]
    assert message.subject == "Inscription confirmée\u00a0: Protection sociale et territoires"
    assert "Bonjour Camille," in message.body
    assert "jeudi 20 mai 2027, 08:30" in message.body
    assert link_in(message.body, "/r/") == f"/r/{registration.manage_token}/"
    assert "Inscription confirmée" not in html_part(message)  # the subject stays the subject
    assert "Votre inscription à «\u00a0Protection sociale et territoires\u00a0» est confirmée" in (
        html_part(message)
    )

    invite = calendar_attached(message)
    assert invite["METHOD"] == "REQUEST"
    [zone] = invite.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Paris"
    [vevent] = invite.walk("VEVENT")
    assert str(vevent["UID"]) == emails.registration_uid(registration)
    assert vevent["SUMMARY"] == "Protection sociale et territoires"
    assert vevent["DTSTART"].dt.astimezone(UTC) == datetime(2027, 5, 20, 6, 30, tzinfo=UTC)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert str(vevent["ORGANIZER"]) == "mailto:colloque@example.org"
    assert str(vevent["ATTENDEE"]) == "mailto:camille.durand@example.org"
    assert vevent["ATTENDEE"].params["CN"] == "Camille Durand"


def test_a_visitor_registers_in_english_and_everything_reaches_them_in_english(client):
    ticket = colloquium_ticket(capacity=10)
    event = ticket.event

    page = client.get(register_url(event, "en"))

    html = page_text(page)
    assert '<html lang="en">' in html
    assert "Register for “Social protection and territories”" in html
    assert "Free" in html
    assert "Seats left: 10" in html

    response = client.post(register_url(event, "en"), form_data(ticket))

    registration = Registration.objects.get()
    assert response["Location"] == (
        f"/en/events/{event.slug}/register/done/{registration.manage_token}/"
    )
    assert registration.language == "en"
    assert "Your registration is confirmed" in page_text(client.get(response["Location"]))
    [message] = mail.outbox
    assert message.subject == "Registration confirmed: Social protection and territories"
    assert "Hello Camille," in message.body
    assert "Thursday 20 May 2027, 08:30" in message.body
    assert link_in(message.body, "/en/r/") == f"/en/r/{registration.manage_token}/"
    [vevent] = calendar_attached(message).walk("VEVENT")
    assert vevent["SUMMARY"] == "Social protection and territories"
    assert vevent["DTSTART"].dt.astimezone(UTC) == datetime(2027, 5, 20, 6, 30, tzinfo=UTC)


def test_the_form_shows_prices_in_the_page_language_and_a_full_ticket_as_waiting_list(client):
    free = colloquium_ticket(capacity=1, name_fr="Étudiant", name_en="Student")
    TicketTypeFactory(
        event=free.event,
        name_fr="Plein tarif",
        name_en="Full rate",
        price=Decimal("80.00"),
        position=2,
    )
    register(free, 1)

    french = page_text(client.get(register_url(free.event)))
    english = page_text(client.get(register_url(free.event, "en")))

    assert "80,00 €" in french
    assert "€80.00" in english
    assert "Complet\u00a0: vous rejoindrez la liste d’attente" in french
    assert "Full: you will join the waiting list" in english


def test_a_student_ticket_asks_for_the_school_or_university(client):
    ticket = colloquium_ticket(category="student", name_fr="Étudiant", name_en="Student")

    refused = client.post(register_url(ticket.event), form_data(ticket))

    assert refused.status_code == 200
    assert "Ce champ est obligatoire pour ce billet." in page_text(refused)
    assert Registration.objects.count() == 0
    assert mail.outbox == []

    client.post(register_url(ticket.event), form_data(ticket, institution="Université Lyon 2"))

    assert Registration.objects.get().institution == "Université Lyon 2"


def test_an_attendee_signs_up_for_a_workshop_with_seats_left(client):
    ticket = colloquium_ticket()
    workshop = SessionFactory(
        event=ticket.event,
        title_fr="Atelier : solidarités locales",
        requires_signup=True,
        capacity=2,
    )
    register_page = page_text(client.get(register_url(ticket.event)))
    assert "Atelier : solidarités locales" in register_page

    client.post(register_url(ticket.event), form_data(ticket, sessions=[str(workshop.pk)]))

    signup = SessionSignup.objects.get()
    assert (signup.registration.email, signup.session) == ("camille.durand@example.org", workshop)
    assert "Atelier : solidarités locales" in mail.outbox[0].body


def test_a_full_workshop_is_refused_with_a_message_naming_it(client):
    ticket = colloquium_ticket()
    workshop = SessionFactory(
        event=ticket.event,
        title_fr="Atelier : solidarités locales",
        requires_signup=True,
        capacity=1,
    )
    services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(
            first_name="Inès",
            last_name="Benali",
            email="ines@example.org",
            consent_processing=True,
        ),
        sessions=[workshop],
    )
    mail.outbox.clear()

    page = page_text(client.get(register_url(ticket.event)))
    assert f'id="session-{workshop.pk}" value="{workshop.pk}" disabled' in page
    refused = client.post(
        register_url(ticket.event), form_data(ticket, sessions=[str(workshop.pk)])
    )

    assert refused.status_code == 200
    assert (
        "«\u00a0Atelier : solidarités locales\u00a0» est complet\u00a0: "
        "choisissez une autre session ou aucune." in page_text(refused)
    )
    assert Registration.objects.count() == 1
    assert mail.outbox == []


def test_when_the_event_is_full_the_visitor_joins_the_waiting_list(client):
    ticket = colloquium_ticket(capacity=1)
    register(ticket, 1)
    mail.outbox.clear()

    response = client.post(register_url(ticket.event), form_data(ticket))

    registration = Registration.objects.get(email="camille.durand@example.org")
    assert registration.status == "waitlisted"
    assert "Vous êtes sur la liste d’attente" in page_text(client.get(response["Location"]))
    [message] = mail.outbox
    assert message.subject == "Sur liste d’attente\u00a0: Protection sociale et territoires"
    assert message.attachments == []


NAME = "Jean\r\nBcc: evil@example.org"
SCRIPT = "<script>alert(1)</script>"
REQUIRED = "Ce champ est obligatoire."
MARKUP = "Le HTML et les autres balises ne sont pas acceptés ici."
CONTROL = "Les retours à la ligne et les caractères de contrôle ne sont pas acceptés ici."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, REQUIRED),
        ({"last_name": "   "}, REQUIRED),
        ({"email": ""}, REQUIRED),
        ({"email": "camille@"}, "Saisissez une adresse e-mail valide."),
        ({"email": "camille@example.org\r\nBcc: evil@example.org"}, CONTROL),
        ({"first_name": "A" * 10_000}, "100 caractères au plus (10000 reçus)."),
        ({"first_name": NAME}, CONTROL),
        ({"last_name": "Durand\x07"}, CONTROL),
        ({"organisation": "CPAM\x00"}, "Le caractère nul n\u2019est pas autorisé."),
        ({"first_name": SCRIPT}, MARKUP),
        ({"last_name": SCRIPT}, MARKUP),
        ({"email": SCRIPT}, MARKUP),
        ({"organisation": SCRIPT}, MARKUP),
        ({"job_title": SCRIPT}, MARKUP),
        ({"institution": SCRIPT}, MARKUP),
        ({"mandate": SCRIPT}, MARKUP),
        ({"accessibility_needs": SCRIPT}, MARKUP),
        ({"ticket_type": ""}, "Choisissez un billet."),
        ({"ticket_type": "999999"}, "Choisissez l’un des billets proposés."),
        ({"ticket_type": "1 OR 1=1"}, "Choisissez l’un des billets proposés."),
        ({"ticket_type": "9" * 40}, "Choisissez l’un des billets proposés."),
        ({"ticket_type": "\u00b2"}, "Choisissez l’un des billets proposés."),
        ({"sessions": ["abc"]}, "Choisissez parmi les ateliers proposés."),
        (
            {"consent_processing": None},
            "Veuillez accepter le traitement de vos données pour vous inscrire.",
        ),
    ],
)
def test_bad_input_gets_a_clear_french_message_and_saves_nothing(client, overrides, message):
    ticket = colloquium_ticket()

    response = client.post(register_url(ticket.event), form_data(ticket, **overrides))

    assert response.status_code == 200
    html = page_text(response)
    assert message in html
    assert "Veuillez corriger les points suivants\u00a0:" in html
    assert SCRIPT not in response.content.decode()  # what was typed comes back escaped
    assert Registration.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    assert mail.outbox == []


def test_bad_input_on_the_english_page_gets_english_messages(client):
    ticket = colloquium_ticket()

    response = client.post(
        register_url(ticket.event, "en"),
        form_data(ticket, first_name="", email="nobody", last_name=SCRIPT, consent_processing=None),
    )

    html = page_text(response)
    assert response.status_code == 200
    assert "Please correct the following:" in html
    assert "This field is required." in html
    assert "Enter a valid email address." in html
    assert "HTML or other markup is not allowed here." in html
    assert "Please accept the processing of your data to register." in html
    assert Registration.objects.count() == 0


def test_errors_are_linked_to_their_fields_for_screen_readers(client):
    ticket = colloquium_ticket()

    html = page_text(client.post(register_url(ticket.event), form_data(ticket, first_name="")))

    assert '<a href="#id_first_name">Prénom\u00a0: Ce champ est obligatoire.</a>' in html
    assert 'aria-describedby="id_first_name-error"' in html
    assert 'aria-invalid="true"' in html
    error = '<p class="field__error" id="id_first_name-error">'
    assert f'{error}<span class="visually-hidden">Erreur\u00a0: </span>{REQUIRED}</p>' in html


def test_another_events_ticket_is_refused(client):
    ticket = colloquium_ticket()
    elsewhere = TicketTypeFactory()

    response = client.post(
        register_url(ticket.event), form_data(ticket, ticket_type=str(elsewhere.pk))
    )

    assert response.status_code == 200
    assert "Ce type de billet n’appartient pas à cet événement." in page_text(response)
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    "window",
    [
        {"sale_end": timedelta(days=-1), "sale_start": timedelta(days=-10)},
        {"sale_start": timedelta(days=3)},
    ],
)
def test_a_ticket_outside_its_sale_window_is_refused(client, window):
    ticket = colloquium_ticket()
    closed = TicketTypeFactory(
        event=ticket.event,
        name_fr="Tarif anticipé",
        **{field: timezone.now() + delta for field, delta in window.items()},
    )

    response = client.post(
        register_url(ticket.event), form_data(ticket, ticket_type=str(closed.pk))
    )

    assert response.status_code == 200
    assert "Ce billet n’est pas en vente en ce moment." in page_text(response)
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_a_duplicate_email_is_told_so_and_sent_its_manage_link_only(client):
    ticket = colloquium_ticket()
    first = client.post(register_url(ticket.event), form_data(ticket))
    registration = Registration.objects.get()
    mail.outbox.clear()

    again = client.post(
        register_url(ticket.event),
        form_data(ticket, first_name="Camille-Anne", email="Camille.Durand@Example.org"),
    )

    assert first.status_code == 302
    assert again.status_code == 200
    html = page_text(again)
    assert "Cette adresse e-mail est déjà inscrite à cet événement." in html
    assert "Nous lui avons envoyé un lien pour gérer cette inscription" in html
    assert Registration.objects.count() == 1
    registration.refresh_from_db()
    assert registration.first_name == "Camille"
    [message] = mail.outbox
    assert message.to == ["camille.durand@example.org"]
    assert message.subject == "Vous êtes déjà inscrit(e)\u00a0: Protection sociale et territoires"
    assert link_in(message.body, "/r/") == f"/r/{registration.manage_token}/"
    assert message.attachments == []


def test_an_invitation_only_event_says_so_and_offers_no_form(client):
    ticket = colloquium_ticket(event__access=Event.Access.INVITATION, is_public=False)

    page = client.get(register_url(ticket.event))
    post = client.post(register_url(ticket.event), form_data(ticket))

    assert page.status_code == post.status_code == 200
    assert "La participation se fait uniquement sur invitation." in page_text(page)
    assert "<form" not in page_text(page).split('id="main"')[1]
    assert Registration.objects.count() == 0


def test_a_past_or_cancelled_event_is_closed_and_a_draft_is_not_found(client):
    past = colloquium_ticket(
        event__start=timezone.now() - timedelta(days=3),
        event__end=timezone.now() - timedelta(days=2),
    )
    cancelled = TicketTypeFactory(event__status=Event.Status.CANCELLED)
    draft = TicketTypeFactory(event__status=Event.Status.DRAFT)

    past_page = page_text(client.get(register_url(past.event)))
    cancelled_page = page_text(client.get(register_url(cancelled.event)))

    assert "Les inscriptions à cet événement sont closes." in past_page
    assert "Cet événement est annulé." in cancelled_page
    assert client.get(register_url(draft.event)).status_code == 404
    assert client.post(register_url(draft.event), form_data(draft)).status_code == 404
    assert client.post(register_url(past.event), form_data(past)).status_code == 200
    assert Registration.objects.count() == 0


def test_a_name_with_newlines_cannot_reach_the_email_headers_or_the_calendar():
    ticket = colloquium_ticket()
    # Written to the model directly, past the validation every channel applies.
    registration = Registration.objects.create(
        event=ticket.event,
        ticket_type=ticket,
        status=Registration.Status.CONFIRMED,
        first_name="Jean\r\nATTENDEE:mailto:evil@example.org\r\nBcc: evil@example.org",
        last_name='Dupont";ROLE=CHAIR',
        email="jean.dupont@example.org",
    )

    ics = emails.registration_calendar(registration).to_ical()
    message = emails.build_message(OutgoingEmail(kind="confirmation", registration=registration))
    headers = message.message().as_string().split("\n\n", 1)[0]

    [vevent] = Calendar.from_ical(ics).walk("VEVENT")
    attendees = vevent["ATTENDEE"]
    assert not isinstance(attendees, list)  # exactly one ATTENDEE property
    assert str(attendees) == "mailto:jean.dupont@example.org"
    assert attendees.params["ROLE"] == "REQ-PARTICIPANT"
    assert "\n" not in attendees.params["CN"]
    lines = ics.replace(b"\r\n ", b"").split(b"\r\n")  # unfolded content lines
    assert [line for line in lines if line.startswith(b"ATTENDEE")] == [
        line for line in lines if b"mailto:jean.dupont@example.org" in line
    ]
    assert len([line for line in lines if line.startswith(b"ATTENDEE")]) == 1
    assert not [line for line in lines if line.upper().startswith(b"BCC")]
    assert "evil@example.org" not in headers
    assert "Bcc" not in headers


def test_the_event_page_shows_the_tickets_with_their_seats_and_invites_to_register(client):
    ticket = colloquium_ticket(capacity=3)
    register(ticket, 1)

    french = page_text(client.get(f"/events/{ticket.event.slug}/"))
    english = page_text(client.get(f"/en/events/{ticket.event.slug}/"))

    assert "<strong>Professionnel</strong> — Gratuit" in french
    assert "Places restantes\u00a0: 2" in french
    assert (
        f'<a class="button" href="/events/{ticket.event.slug}/register/">S’inscrire</a>' in french
    )
    assert "<strong>Professional</strong> — Free" in english
    assert f'href="/en/events/{ticket.event.slug}/register/">Register</a>' in english


def test_the_event_page_of_an_invitation_only_event_offers_no_registration(client):
    ticket = colloquium_ticket(event__access=Event.Access.INVITATION, is_public=False)

    html = page_text(client.get(f"/events/{ticket.event.slug}/"))

    assert "La participation se fait uniquement sur invitation." in html
    assert "/register/" not in html
