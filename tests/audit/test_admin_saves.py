"""The models without a service of their own (venues, rooms, tracks, ticket types,
checkpoints) write the trail from the back office's saves and deletions: one entry each, by
the organiser, through the back office, with the fields that changed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from events.models import Room
from tests.events.admin_forms import admin_form_data
from tests.factories import EventFactory, MembershipFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client):
    event = EventFactory()
    user = MembershipFactory(organisation=event.organisation).user
    client.force_login(user)
    return user, event


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


def test_changing_a_ticket_types_price_in_the_back_office_is_recorded(client, organiser):
    user, event = organiser
    ticket = TicketTypeFactory(event=event, price=Decimal("80.00"))
    url = reverse("admin:registrations_tickettype_change", args=[ticket.pk])
    data = admin_form_data(client.get(url))
    data["price"] = "95.00"

    answer = client.post(url, data)

    assert answer.status_code == 302
    [entry] = entries("ticket_type.change")
    assert (entry.actor_user, entry.channel, entry.event) == (user, "back_office", event)
    assert entry.changes["price"] == ["80.00", "95.00"]


def test_a_room_added_then_deleted_on_the_events_page_is_recorded_twice(client, organiser):
    user, event = organiser
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(client.get(url))
    data.update(
        {
            "rooms-TOTAL_FORMS": str(int(data["rooms-TOTAL_FORMS"]) + 1),
            f"rooms-{data['rooms-TOTAL_FORMS']}-name_fr": "Amphithéâtre Marc Bloch",
            f"rooms-{data['rooms-TOTAL_FORMS']}-name_en": "Marc Bloch lecture hall",
            f"rooms-{data['rooms-TOTAL_FORMS']}-position": "0",
        }
    )

    added = client.post(url, data)

    assert added.status_code == 302, [
        formset.formset.errors for formset in added.context["inline_admin_formsets"]
    ]
    room = Room.objects.get(name_fr="Amphithéâtre Marc Bloch")
    [created] = entries("room.create")
    assert (created.actor_user, created.channel, created.object_id) == (
        user,
        "back_office",
        str(room.pk),
    )

    data = admin_form_data(client.get(url))
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("rooms-") and key.endswith("-id") and value == str(room.pk)
    )
    data[f"rooms-{index}-DELETE"] = "on"
    deleted = client.post(url, data)

    assert deleted.status_code == 302
    assert not Room.objects.filter(pk=room.pk).exists()
    [removed] = entries("room.delete")
    assert (removed.object_id, removed.object_repr) == (str(room.pk), str(room))


def test_another_organisations_organiser_sees_none_of_these_entries(client, organiser):
    _user, event = organiser
    ticket = TicketTypeFactory(event=event)
    url = reverse("admin:registrations_tickettype_change", args=[ticket.pk])
    data = admin_form_data(client.get(url))
    data["price"] = "12.00"
    client.post(url, data)
    stranger = MembershipFactory(role="owner").user
    client.force_login(stranger)

    page = client.get(reverse("admin:audit_auditentry_changelist"))

    assert entries("ticket_type.change")
    assert list(page.context["cl"].result_list) == []
