"""`POST /api/v1/checkin/<id>/annul/` and `/override/`: the door staff correct a scan from the
scanner (a device, or a member with their login), within their event or organisation."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.context import ActorKind, Channel
from audit.models import AuditEntry
from checkin import services as checkin
from checkin.models import CheckIn
from organisations.models import Membership
from registrations.models import Registration
from tests.factories import EventFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

SCAN = "/api/v1/checkin/"


def annul_url(pk):
    return f"/api/v1/checkin/{pk}/annul/"


def override_url(pk):
    return f"/api/v1/checkin/{pk}/override/"


def event_under_way():
    now = timezone.now()
    return EventFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=8))


@pytest.fixture
def event():
    return event_under_way()


@pytest.fixture
def attendee(event):
    ticket = TicketTypeFactory(event=event, category="academic")
    return RegistrationFactory(
        ticket_type=ticket, first_name="Alessia", last_name="Lefébure", organisation="EN3S"
    )


def device_client(event, name="Entrée nord"):
    device, token = checkin.create_scanner_device(event=event, name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    client.device = device
    return client


@pytest.fixture
def gate(event):
    return device_client(event)


def scan(client, registration):
    body = {
        "token": registration.badge_token,
        "nonce": uuid.uuid4().hex,
        "checkpoint": checkin.entrance_checkpoint(registration.event).pk,
    }
    response = client.post(SCAN, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.json()


def post(client, url, body=None):
    return client.post(url, body or {}, format="json", HTTP_ACCEPT_LANGUAGE="en")


def unpaid(registration):
    registration.status = Registration.Status.PENDING_PAYMENT
    registration.save()
    return registration


def test_the_answer_to_a_scan_carries_the_scans_id(gate, attendee):
    answer = scan(gate, attendee)

    assert answer["checkin"] == CheckIn.objects.get().pk


def test_a_device_annuls_an_admission_and_the_next_scan_admits(gate, attendee):
    mistake = scan(gate, attendee)

    response = post(gate, annul_url(mistake["checkin"]), {"reason": "Badge de sa collègue"})

    assert response.status_code == 200
    body = response.json()
    assert body["checkin"] == mistake["checkin"]
    assert body["message"] == "Admission annulled"
    assert body["annulled_by"] == "Entrée nord"
    assert body["reason"] == "Badge de sa collègue"
    assert body["attendee"]["name"] == "Alessia Lefébure"
    assert body["annulled_at"]
    assert scan(gate, attendee)["result"] == "ok"
    entry = AuditEntry.objects.get(action="checkin.annul")
    assert (entry.actor_kind, entry.actor_label, entry.channel) == (
        ActorKind.DEVICE,
        "Entrée nord",
        Channel.API,
    )


def test_annulling_without_a_reason_or_a_body(gate, attendee):
    mistake = scan(gate, attendee)

    response = gate.post(annul_url(mistake["checkin"]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.json()["reason"] == ""


def test_annulling_twice_or_a_refusal_answers_400_naming_no_field(gate, attendee):
    mistake = scan(gate, attendee)
    post(gate, annul_url(mistake["checkin"]))

    twice = post(gate, annul_url(mistake["checkin"]))
    attendee.status = Registration.Status.CANCELLED
    attendee.save()
    refusal = post(gate, annul_url(scan(gate, attendee)["checkin"]))

    assert twice.status_code == 400
    assert "already annulled" in twice.json()["non_field_errors"][0]
    assert refusal.status_code == 400
    assert refusal.json() == {
        "non_field_errors": ["Only an admission can be annulled: this scan let nobody in."]
    }
    assert AuditEntry.objects.filter(action="checkin.annul").count() == 1


@pytest.mark.parametrize("role", ["door_staff", "organiser", "owner"])
def test_members_override_a_refusal_with_their_login(client_for, event, attendee, role):
    staff = client_for(event.organisation, role=Membership.Role(role))
    refused = scan(staff, unpaid(attendee))
    assert refused["result"] == "not_paid"

    response = post(staff, override_url(refused["checkin"]), {"reason": "Bon de commande reçu"})

    assert response.status_code == 200
    body = response.json()
    assert body["result"] == "ok"
    assert body["message"] == "Welcome"
    assert body["replayed"] is False
    assert body["checkin"] != refused["checkin"]
    assert body["attendee"]["registration"] == attendee.pk
    assert body["first_checked_in"] is None
    admission = CheckIn.objects.get(pk=body["checkin"])
    assert admission.overrides_id == refused["checkin"]
    assert admission.user == staff.user
    entry = AuditEntry.objects.get(action="checkin.override")
    assert (entry.actor_kind, entry.actor_user, entry.channel) == (
        ActorKind.USER,
        staff.user,
        Channel.API,
    )
    assert entry.changes["reason"] == ["", "Bon de commande reçu"]


def test_overriding_twice_answers_the_first_override(gate, attendee):
    refused = scan(gate, unpaid(attendee))
    first = post(gate, override_url(refused["checkin"]), {"reason": "Bon de commande"}).json()

    again = post(gate, override_url(refused["checkin"]), {"reason": "Bon de commande"})

    assert again.status_code == 200
    assert again.json()["checkin"] == first["checkin"]
    assert again.json()["replayed"] is True
    assert CheckIn.objects.filter(overrides_id=refused["checkin"]).count() == 1


def test_a_repeat_overridden_is_told_of_the_first_entry(gate, attendee):
    scan(gate, attendee)
    repeat = scan(gate, attendee)
    assert repeat["result"] == "already_checked_in"

    body = post(gate, override_url(repeat["checkin"]), {"reason": "Ressort chercher sa veste"})

    assert body.json()["result"] == "ok"
    assert body.json()["first_checked_in"]["gate"] == "Entrée nord"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "a\nb"}])
def test_an_override_without_a_one_line_reason_answers_400_naming_reason(gate, attendee, body):
    refused = scan(gate, unpaid(attendee))

    response = post(gate, override_url(refused["checkin"]), body)

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert not CheckIn.objects.filter(overrides_id=refused["checkin"]).exists()


def test_a_too_long_reason_answers_400_naming_reason(gate, attendee):
    mistake = scan(gate, attendee)

    response = post(gate, annul_url(mistake["checkin"]), {"reason": "x" * 301})

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


def test_a_cancelled_registration_is_not_admitted_anyway(gate, attendee):
    attendee.status = Registration.Status.CANCELLED
    attendee.save()
    refused = scan(gate, attendee)

    response = post(gate, override_url(refused["checkin"]), {"reason": "On le connaît"})

    assert response.status_code == 400
    assert "reinstate" in response.json()["non_field_errors"][0]


def test_another_events_device_gets_404(event, gate, attendee):
    mistake = scan(gate, attendee)
    other = device_client(event_under_way(), name="Ailleurs")

    assert post(other, annul_url(mistake["checkin"])).status_code == 404
    assert post(other, override_url(mistake["checkin"]), {"reason": "x"}).status_code == 404
    assert CheckIn.objects.get(pk=mistake["checkin"]).annulled_at is None


def test_a_member_of_another_organisation_gets_404(client_for, gate, attendee):
    mistake = scan(gate, attendee)
    stranger = client_for(EventFactory().organisation, role=Membership.Role.OWNER)

    response = post(stranger, annul_url(mistake["checkin"]))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not AuditEntry.objects.filter(action="checkin.annul").exists()


@pytest.mark.parametrize("pk", ["0", "999999", "9" * 18])
def test_no_such_scan_is_404(gate, pk):
    assert post(gate, annul_url(pk)).status_code == 404


def test_an_anonymous_caller_is_refused(attendee, gate):
    mistake = scan(gate, attendee)

    response = post(APIClient(), annul_url(mistake["checkin"]))

    assert response.status_code in (401, 403)
    assert CheckIn.objects.get(pk=mistake["checkin"]).annulled_at is None


def test_the_answers_are_in_french_by_default(gate, attendee):
    refused = scan(gate, unpaid(attendee))

    response = gate.post(override_url(refused["checkin"]), {}, format="json")

    assert response.status_code == 400
    assert response.json()["reason"] == ["Ce champ est obligatoire."]
    mistake = scan(gate, RegistrationFactory(ticket_type=attendee.ticket_type))
    annulled = gate.post(annul_url(mistake["checkin"]), {}, format="json")
    assert annulled.json()["message"] == "Entrée annulée"


def test_a_correction_costs_a_fixed_number_of_queries(
    gate, attendee, django_assert_max_num_queries
):
    mistake = scan(gate, attendee)
    with django_assert_max_num_queries(12):
        post(gate, annul_url(mistake["checkin"]))
