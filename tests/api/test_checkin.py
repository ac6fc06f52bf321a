"""`POST /api/v1/checkin/`: what a scanner at the door is told, and what is recorded."""

import json
import uuid
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone, translation
from rest_framework.test import APIClient

from api.serializers.checkin import CheckInResultSerializer, check_in_result
from checkin import services as checkin
from checkin.models import CheckIn, Checkpoint, ScannerDevice
from organisations.models import Membership
from payments.models import Payment
from registrations.models import Registration, SessionSignup
from tests.checkin.checkin_factories import CheckInFactory
from tests.factories import EventFactory, SessionFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/checkin/"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def event_under_way(**kwargs):
    now = timezone.now()
    return EventFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=8), **kwargs)


@pytest.fixture
def event():
    return event_under_way()


@pytest.fixture
def attendee(event):
    ticket = TicketTypeFactory(
        event=event, category="academic", name_fr="Universitaire", name_en="Academic"
    )
    return RegistrationFactory(
        ticket_type=ticket, first_name="Alessia", last_name="Lefébure", organisation="EN3S"
    )


def device_client(event, name="Entrée nord", **kwargs):
    device, token = checkin.create_scanner_device(event=event, name=name, **kwargs)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    client.device = device
    client.token = token
    return client


@pytest.fixture
def gate(event):
    return device_client(event)


def scan(client, token, **extra):
    body = {"token": token, "nonce": uuid.uuid4().hex, **extra}
    return client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_first_scan_admits_with_name_and_category(gate, attendee):
    response = scan(gate, attendee.badge_token)

    assert response.status_code == 200
    body = response.json()
    assert body["result"] == "ok"
    assert body["message"] == "Welcome"
    assert body["attendee"] == {
        "registration": attendee.pk,
        "name": "Alessia Lefébure",
        "organisation": "EN3S",
        "category": "academic",
        "category_label": "academic",
        "ticket_type": "Academic",
    }
    assert body["first_checked_in"] is None
    assert body["checkpoint"]["name"] == "Entrance"
    record = CheckIn.objects.get()
    assert (record.result, record.gate, record.is_first_entry) == ("ok", "Entrée nord", True)
    assert record.device == gate.device


def test_second_scan_says_already_checked_in_with_first_time_and_gate(event, gate, attendee):
    first = scan(gate, attendee.badge_token).json()
    other_gate = device_client(event, name="Entrée sud")

    body = scan(other_gate, attendee.badge_token).json()

    assert body["result"] == "already_checked_in"
    assert body["message"] == "Already checked in"
    assert body["first_checked_in"]["at"] == first["scanned_at"]
    assert body["first_checked_in"]["gate"] == "Entrée nord"
    assert body["attendee"]["name"] == "Alessia Lefébure"


def test_reentry_checkpoint_admits_again_and_shows_the_first_arrival(event, attendee):
    entrance = checkin.entrance_checkpoint(event)
    entrance.allows_reentry = True
    entrance.save()
    gate = device_client(event)
    scan(gate, attendee.badge_token)

    body = scan(gate, attendee.badge_token).json()

    assert body["result"] == "ok"
    assert body["first_checked_in"]["gate"] == "Entrée nord"
    assert CheckIn.objects.filter(is_first_entry=True).count() == 1


def test_unknown_badge(gate):
    body = scan(gate, "not-a-badge-of-anyone-000").json()

    assert body["result"] == "unknown"
    assert body["attendee"] is None
    assert CheckIn.objects.get().registration is None


def test_reissued_badge_old_token_is_unknown(gate, attendee):
    old = attendee.badge_token
    attendee.badge_token = "rotated-token-for-the-test"
    attendee.save(update_fields=["badge_token"])

    assert scan(gate, old).json()["result"] == "unknown"
    assert scan(gate, "rotated-token-for-the-test").json()["result"] == "ok"


def test_cancelled_registration(gate, attendee):
    attendee.status = Registration.Status.CANCELLED
    attendee.save()

    body = scan(gate, attendee.badge_token).json()

    assert body["result"] == "cancelled"
    assert body["message"] == "Registration cancelled"
    assert body["attendee"]["name"] == "Alessia Lefébure"


