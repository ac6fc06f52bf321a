"""A scanner device changed in the back office: renamed or given another default checkpoint of
its event, through the service that records it in the trail; another event's checkpoint is
refused on the form, nothing saved."""

import pytest
from django.test import Client
from django.urls import reverse

from audit import services as audit
from checkin import services as checkin
from checkin.models import ScannerDevice
from organisations.models import Membership
from tests.events.admin_forms import admin_form_data
from tests.factories import EventFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def device():
    device, _token = checkin.create_scanner_device(event=EventFactory(), name="Entrée nord")
    return device


@pytest.fixture
def owner_client(device):
    owner = MembershipFactory(
        organisation=device.event.organisation, role=Membership.Role.OWNER, user__is_staff=True
    ).user
    client = Client()
    client.force_login(owner)
    return client


def post_change(client, device, **changes):
    url = reverse("admin:checkin_scannerdevice_change", args=[device.pk])
    data = admin_form_data(client.get(url))
    return client.post(url, {**data, **changes}, HTTP_ACCEPT_LANGUAGE="fr")


def test_renaming_a_device_is_recorded_from_before_to_after(owner_client, device):
    entrance = checkin.entrance_checkpoint(device.event)

    response = post_change(owner_client, device, name="Accueil", checkpoint=str(entrance.pk))

    assert response.status_code == 302
    device.refresh_from_db()
    assert (device.name, device.checkpoint) == ("Accueil", entrance)
    [entry] = audit.entries_for(device).filter(action="device.change")
    assert entry.changes == {
        "name": ["Entrée nord", "Accueil"],
        "checkpoint": [None, str(entrance)],
    }


def test_saving_a_device_unchanged_records_nothing(owner_client, device):
    assert post_change(owner_client, device).status_code == 302

    assert not audit.entries_for(device).filter(action="device.change").exists()


def test_another_events_checkpoint_is_refused_on_the_form(owner_client, device):
    other_event = EventFactory(organisation=device.event.organisation, slug="autre-colloque")
    elsewhere = checkin.entrance_checkpoint(other_event)

    response = post_change(owner_client, device, name="Accueil", checkpoint=str(elsewhere.pk))

    assert response.status_code == 200
    assert "Choisissez l’un des points de contrôle de cet événement." in response.content.decode()
    assert ScannerDevice.objects.get(pk=device.pk).name == "Entrée nord"
    assert not audit.entries_for(device).filter(action="device.change").exists()
