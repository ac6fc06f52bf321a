"""Organisers type and read every date and time of an event in that event's time zone, and
each form says which zone it is."""

import html
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from checkin.models import Checkpoint
from events.models import Event, Session
from registrations.models import TicketType
from tests.events.admin_forms import admin_form_data
from tests.factories import (
    EventFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    SessionFactory,
    TicketTypeFactory,
)
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

MARTINIQUE = ZoneInfo("America/Martinique")  # UTC-4, no summer time
REUNION = ZoneInfo("Indian/Reunion")  # UTC+4, no summer time
PARIS = ZoneInfo("Europe/Paris")


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Université des Antilles")


@pytest.fixture
def organiser(client, organisation):
    membership = MembershipFactory(organisation=organisation)
    membership.user.refresh_from_db()
    client.force_login(membership.user)
    return client


def _martinique_event(organisation, **kwargs):
    return EventFactory(
        organisation=organisation,
        slug="colloque-fort-de-france",
        title_fr="Colloque de Fort-de-France",
        time_zone="America/Martinique",
        start=datetime(2027, 5, 20, 8, 30, tzinfo=MARTINIQUE),
        end=datetime(2027, 5, 21, 18, 0, tzinfo=MARTINIQUE),
        **kwargs,
    )


def _reunion_event(organisation):
    return EventFactory(
        organisation=organisation,
        slug="assises-saint-denis",
        title_fr="Assises de Saint-Denis",
        time_zone="Indian/Reunion",
        start=datetime(2027, 5, 20, 8, 30, tzinfo=REUNION),
        end=datetime(2027, 5, 21, 18, 0, tzinfo=REUNION),
    )


def test_a_new_event_entered_in_martinique_at_0830_starts_at_0830_martinique_time(
    organiser, organisation
):
    add_url = reverse("admin:events_event_add")
    data = admin_form_data(organiser.get(add_url))
    data.update(
        {
            "organisation": str(organisation.pk),
            "title_fr": "Colloque de Fort-de-France",
            "slug": "colloque-fort-de-france",
            "time_zone": "America/Martinique",
            "start_0": "20/05/2027",
            "start_1": "08:30",
            "end_0": "21/05/2027",
            "end_1": "18:00",
        }
    )

    response = organiser.post(add_url, data)

    assert response.status_code == 302, _page(response)
    event = Event.objects.get(slug="colloque-fort-de-france")
    assert event.start == datetime(2027, 5, 20, 12, 30, tzinfo=UTC)
    assert event.end == datetime(2027, 5, 21, 22, 0, tzinfo=UTC)


def test_the_event_form_shows_its_dates_and_its_tickets_sale_window_in_its_zone(
    organiser, organisation
):
    event = _reunion_event(organisation)
    TicketTypeFactory(
        event=event,
        name_fr="Professionnels",
        sale_start=datetime(2027, 3, 1, 9, 0, tzinfo=REUNION),
        sale_end=datetime(2027, 5, 19, 23, 0, tzinfo=REUNION),
    )

    form = admin_form_data(organiser.get(_change_url(event)))
    page = _page(organiser.get(_change_url(event)))

    assert (form["start_0"], form["start_1"]) == ("20/05/2027", "08:30:00")
    assert (form["ticket_types-0-sale_start_0"], form["ticket_types-0-sale_start_1"]) == (
        "01/03/2027",
        "09:00:00",
    )
    assert (form["ticket_types-0-sale_end_0"], form["ticket_types-0-sale_end_1"]) == (
        "19/05/2027",
        "23:00:00",
    )
    # Start, end, the ticket's sale window, and the empty ticket form the page keeps to add one.
    assert page.count("Heure du fuseau Indian/Reunion.") == 6