def test_waiting_list_is_not_valid(gate, attendee):
    attendee.status = Registration.Status.WAITLISTED
    attendee.save()

    body = scan(gate, attendee.badge_token).json()

    assert (body["result"], body["reason"]) == ("not_valid_now", "no_seat")
    assert body["message"] == "No seat: on the waiting list."


def test_card_payment_pending_is_not_paid(gate, attendee):
    attendee.status = Registration.Status.PENDING_PAYMENT
    attendee.save()

    assert scan(gate, attendee.badge_token).json()["result"] == "not_paid"


def test_unpaid_invoice_is_admitted_unless_the_checkpoint_refuses(event, attendee):
    attendee.status = Registration.Status.PENDING_PAYMENT
    attendee.save()
    Payment.objects.create(registration=attendee, method="invoice", amount=80, currency="EUR")
    entrance = checkin.entrance_checkpoint(event)

    assert scan(device_client(event), attendee.badge_token).json()["result"] == "ok"

    entrance.admits_unpaid_invoices = False
    entrance.save()
    CheckIn.objects.all().delete()
    assert scan(device_client(event), attendee.badge_token).json()["result"] == "not_paid"


def test_badge_of_another_event(gate):
    elsewhere = RegistrationFactory(ticket_type=TicketTypeFactory(event=event_under_way()))

    body = scan(gate, elsewhere.badge_token).json()

    assert body["result"] == "wrong_event"
    assert body["attendee"] is None  # nothing about another event's guest
    assert CheckIn.objects.get().registration is None


def test_not_valid_before_the_checkpoint_opens_or_after_it_closes(attendee):
    event = attendee.event
    entrance = checkin.entrance_checkpoint(event)
    entrance.opens_at = timezone.now() + timedelta(minutes=30)
    entrance.save()
    gate = device_client(event)

    body = scan(gate, attendee.badge_token).json()
    assert (body["result"], body["reason"]) == ("not_valid_now", "not_open_yet")

    entrance.opens_at = timezone.now() - timedelta(hours=2)
    entrance.closes_at = timezone.now() - timedelta(minutes=1)
    entrance.save()
    body = scan(gate, attendee.badge_token).json()
    assert (body["result"], body["reason"]) == ("not_valid_now", "closed")


def test_workshop_list_admits_only_those_signed_up(event, attendee):
    workshop = SessionFactory(
        event=event,
        start=timezone.now() + timedelta(minutes=20),
        end=timezone.now() + timedelta(hours=2),
        requires_signup=True,
        capacity=20,
    )
    checkpoint = Checkpoint.objects.create(event=event, name_fr="Atelier", session=workshop)
    gate = device_client(event, checkpoint=checkpoint)
    stranger = RegistrationFactory(ticket_type=attendee.ticket_type)
    SessionSignup.objects.create(registration=attendee, session=workshop)

    assert scan(gate, attendee.badge_token).json()["result"] == "ok"
    body = scan(gate, stranger.badge_token).json()
    assert (body["result"], body["reason"]) == ("not_valid_now", "not_signed_up")


def test_same_nonce_gives_the_same_answer_and_one_record(gate, attendee):
    nonce = uuid.uuid4().hex
    first = scan(gate, attendee.badge_token, nonce=nonce).json()

    again = scan(gate, attendee.badge_token, nonce=nonce).json()

    assert again["result"] == first["result"] == "ok"
    assert again["checkin"] == first["checkin"]
    assert again["replayed"] is True
    assert first["replayed"] is False
    assert CheckIn.objects.count() == 1


def test_replayed_repeat_keeps_its_first_scan_details(event, gate, attendee):
    scan(gate, attendee.badge_token)
    nonce = uuid.uuid4().hex
    repeat = scan(gate, attendee.badge_token, nonce=nonce).json()

    again = scan(gate, attendee.badge_token, nonce=nonce).json()

    assert again["result"] == "already_checked_in"
    assert again["first_checked_in"] == repeat["first_checked_in"]
    assert CheckIn.objects.count() == 2


