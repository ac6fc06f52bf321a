"""Organisers keep their ceremony's guest list through the API: list, invite, withdraw."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.models import Membership
from registrations import services
from registrations.models import Invitation, OutgoingEmail, Registration
from tests.factories import InvitationFactory, TicketTypeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

URL = "/api/v1/invitations/"


@pytest.fixture
def guest_ticket():
    return TicketTypeFactory(
        event__slug="voeux-fhf",
        event__access="invitation",
        category="guest",
        is_public=False,
        capacity=1,
    )


@pytest.fixture
def organiser(client_for, guest_ticket):
    return client_for(guest_ticket.event.organisation)


def new_invitation(ticket, **changes):
    deadline = (ticket.event.start - timedelta(days=3)).astimezone(ticket.event.zone)
    return {
        "event": ticket.event.slug,
        "ticket_type": ticket.pk,
        "first_name": "Hélène",
        "last_name": "Martin",
        "email": "Helene.Martin@example.org",
        "organisation": "CHU de Nice",
        "job_title": "Directrice générale",
        "plus_ones_allowed": 1,
        "deadline": deadline.isoformat(),
        **changes,
    }


def test_an_organiser_lists_their_guests_without_their_personal_links(organiser, guest_ticket):
    invitation = InvitationFactory(
        event=guest_ticket.event, ticket_type=guest_ticket, first_name="Hélène", last_name="Martin"
    )
    InvitationFactory()  # another organisation's ceremony

    response = organiser.get(URL)

    assert response.status_code == 200
    (item,) = response.json()["results"]
    zone = guest_ticket.event.zone
    assert item == {
        "id": invitation.pk,
        "event": "voeux-fhf",
        "ticket_type": guest_ticket.pk,
        "first_name": "Hélène",
        "last_name": "Martin",
        "email": invitation.email,
        "organisation": "",
        "job_title": "",
        "plus_ones_allowed": 0,
        "language": "fr",
        "deadline": invitation.deadline.astimezone(zone).isoformat(),
        "answer": "pending",
        "answered_at": None,
        "sent_at": None,
        "reminders_sent": 0,
        "last_reminded_at": None,
        "registration": None,
    }
    assert invitation.token not in response.content.decode()
    assert invitation.token not in organiser.get(f"{URL}{invitation.pk}/").content.decode()


def test_guests_are_filtered_by_event_and_answer(organiser, guest_ticket):
    event = guest_ticket.event
    InvitationFactory(event=event, ticket_type=guest_ticket, last_name="Attente")
    InvitationFactory(event=event, ticket_type=guest_ticket, last_name="Non", answer="declined")

    def names(**params):
        response = organiser.get(URL, params)
        assert response.status_code == 200, response.content
        return [item["last_name"] for item in response.json()["results"]]

    assert names(event="voeux-fhf") == ["Attente", "Non"]
    assert names(answer="declined") == ["Non"]
    assert organiser.get(URL, {"answer": "maybe"}).status_code == 400


def test_an_accepted_invitation_shows_its_registration(organiser, guest_ticket):
    invitation = InvitationFactory(event=guest_ticket.event, ticket_type=guest_ticket)
    registration = services.accept_invitation(
        invitation=invitation,
        attendee=services.AttendeeDetails(
            first_name="Hélène", last_name="Martin", email=invitation.email, consent_processing=True
        ),
        plus_ones=[],
    )

    item = organiser.get(f"{URL}{invitation.pk}/").json()

    assert (item["answer"], item["registration"]) == ("accepted", registration.pk)


def test_an_organiser_invites_a_guest_who_gets_their_link_by_email(organiser, guest_ticket):
    response = organiser.post(URL, new_invitation(guest_ticket), format="json")

    assert response.status_code == 201, response.content
    invitation = Invitation.objects.get()
    assert response.json()["id"] == invitation.pk
    assert (invitation.email, invitation.plus_ones_allowed, invitation.answer) == (
        "helene.martin@example.org",
        1,
        "pending",
    )
    assert invitation.token not in response.content.decode()
    assert list(invitation.emails.values_list("kind", flat=True)) == ["invitation"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "helene@"}, "email"),
        ({"first_name": "Hélène\r\nBcc: x@example.org"}, "first_name"),
        ({"last_name": "M" * 10_000}, "last_name"),
        ({"organisation": "<b>CHU</b>"}, "organisation"),
        ({"plus_ones_allowed": 11}, "plus_ones_allowed"),
        ({"ticket_type": 987654}, "ticket_type"),
        ({"deadline": "demain"}, "deadline"),
        ({"event": "protection-sociale"}, "event"),
    ],
)
def test_a_bad_invitation_is_refused_naming_the_field(organiser, guest_ticket, change, field):
    response = organiser.post(URL, new_invitation(guest_ticket, **change), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_a_deadline_after_the_ceremony_is_refused(organiser, guest_ticket):
    late = (guest_ticket.event.start + timedelta(hours=1)).isoformat()

    response = organiser.post(
        URL, new_invitation(guest_ticket, deadline=late), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json() == {
        "deadline": ["The answer deadline must come before the event starts."]
    }


def test_inviting_the_same_email_twice_is_refused(organiser, guest_ticket):
    assert organiser.post(URL, new_invitation(guest_ticket), format="json").status_code == 201

    again = organiser.post(
        URL,
        new_invitation(guest_ticket, email="helene.martin@EXAMPLE.org"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert again.status_code == 400
    assert again.json() == {"email": ["This guest is already invited to this event."]}
    assert Invitation.objects.count() == 1


def test_another_events_ticket_type_is_refused(organiser, guest_ticket):
    other = TicketTypeFactory(event__organisation=guest_ticket.event.organisation)

    response = organiser.post(
        URL,
        new_invitation(guest_ticket, ticket_type=other.pk),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.json() == {"ticket_type": ["This ticket type is not one of this event's."]}


def test_withdrawing_an_accepted_invitation_frees_the_seat_for_the_waiting_list(
    organiser, guest_ticket
):
    invitation = InvitationFactory(event=guest_ticket.event, ticket_type=guest_ticket)
    guest = services.accept_invitation(
        invitation=invitation,
        attendee=services.AttendeeDetails(
            first_name="Hélène", last_name="Martin", email=invitation.email, consent_processing=True
        ),
        plus_ones=[],
    )
    waiting = services.register_attendee(
        event=guest_ticket.event,
        ticket_type=guest_ticket,
        attendee=services.AttendeeDetails(
            first_name="Paul",
            last_name="Attente",
            email="paul@example.org",
            consent_processing=True,
        ),
        public=False,
    )
    assert waiting.status == "waitlisted"

    response = organiser.post(f"{URL}{invitation.pk}/withdraw/")

    assert response.status_code == 200
    assert response.json()["answer"] == "revoked"
    guest.refresh_from_db()
    waiting.refresh_from_db()
    assert (guest.status, waiting.status) == ("cancelled", "offered")
    assert guest.emails.filter(kind=OutgoingEmail.Kind.CANCELLATION).count() == 1
    invitation.refresh_from_db()
    assert not invitation.is_open()


def test_a_withdrawn_link_can_no_longer_be_accepted(organiser, guest_ticket):
    invitation = InvitationFactory(event=guest_ticket.event, ticket_type=guest_ticket)

    organiser.post(f"{URL}{invitation.pk}/withdraw/")

    with pytest.raises(services.InvitationClosed):
        services.accept_invitation(
            invitation=invitation,
            attendee=services.AttendeeDetails(
                first_name="H", last_name="M", email=invitation.email, consent_processing=True
            ),
            plus_ones=[],
        )
    assert Registration.objects.count() == 0


def test_another_organisations_guests_cannot_be_seen_or_withdrawn(organiser):
    theirs = InvitationFactory()

    assert organiser.get(f"{URL}{theirs.pk}/").status_code == 404
    assert organiser.post(f"{URL}{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.answer == "pending"


def test_door_staff_and_strangers_get_nothing(client_for, anonymous, guest_ticket):
    invitation = InvitationFactory(event=guest_ticket.event, ticket_type=guest_ticket)
    door = client_for(guest_ticket.event.organisation, role=Membership.Role.DOOR_STAFF)

    assert door.get(URL).status_code == 403
    assert door.post(f"{URL}{invitation.pk}/withdraw/").status_code == 403
    assert anonymous.get(URL).status_code == 401
    assert anonymous.post(URL, new_invitation(guest_ticket), format="json").status_code == 401
    invitation.refresh_from_db()
    assert invitation.answer == "pending"


def test_the_list_runs_the_same_number_of_queries_for_10_and_200_guests(organiser, guest_ticket):
    event = guest_ticket.event
    InvitationFactory.create_batch(10, event=event, ticket_type=guest_ticket)
    with CaptureQueriesContext(connection) as with_10:
        assert organiser.get(URL, {"page_size": 200}).status_code == 200
    InvitationFactory.create_batch(190, event=event, ticket_type=guest_ticket)
    with CaptureQueriesContext(connection) as with_200:
        body = organiser.get(URL, {"page_size": 200}).json()

    assert len(body["results"]) == 200
    assert len(with_200) == len(with_10)


def test_too_many_invitations_at_once_get_a_429(organiser, guest_ticket, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/m", "user": "1/m"},
    }

    first = organiser.post(URL, new_invitation(guest_ticket), format="json")
    second = organiser.post(
        URL, new_invitation(guest_ticket, email="autre@example.org"), format="json"
    )

    assert (first.status_code, second.status_code) == (201, 429)
    assert "detail" in second.json()
    assert Invitation.objects.count() == 1