def test_a_ticket_sale_window_typed_on_the_event_form_uses_the_zone_typed_with_it(
    organiser, organisation
):
    event = _martinique_event(organisation)
    data = admin_form_data(organiser.get(_change_url(event)))
    data.update(
        {
            "time_zone": "Indian/Reunion",
            "start_0": "20/05/2027",
            "start_1": "08:30",
            "ticket_types-TOTAL_FORMS": "1",
            "ticket_types-0-name_fr": "Étudiants",
            "ticket_types-0-category": "student",
            "ticket_types-0-price": "0",
            "ticket_types-0-currency": "EUR",
            "ticket_types-0-vat_rate": "0.00",
            "ticket_types-0-position": "0",
            "ticket_types-0-sale_start_0": "01/04/2027",
            "ticket_types-0-sale_start_1": "10:00",
        }
    )

    response = organiser.post(_change_url(event), data)

    assert response.status_code == 302, _page(response)
    event.refresh_from_db()
    assert event.start == datetime(2027, 5, 20, 4, 30, tzinfo=UTC)
    ticket = TicketType.objects.get(event=event)
    assert ticket.sale_start == datetime(2027, 4, 1, 6, 0, tzinfo=UTC)


def test_a_session_of_an_event_in_reunion_is_typed_in_reunion_time(organiser, organisation):
    event = _reunion_event(organisation)
    add_url = reverse("admin:events_session_add")
    empty_form = organiser.get(add_url)
    assert "Heure du fuseau horaire de l\u2019événement." in _page(empty_form)
    data = admin_form_data(empty_form)
    data.update(
        {
            "event": str(event.pk),
            "title_fr": "Ouverture",
            "type": "plenary",
            "start_0": "20/05/2027",
            "start_1": "09:00",
            "end_0": "20/05/2027",
            "end_1": "10:00",
        }
    )

    response = organiser.post(add_url, data)

    assert response.status_code == 302, _page(response)
    session = Session.objects.get(event=event)
    assert session.start == datetime(2027, 5, 20, 5, 0, tzinfo=UTC)
    page = _page(organiser.get(_change_url(session)))
    assert 'value="09:00:00"' in page
    assert "Heure du fuseau Indian/Reunion." in page


def test_a_checkpoint_of_an_event_in_martinique_opens_at_the_hour_typed_there(
    organiser, organisation
):
    event = _martinique_event(organisation)
    add_url = reverse("admin:checkin_checkpoint_add")
    data = admin_form_data(organiser.get(add_url))
    data.update(
        {
            "event": str(event.pk),
            "name_fr": "Entrée",
            "position": "0",
            "opens_at_0": "20/05/2027",
            "opens_at_1": "07:45",
            "closes_at_0": "21/05/2027",
            "closes_at_1": "19:00",
        }
    )

    response = organiser.post(add_url, data)

    assert response.status_code == 302, _page(response)
    checkpoint = Checkpoint.objects.get(event=event)
    assert checkpoint.opens_at == datetime(2027, 5, 20, 11, 45, tzinfo=UTC)
    assert checkpoint.closes_at == datetime(2027, 5, 21, 23, 0, tzinfo=UTC)


def test_an_invitation_deadline_is_shown_and_changed_in_the_events_zone(organiser, organisation):
    event = _martinique_event(organisation, access="invitation")
    invitation = InvitationFactory(
        event=event,
        ticket_type=TicketTypeFactory(event=event),
        deadline=datetime(2027, 5, 10, 18, 0, tzinfo=MARTINIQUE),
    )
    data = admin_form_data(organiser.get(_change_url(invitation)))
    assert (data["deadline_0"], data["deadline_1"]) == ("10/05/2027", "18:00:00")

    data.update({"deadline_0": "12/05/2027", "deadline_1": "12:00"})
    response = organiser.post(_change_url(invitation), data)

    assert response.status_code == 302, _page(response)
    invitation.refresh_from_db()
    assert invitation.deadline == datetime(2027, 5, 12, 16, 0, tzinfo=UTC)
    page = _page(organiser.get(reverse("admin:registrations_invitation_changelist")))
    assert "12/05/2027 12:00 (America/Martinique)" in page


def test_the_event_list_shows_each_event_in_its_own_zone(organiser, organisation):
    _martinique_event(organisation)
    _reunion_event(organisation)

    page = _page(organiser.get(reverse("admin:events_event_changelist")))

    assert "20/05/2027 08:30 (America/Martinique)" in page
    assert "20/05/2027 08:30 (Indian/Reunion)" in page