def test_offline_upload_is_recorded_with_the_device_time(gate, attendee):
    scanned_at = timezone.now() - timedelta(minutes=12)

    body = scan(
        gate,
        attendee.badge_token,
        offline=True,
        scanned_at=scanned_at.isoformat(),
        client_result="ok",
    ).json()

    assert body["result"] == "ok"
    assert body["offline"] is True
    record = CheckIn.objects.get()
    assert record.is_offline
    assert record.client_result == "ok"
    assert record.scanned_at == scanned_at


def test_badge_admitted_offline_on_two_devices_is_a_conflict(event, attendee):
    north, south = device_client(event, "Nord"), device_client(event, "Sud")
    at = (timezone.now() - timedelta(minutes=5)).isoformat()

    first = scan(north, attendee.badge_token, offline=True, scanned_at=at, client_result="ok")
    second = scan(south, attendee.badge_token, offline=True, scanned_at=at, client_result="ok")

    assert first.json()["result"] == "ok"
    assert second.json()["result"] == "already_checked_in"
    conflicts = [record for record in CheckIn.objects.all() if record.is_conflict]
    assert [record.gate for record in conflicts] == ["Sud"]


def test_exit_scans_only_where_the_checkpoint_records_them(event, gate, attendee):
    response = scan(gate, attendee.badge_token, direction="exit")
    assert response.status_code == 400
    assert response.json() == {"direction": ["This checkpoint does not record exits."]}

    entrance = checkin.entrance_checkpoint(event)
    entrance.records_exits = True
    entrance.save()
    assert scan(gate, attendee.badge_token).json()["result"] == "ok"
    assert scan(gate, attendee.badge_token, direction="exit").json()["result"] == "ok"


def test_answers_in_french_by_default(gate, attendee):
    body = gate.post(URL, {"token": attendee.badge_token, "nonce": "n-1"}, format="json").json()

    assert body["message"] == "Bienvenue"


# --- Who may scan ---------------------------------------------------------------------------


def test_revoked_device_is_refused(gate, attendee):
    checkin.revoke_scanner_device(device=gate.device)

    response = scan(gate, attendee.badge_token)

    assert response.status_code == 401
    assert response.json() == {"detail": "This device has been revoked."}
    assert CheckIn.objects.count() == 0


def test_wrong_device_token_and_no_credentials_are_refused(attendee):
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Device " + "x" * 43)

    assert scan(forged, attendee.badge_token).status_code == 401
    assert scan(APIClient(), attendee.badge_token).status_code == 401
    assert CheckIn.objects.count() == 0


def test_device_cannot_scan_at_another_events_checkpoint(gate, attendee):
    elsewhere = checkin.entrance_checkpoint(event_under_way())

    response = scan(gate, attendee.badge_token, checkpoint=elsewhere.pk)

    assert response.status_code == 400
    assert response.json() == {"checkpoint": ["No such checkpoint at the events you may scan at."]}


@pytest.mark.parametrize("role", ["door_staff", "organiser", "owner"])
def test_members_scan_with_their_login(client_for, event, attendee, role):
    staff = client_for(event.organisation, role=role)
    entrance = checkin.entrance_checkpoint(event)

    body = scan(staff, attendee.badge_token, checkpoint=entrance.pk).json()

    assert body["result"] == "ok"
    record = CheckIn.objects.get()
    assert record.user == staff.user
    assert record.device is None
    assert record.gate == staff.user.username


def test_member_of_another_organisation_cannot_scan_here(client_for, event, attendee):
    outsider = client_for(EventFactory().organisation, role="door_staff")
    entrance = checkin.entrance_checkpoint(event)

    response = scan(outsider, attendee.badge_token, checkpoint=entrance.pk)

    assert response.status_code == 400
    assert CheckIn.objects.count() == 0


def test_user_of_no_organisation_is_forbidden(django_user_model, attendee):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user("visitor"))

    assert scan(client, attendee.badge_token).status_code == 403


