"""The published schema and the API's answers agree: who may call each operation, what an
empty email is, how large a page may be, what a boolean is, and that a given parameter needs
a value."""

import pytest

from organisations.models import Membership
from speakers.models import Speaker
from tests.factories import MembershipFactory, SessionFactory
from tests.registrations.organiser_factories import RegistrationFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

BOOLEAN = "Must be a valid boolean."
PAGE_SIZE = "Give a whole number from 1 to 200."


@pytest.fixture
def openapi(anonymous):
    return anonymous.get("/api/schema/?format=json").json()


def test_public_reads_may_be_made_without_credentials_and_private_ones_may_not(openapi):
    paths = openapi["paths"]

    for path in ("/api/v1/events/", "/api/v1/sessions/{id}/", "/api/v1/speakers/"):
        assert {} in paths[path]["get"]["security"], path
    for path, method in [
        ("/api/v1/registrations/", "get"),
        ("/api/v1/sessions/", "post"),
        ("/api/v1/checkin/", "post"),
    ]:
        assert {} not in paths[path][method]["security"], path
    assert {"deviceToken": []} in paths["/api/v1/checkin/"]["post"]["security"]


def test_page_size_is_declared_with_the_bounds_the_api_keeps(openapi):
    [page_size] = [
        parameter
        for parameter in openapi["paths"]["/api/v1/events/"]["get"]["parameters"]
        if parameter["name"] == "page_size"
    ]

    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}


@pytest.mark.parametrize("page_size", ["0", "-3", "1.47", "201", "²", "dix"])
def test_a_page_size_outside_1_to_200_is_refused_naming_the_parameter(anonymous, page_size):
    response = anonymous.get(f"/api/v1/events/?page_size={page_size}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {"page_size": [PAGE_SIZE]}


def test_a_page_size_within_bounds_gives_pages_of_that_size(anonymous):
    for _number in range(3):
        SessionFactory()

    response = anonymous.get("/api/v1/sessions/?page_size=2")

    assert response.status_code == 200
    assert (response.json()["count"], len(response.json()["results"])) == (3, 2)


def test_a_plus_one_comes_back_without_an_email_rather_than_an_empty_one(client_for):
    ticket = TicketTypeFactory()
    guest = RegistrationFactory(ticket_type=ticket, email="guest@example.org")
    RegistrationFactory(ticket_type=ticket, email="", companion_of=guest, first_name="Lou")
    organiser = client_for(ticket.event.organisation)

    response = organiser.get("/api/v1/registrations/")

    emails = {
        row["first_name"] + str(row["companion_of"]): row["email"]
        for row in response.json()["results"]
    }
    assert emails == {"CamilleNone": "guest@example.org", f"Lou{guest.pk}": None}


@pytest.mark.parametrize("value", ["yes", 1, 0, "true", "on", None])
def test_a_boolean_in_a_registration_is_true_or_false_and_nothing_else(client_for, value):
    ticket = TicketTypeFactory(capacity=10)
    organiser = client_for(ticket.event.organisation)

    response = organiser.post(
        "/api/v1/registrations/",
        {
            "event": ticket.event.slug,
            "ticket_type": ticket.pk,
            "first_name": "Camille",
            "last_name": "Durand",
            "email": "camille@example.org",
            "consent_photos": value,
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["consent_photos"]


def test_a_speakers_photo_consent_given_as_1_is_refused(client_for):
    organiser = client_for(MembershipFactory(role=Membership.Role.ORGANISER).organisation)

    response = organiser.post(
        "/api/v1/speakers/",
        {"name": "Jean-Luc Durand", "photo_consent": 1},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {"photo_consent": [BOOLEAN]}
    assert not Speaker.objects.exists()


@pytest.mark.parametrize("parameter", ["day", "event", "track"])
def test_a_filter_given_without_a_value_is_refused_naming_it(anonymous, parameter):
    response = anonymous.get(f"/api/v1/sessions/?{parameter}=", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {parameter: ["Give a value, or leave this parameter out."]}