def test_the_session_list_shows_each_session_in_its_events_zone(organiser, organisation):
    SessionFactory(event=_martinique_event(organisation), title_fr="Ouverture en Martinique")
    SessionFactory(event=_reunion_event(organisation), title_fr="Ouverture à La Réunion")

    page = _page(organiser.get(reverse("admin:events_session_changelist")))

    assert "20/05/2027 09:00 (America/Martinique)" in page
    assert "20/05/2027 09:00 (Indian/Reunion)" in page


def _paris_session_form(organiser, organisation, day, hour):
    event = EventFactory(
        organisation=organisation,
        time_zone="Europe/Paris",
        start=datetime(2027, 3, 27, 9, 0, tzinfo=PARIS),
        end=datetime(2027, 11, 1, 18, 0, tzinfo=PARIS),
    )
    add_url = reverse("admin:events_session_add")
    data = admin_form_data(organiser.get(add_url))
    data.update(
        {
            "event": str(event.pk),
            "title_fr": "Veillée",
            "type": "plenary",
            "start_0": day,
            "start_1": hour,
            "end_0": day,
            "end_1": "05:00",
        }
    )
    return event, organiser.post(add_url, data)


def test_a_time_skipped_when_clocks_go_forward_in_paris_is_refused_with_a_clear_message(
    organiser, organisation
):
    event, response = _paris_session_form(organiser, organisation, "28/03/2027", "02:30")

    assert response.status_code == 200
    assert (
        "28/03/2027 02:30 n\u2019existe pas dans le fuseau Europe/Paris\u00a0: les horloges "
        "avancent à ce moment-là. Indiquez une heure avant ou après le changement d\u2019heure."
    ) in _page(response)
    assert not Session.objects.filter(event=event).exists()


def test_the_repeated_hour_when_clocks_go_back_in_paris_is_read_as_the_first_summer_time(
    organiser, organisation
):
    event, response = _paris_session_form(organiser, organisation, "31/10/2027", "02:30")

    assert response.status_code == 302, _page(response)
    session = Session.objects.get(event=event)
    assert session.start == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 +02:00


def test_a_waiting_list_offer_shows_its_expiry_in_the_events_zone(organiser, organisation):
    event = _reunion_event(organisation)
    registration = RegistrationFactory(
        ticket_type=TicketTypeFactory(event=event),
        status="offered",
        offer_expires_at=datetime(2027, 5, 12, 18, 0, tzinfo=REUNION),
    )

    page = _page(organiser.get(_change_url(registration)))

    assert "12 mai 2027 18:00" in page


def test_an_unknown_time_zone_on_the_event_form_is_refused_on_the_field(organiser, organisation):
    event = _martinique_event(organisation)
    data = admin_form_data(organiser.get(_change_url(event)))
    data.update({"time_zone": "Europe/Atlantide", "start_1": "07:00"})

    response = organiser.post(_change_url(event), data)

    assert response.status_code == 200
    assert "«\u00a0Europe/Atlantide\u00a0» n’est pas un fuseau horaire connu." in _page(response)
    event.refresh_from_db()
    assert event.start == datetime(2027, 5, 20, 12, 30, tzinfo=UTC)


def test_the_session_list_filters_by_day_in_each_events_zone(organiser, organisation):
    event = _martinique_event(organisation)
    SessionFactory(
        event=event,
        title_fr="Soirée de gala",
        start=datetime(2027, 5, 20, 21, 0, tzinfo=MARTINIQUE),  # 21 May 03:00 in Paris
        end=datetime(2027, 5, 20, 23, 0, tzinfo=MARTINIQUE),
    )
    session_list = reverse("admin:events_session_changelist")

    everything = _page(organiser.get(session_list))
    first_day = _page(organiser.get(session_list, {"day": "2027-05-20"}))

    assert "jeudi 20 mai 2027" in everything
    assert "vendredi 21 mai 2027" not in everything
    assert "Soirée de gala" in first_day


def test_a_malformed_day_in_the_session_list_is_not_a_server_error(organiser, organisation):
    SessionFactory(event=_martinique_event(organisation))

    response = organiser.get(reverse("admin:events_session_changelist"), {"day": "2027-13-45"})

    assert response.status_code == 302
    assert response.url.endswith("?e=1")