def test_session_login_needs_the_csrf_token(event, attendee, django_user_model):
    user = django_user_model.objects.create_user("porte", password="correct horse battery")
    Membership.objects.create(organisation=event.organisation, user=user, role="door_staff")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    entrance = checkin.entrance_checkpoint(event)

    response = scan(client, attendee.badge_token, checkpoint=entrance.pk)

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# --- Bad input ------------------------------------------------------------------------------


def post_raw(client, body: bytes, content_type="application/json"):
    return client.post(URL, body, content_type=content_type, HTTP_ACCEPT_LANGUAGE="en")


def test_empty_body_names_the_missing_fields(gate):
    response = post_raw(gate, b"")

    assert response.status_code == 400
    assert response.json() == {
        "nonce": ["This field is required."],
    }


def test_empty_object_names_the_missing_fields(gate):
    response = post_raw(gate, b"{}")

    assert response.status_code == 400
    assert response.json() == {"nonce": ["This field is required."]}


def test_neither_token_nor_registration(gate):
    response = post_raw(gate, json.dumps({"nonce": "n"}).encode())

    assert response.status_code == 400
    assert response.json() == {"token": ["Send either the badge's token or a registration's id."]}


def test_ten_kilobytes_token_is_refused_clearly(gate):
    response = post_raw(gate, json.dumps({"token": "A" * 10_240, "nonce": "n"}).encode())

    assert response.status_code == 400
    assert response.json() == {"token": ["Ensure this field has no more than 64 characters."]}
    assert CheckIn.objects.count() == 0


def test_non_utf8_body_is_refused_clearly(gate):
    response = post_raw(gate, b'{"token": "\xff\xfe", "nonce": "n"}')

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[]", "Invalid data. Expected a dictionary, but got list."),
        (b'"token"', "Invalid data. Expected a dictionary, but got str."),
        (b"42", "Invalid data. Expected a dictionary, but got int."),
        (b"null", "No data provided"),
    ],
    ids=["list", "string", "number", "null"],
)
def test_json_of_the_wrong_shape(gate, body, message):
    response = post_raw(gate, body)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [message]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nonce", "x" * 65, "Ensure this field has no more than 64 characters."),
        ("token", 12, None),
        ("registration", "abc", "A valid integer is required."),
        ("checkpoint", -3, "Ensure this value is greater than or equal to 1."),
        ("direction", "sideways", '"sideways" is not a valid choice.'),
        ("scanned_at", "yesterday", None),
        ("client_result", "maybe", '"maybe" is not a valid choice.'),
        ("offline", "perhaps", "Must be a valid boolean."),
    ],
)
def test_wrong_field_values_are_named(gate, attendee, field, value, message):
    body = {"token": attendee.badge_token, "nonce": "n-bad", field: value}
    if field == "registration":
        del body["token"]

    response = post_raw(gate, json.dumps(body).encode())

    if field == "token":  # a number is not a badge: read as text, unknown
        assert response.status_code == 200
        assert response.json()["result"] == "unknown"
        return
    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message:
        assert response.json()[field] == [message]
    assert CheckIn.objects.count() == 0


def test_offline_scan_time_in_the_future_is_refused(gate, attendee):
    later = (timezone.now() + timedelta(hours=1)).isoformat()

    response = scan(gate, attendee.badge_token, offline=True, scanned_at=later)

    assert response.status_code == 400
    assert response.json() == {"scanned_at": ["The scan time is in the future."]}


def test_form_encoded_body_is_refused(gate, attendee):
    response = gate.post(URL, {"token": attendee.badge_token, "nonce": "n"})

    assert response.status_code == 415


# --- Query counts ---------------------------------------------------------------------------


