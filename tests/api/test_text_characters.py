"""Control characters and direction overrides sent through the API: refused with JSON naming
the field; line breaks and tabs kept in multi-line fields (bios)."""

import pytest

from registrations.models import Registration
from speakers.models import Speaker
from tests.factories import MembershipFactory
from tests.registrations.attendee_steps import colloquium_ticket
from tests.registrations.organiser_factories import TicketTypeFactory

pytestmark = pytest.mark.django_db

RLO = "\u202e"
NEL = "\x85"


def test_an_api_registration_with_a_direction_override_gets_json_naming_the_field(client_for):
    ticket = TicketTypeFactory(event__slug="protection-sociale", capacity=100)
    organiser = client_for(ticket.event.organisation)

    response = organiser.post(
        "/api/v1/registrations/",
        {
            "event": ticket.event.slug,
            "ticket_type": ticket.pk,
            "first_name": "Camille",
            "last_name": f"Durand{RLO}",
            "email": "camille.durand@example.org",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "last_name": [
            "Characters that reverse the direction of text are not allowed here (U+202E)."
        ]
    }
    assert not Registration.objects.exists()


def test_a_speakers_bio_keeps_its_line_breaks_but_not_an_override_sent_through_the_api(
    client_for,
):
    organiser = client_for(MembershipFactory().organisation)
    speaker = {"name": "Jean-Luc Durand", "bio": {"fr": f"Médecin.{RLO}\n\tPrésident."}}

    refused = organiser.post("/api/v1/speakers/", speaker, format="json", HTTP_ACCEPT_LANGUAGE="en")
    speaker["bio"]["fr"] = "Médecin.\n\tPrésident de la FHF PACA."
    speaker["name"] = f"Jean-Luc{NEL}Durand"
    refused_name = organiser.post(
        "/api/v1/speakers/", speaker, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    speaker["name"] = "Jean-Luc Durand"
    accepted = organiser.post("/api/v1/speakers/", speaker, format="json")

    assert refused.status_code == 400
    assert refused.json() == {
        "bio": {
            "fr": ["Characters that reverse the direction of text are not allowed here (U+202E)."]
        }
    }
    assert refused_name.status_code == 400
    assert refused_name.json() == {
        "name": ["Line breaks and control characters are not allowed here."]
    }
    assert accepted.status_code == 201, accepted.content
    assert Speaker.objects.get().bio_fr == "Médecin.\n\tPrésident de la FHF PACA."


def test_a_partner_feed_named_with_an_override_is_refused(client_for):
    membership = MembershipFactory()
    organiser = client_for(membership.organisation)
    event = colloquium_ticket(event__organisation=membership.organisation).event

    response = organiser.post(
        "/api/v1/partner-feeds/",
        {"name": f"Caisse des dépôts{RLO}", "events": [event.slug]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "name": ["Characters that reverse the direction of text are not allowed here (U+202E)."]
    }
