"""A NUL byte in an address: PostgreSQL refuses it in a query parameter, which used to be a 500.
Secret links answer 404 without asking the database; query strings answer 400."""

import html

import pytest

from tests.factories import EventFactory, MembershipFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    [
        "/r/%00/",
        "/r/%00/badge.png",
        "/r/%00/calendar.ics",
        "/invitations/%00/",
        "/feeds/%00/calendar.ics",
        "/events/some-event/register/done/%00/",
    ],
)
def test_a_secret_link_with_a_nul_byte_is_not_found_without_a_query(
    client, django_assert_num_queries, address
):
    with django_assert_num_queries(0):
        response = client.get(address)

    assert response.status_code == 404


@pytest.mark.django_db
def test_an_api_event_address_with_a_nul_byte_is_a_json_404(client):
    EventFactory(slug="colloque")

    response = client.get("/api/v1/events/%00/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Non trouvé."}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["email=%00", "q=%00", "q=Dupont%00", "status=%00", "%00=1", "o=%00"],
)
def test_an_organiser_filtering_the_registrations_with_a_nul_byte_is_told_the_address_is_wrong(
    client, query
):
    organiser = MembershipFactory().user
    organiser.is_superuser = True
    organiser.save()
    client.force_login(organiser)

    response = client.get(f"/admin/registrations/registration/?{query}")

    assert response.status_code == 400
    assert "L’adresse contient un caractère interdit (NUL)." in html.unescape(
        response.content.decode()
    )


@pytest.mark.django_db
def test_an_api_client_sending_a_nul_byte_in_a_parameter_gets_json_naming_the_problem(client):
    response = client.get("/api/v1/events/?search=%00", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The address contains a character that is not allowed (NUL)."
    }