def test_a_usual_scan_costs_two_queries(attendee, django_assert_num_queries):
    checkin.entrance_checkpoint(attendee.event)
    gate = device_client(attendee.event)
    scan(gate, attendee.badge_token)  # the device is now cached and "seen"
    other = RegistrationFactory(ticket_type=attendee.ticket_type)

    # The badge with its first entry here; the insert. The device comes from the cache. Each
    # its own transaction: no BEGIN, no COMMIT, no lock.
    with django_assert_num_queries(2):
        assert scan(gate, other.badge_token).json()["result"] == "ok"
    # A repeat: tried as a first entry, refused by the constraint, its first entry read, the
    # repeat recorded.
    with django_assert_num_queries(4):
        assert scan(gate, other.badge_token).json()["result"] == "already_checked_in"


# --- A device read from the cache: any change applies from its next scan --------------------


def test_a_device_revoked_after_scanning_is_refused_at_its_next_scan(gate, attendee):
    other = RegistrationFactory(ticket_type=attendee.ticket_type)
    assert scan(gate, attendee.badge_token).json()["result"] == "ok"

    checkin.revoke_scanner_device(device=ScannerDevice.objects.get(pk=gate.device.pk))
    response = scan(gate, other.badge_token)

    assert response.status_code == 401
    assert response.json() == {"detail": "This device has been revoked."}
    assert CheckIn.objects.count() == 1


def test_a_device_read_just_before_its_revocation_is_not_cached_after_it(gate, attendee):
    """A worker reads the device from the database, the device is revoked, then the worker
    stores what it read: the next scan must still find the device revoked."""
    key = checkin.device_cache_key(checkin.token_digest(gate.token))
    stale = ScannerDevice.objects.get(pk=gate.device.pk)
    cache.delete(key)

    checkin.revoke_scanner_device(device=ScannerDevice.objects.get(pk=gate.device.pk))
    cache.add(key, stale, checkin.DEVICE_CACHED_FOR)  # the late worker

    assert scan(gate, attendee.badge_token).status_code == 401


def test_a_renamed_device_records_its_new_gate_name_from_its_next_scan(gate, attendee):
    other = RegistrationFactory(ticket_type=attendee.ticket_type)
    scan(gate, attendee.badge_token)

    device = ScannerDevice.objects.get(pk=gate.device.pk)
    device.name = "Entrée sud"
    device.save()
    scan(gate, other.badge_token)

    assert list(CheckIn.objects.order_by("pk").values_list("gate", flat=True)) == [
        "Entrée nord",
        "Entrée sud",
    ]


def test_a_device_given_another_checkpoint_scans_there_from_its_next_scan(event, gate, attendee):
    workshop = Checkpoint.objects.create(
        event=event, session=SessionFactory(event=event), name_fr="Atelier", name_en="Workshop"
    )
    assert scan(gate, attendee.badge_token).json()["checkpoint"]["name"] == "Entrance"

    device = ScannerDevice.objects.get(pk=gate.device.pk)
    device.checkpoint = workshop
    device.save()

    assert scan(gate, attendee.badge_token).json()["checkpoint"]["name"] == "Workshop"


def test_an_entrance_closed_early_refuses_the_next_scan(event, gate, attendee):
    other = RegistrationFactory(ticket_type=attendee.ticket_type)
    assert scan(gate, attendee.badge_token).json()["result"] == "ok"

    entrance = checkin.entrance_checkpoint(event)
    entrance.closes_at = timezone.now() - timedelta(minutes=1)
    entrance.save()
    body = scan(gate, other.badge_token).json()

    assert (body["result"], body["reason"]) == ("not_valid_now", "closed")


def test_a_device_is_heard_from_once_a_minute_whatever_the_scans(gate, attendee):
    other = RegistrationFactory(ticket_type=attendee.ticket_type)
    scan(gate, attendee.badge_token)
    seen = ScannerDevice.objects.get(pk=gate.device.pk).last_seen_at

    scan(gate, other.badge_token)

    assert seen is not None
    assert ScannerDevice.objects.get(pk=gate.device.pk).last_seen_at == seen


# --- One pipeline: every body a scanner may send is judged by the request serializer --------


def test_a_devices_usual_scan_is_answered_as_a_scan_with_its_defaults_spelled_out(gate, attendee):
    twin = RegistrationFactory(
        ticket_type=attendee.ticket_type,
        first_name="Alessia",
        last_name="Lefébure",
        organisation="EN3S",
    )
    usual = scan(gate, attendee.badge_token, nonce="nonce-1")
    spelled_out = scan(gate, twin.badge_token, nonce="nonce-2", direction="entry", offline=False)

    assert usual.status_code == spelled_out.status_code == 200
    ignored = {"Content-Length"}
    assert {k: v for k, v in usual.headers.items() if k not in ignored} == {
        k: v for k, v in spelled_out.headers.items() if k not in ignored
    }
    for response in (usual, spelled_out):  # rendered alike: compact, accents as they are
        body = response.json()
        assert (
            response.content == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        )
    particular = {"checkin", "nonce", "scanned_at", "attendee"}
    assert {k: v for k, v in usual.json().items() if k not in particular} == {
        k: v for k, v in spelled_out.json().items() if k not in particular
    }
    assert usual.json()["attendee"] == {
        **spelled_out.json()["attendee"],
        "registration": attendee.pk,
    }


def test_a_client_asking_for_indented_json_gets_it(gate, attendee):
    body = {"token": attendee.badge_token, "nonce": "n-indent"}

    response = gate.post(URL, body, format="json", HTTP_ACCEPT="application/json; indent=2")

    assert response.status_code == 200
    assert b'\n  "result": "ok"' in response.content


ANSWER_KEYS = [
    "result",
    "message",
    "reason",
    "checkin",
    "nonce",
    "direction",
    "scanned_at",
    "offline",
    "replayed",
    "checkpoint",
    "attendee",
    "first_checked_in",
]


@pytest.mark.parametrize(
    ("language", "messages"),
    [
        ("fr", ["Bienvenue", "Entrée déjà enregistrée", "Bienvenue", "Badge inconnu"]),
        ("en", ["Welcome", "Already checked in", "Welcome", "Unknown badge"]),
    ],
)
def test_every_kind_of_answer_has_the_documented_keys_in_the_language_asked(
    gate, attendee, language, messages
):
    def send(token, nonce=None):
        body = {"token": token, "nonce": nonce or uuid.uuid4().hex}
        return gate.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE=language).json()

    answers = [
        send(attendee.badge_token, "first"),
        send(attendee.badge_token),
        send(attendee.badge_token, "first"),
        send("nobody"),
    ]

    assert [list(answer) for answer in answers] == [ANSWER_KEYS] * 4
    assert [answer["message"] for answer in answers] == messages
    assert [answer["replayed"] for answer in answers] == [False, False, True, False]
    assert answers[1]["first_checked_in"]["checkpoint"] == answers[0]["checkpoint"]["name"]


@pytest.mark.parametrize(
    "body",
    [
        {"token": "Xa1-_b2" * 3, "nonce": uuid.UUID(int=7).hex},
        {"token": "t", "nonce": "n" * 64},
        {"nonce": "n", "token": "t" * 64},
    ],
)
def test_a_usual_scan_of_an_unknown_badge_is_answered_and_recorded(gate, body):
    response = post_raw(gate, json.dumps(body).encode())

    assert response.status_code == 200
    assert response.json()["result"] == "unknown"
    assert CheckIn.objects.get().nonce == body["nonce"]


@pytest.mark.parametrize(
    ("body", "status", "keys"),
    [
        ({"token": "t" * 65, "nonce": "n"}, 400, ["token"]),
        ({"token": "", "nonce": "n"}, 400, ["token"]),
        ({"token": " t", "nonce": "n"}, 200, ["unknown"]),
        ({"token": "t\n", "nonce": "n"}, 200, ["unknown"]),
        ({"token": "t\x00", "nonce": "n"}, 400, ["token"]),
        ({"token": "tété", "nonce": "n"}, 200, ["unknown"]),
        ({"token": "\ud800", "nonce": "n"}, 400, ["token"]),
        ({"token": 12, "nonce": "n"}, 200, ["unknown"]),
        ({"token": "t", "nonce": None}, 400, ["nonce"]),
        ({"token": "t", "nonce": "n", "direction": "exit"}, 400, ["direction"]),
        ({"token": "t"}, 400, ["nonce"]),
        (["token", "nonce"], 400, ["non_field_errors"]),
    ],
)
def test_any_other_body_is_answered_or_refused_field_by_field(gate, body, status, keys):
    response = post_raw(gate, json.dumps(body).encode())

    assert response.status_code == status
    if status == 200:
        assert [response.json()["result"]] == keys
    else:
        assert list(response.json()) == keys
        assert CheckIn.objects.count() == 0


# --- Checkpoints, offline bundle, devices ---------------------------------------------------


def test_device_lists_only_its_events_checkpoints(event, gate):
    event_under_way()  # another event of another organisation

    body = gate.get("/api/v1/checkin/checkpoints/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert [(item["name"], item["event"]["slug"]) for item in body] == [("Entrance", event.slug)]


def test_door_staff_lists_their_organisations_current_events(client_for, event):
    past = EventFactory(
        organisation=event.organisation,
        start=timezone.now() - timedelta(days=10),
        end=timezone.now() - timedelta(days=9),
    )
    staff = client_for(event.organisation, role="door_staff")

    body = staff.get("/api/v1/checkin/checkpoints/").json()

    assert [item["event"]["slug"] for item in body] == [event.slug]
    assert past.slug not in json.dumps(body)


def test_offline_bundle_holds_hashes_and_standing_never_tokens(event, gate, attendee):
    cancelled = RegistrationFactory(
        ticket_type=attendee.ticket_type, status=Registration.Status.CANCELLED
    )
    scan(gate, attendee.badge_token)

    response = gate.get("/api/v1/checkin/bundle/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    text = response.content.decode()
    assert attendee.badge_token not in text
    assert cancelled.badge_token not in text
    badges = {item["registration"]: item for item in response.json()["badges"]}
    assert badges[attendee.pk]["hash"] == checkin.badge_hash(attendee.badge_token)
    assert badges[attendee.pk]["result"] == "ok"
    assert badges[attendee.pk]["first_gate"] == "Entrée nord"
    assert badges[cancelled.pk]["result"] == "cancelled"
    assert badges[cancelled.pk]["first_checked_in_at"] is None


def test_offline_bundle_query_count_does_not_grow(event, gate, django_assert_max_num_queries):
    ticket = TicketTypeFactory(event=event)
    for _ in range(30):
        RegistrationFactory(ticket_type=ticket)
    checkin.entrance_checkpoint(event)

    with django_assert_max_num_queries(8):
        response = gate.get("/api/v1/checkin/bundle/")

    assert len(response.json()["badges"]) == 30


def test_create_scanner_device_command_prints_a_working_token(event, attendee, capsys):
    call_command("create_scanner_device", "--event", event.slug, "--name", "Hall")
    token = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")

    assert len(token) >= 43
    assert scan(client, attendee.badge_token).json()["result"] == "ok"
    assert CheckIn.objects.get().gate == "Hall"


def test_device_tokens_are_stored_as_digests(event):
    device, token = checkin.create_scanner_device(event=event, name="Hall")

    assert token not in device.token_digest
    assert device.token_digest == checkin.token_digest(token)


def two_day_event_just_over():
    """A colloquium on the last two days, 08:30 to 18:00 each day (Paris time)."""
    today = timezone.localdate(timezone.now(), PARIS)
    start = datetime.combine(today - timedelta(days=2), time(8, 30), tzinfo=PARIS)
    return EventFactory(start=start, end=start.replace(hour=18) + timedelta(days=1))


def offline_scan(client, token, at):
    return scan(client, token, offline=True, scanned_at=at.isoformat(), client_result="ok").json()


def test_on_the_second_day_the_first_scan_admits_again_and_a_repeat_is_told_of_that_days_entry():
    event = two_day_event_just_over()
    attendee = RegistrationFactory(ticket_type=TicketTypeFactory(event=event))
    gate = device_client(event)
    day_one, day_two = event.start.replace(hour=9), event.start.replace(hour=9) + timedelta(days=1)

    first_day = offline_scan(gate, attendee.badge_token, day_one)
    repeat_day_one = offline_scan(gate, attendee.badge_token, day_one + timedelta(hours=3))
    second_day = offline_scan(gate, attendee.badge_token, day_two)
    repeat_day_two = offline_scan(gate, attendee.badge_token, day_two + timedelta(hours=3))

    assert [first_day["result"], second_day["result"]] == ["ok", "ok"]
    assert first_day["first_checked_in"] is None
    assert second_day["first_checked_in"] is None
    assert repeat_day_one["result"] == "already_checked_in"
    assert repeat_day_one["first_checked_in"]["at"] == first_day["scanned_at"]
    assert repeat_day_two["result"] == "already_checked_in"
    assert repeat_day_two["first_checked_in"]["at"] == second_day["scanned_at"]
    days = CheckIn.objects.filter(is_first_entry=True).order_by("scanned_at")
    assert [d.attendance_day for d in days] == [day_one.date(), day_two.date()]


def test_a_reception_after_midnight_belongs_to_the_evening_before():
    event = two_day_event_just_over()
    attendee = RegistrationFactory(ticket_type=TicketTypeFactory(event=event))
    entrance = checkin.entrance_checkpoint(event)
    entrance.closes_at = event.end + timedelta(hours=12)
    entrance.save()
    gate = device_client(event)
    evening = event.start.replace(hour=20)

    dinner = offline_scan(gate, attendee.badge_token, evening)
    after_midnight = offline_scan(gate, attendee.badge_token, evening + timedelta(hours=5))
    next_morning = offline_scan(
        gate, attendee.badge_token, evening + timedelta(hours=12, minutes=30)
    )

    assert dinner["result"] == "ok"
    assert after_midnight["result"] == "already_checked_in"  # 01:00, still the first day
    assert after_midnight["first_checked_in"]["at"] == dinner["scanned_at"]
    assert next_morning["result"] == "ok"  # 08:30, the second day
    assert next_morning["first_checked_in"] is None


def test_the_offline_bundle_gives_todays_first_entries_and_the_events_day_boundary(event, attendee):
    gate = device_client(event)
    yesterday = timezone.now() - timedelta(days=1)
    CheckInFactory(
        registration=attendee,
        scanned_at=yesterday,
        is_first_entry=True,
        checkpoint=checkin.entrance_checkpoint(event),
    )

    bundle = gate.get("/api/v1/checkin/bundle/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert bundle["event"]["time_zone"] == "Europe/Paris"
    assert bundle["event"]["day_ends_at"] == "04:00"
    assert bundle["badges"][0]["first_checked_in_at"] is None
    body = scan(gate, attendee.badge_token).json()
    assert (body["result"], body["first_checked_in"]) == ("ok", None)
    bundle = gate.get("/api/v1/checkin/bundle/", HTTP_ACCEPT_LANGUAGE="en").json()
    first_today = datetime.fromisoformat(bundle["badges"][0]["first_checked_in_at"])
    assert first_today == datetime.fromisoformat(body["scanned_at"])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_answer_is_rendered_as_the_documented_serializer_renders_it(
    event, gate, attendee, language
):
    """The view renders a scan's answer without building serializers (it is the busiest
    request); it must say exactly what `CheckInResultSerializer`, the schema's, would say."""
    entrance = checkin.entrance_checkpoint(event)
    other = event_under_way()
    stranger = RegistrationFactory(ticket_type=TicketTypeFactory(event=other))

    def answer(token, nonce=None):
        return checkin.check_in(
            checkpoint=entrance, nonce=nonce or uuid.uuid4().hex, token=token, device=gate.device
        )

    with translation.override(language), timezone.override(PARIS):
        scans = [
            answer(attendee.badge_token, "first"),
            answer(attendee.badge_token),
            answer(attendee.badge_token, "first"),
            answer("nobody"),
            answer(stranger.badge_token),
        ]
        for one in scans:
            documented = CheckInResultSerializer(one, context={"checkpoint": entrance}).data
            assert json.dumps(check_in_result(one, entrance)) == json.dumps(documented)
