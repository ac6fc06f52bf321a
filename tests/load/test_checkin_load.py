"""The check-in benchmark (bench/checkin.py) in small: its load generator scans through a
threaded server in this process, at the API and at the floor, against the configured database
(SQLite by default, PostgreSQL with DATABASE_URL), and its count finds every badge admitted
once. So the benchmark cannot rot; its figures come from gunicorn (see the README).

Also: the answer and the request parsing the endpoint does without DRF serializers on its
busy path are the ones the serializers (the documented schema) give.
"""

import threading
import uuid
from datetime import timedelta
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone

from api.serializers.checkin import (
    CheckInRequestSerializer,
    CheckInResultSerializer,
    check_in_answer,
    plain_scan,
)
from bench import checkin as bench
from registrations import checkin
from tests.factories import EventFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

WARMUP, SCANS = 6, 24


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def port(settings):
    """The project served on loopback with the benchmark's URLs (the floor added), one thread
    per request, each with its own database connection."""
    settings.ROOT_URLCONF = "bench.floor_urls"
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    server = make_server(
        "127.0.0.1", 0, WSGIHandler(), server_class=ThreadingServer, handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_for_several_connections")
def test_benchmark_admits_every_badge_once_at_the_api_and_at_the_floor(port):
    built = bench.build_event_under_way(registrations=2 * (WARMUP + SCANS) + 5, devices=2)
    plan = bench.scan_plan(built["badge_tokens"], warmup=WARMUP, scans=SCANS)

    for target, tokens in plan.items():
        figures = bench.load(
            port=port,
            target=target,
            badge_tokens=tokens,
            device_tokens=built["device_tokens"],
            checkpoint=built["entrance"].pk,
            concurrency=4,
        )
        assert figures["statuses"] == {200: WARMUP + SCANS}, figures["samples"]
        assert figures["unexpected"] == 0
        assert len(figures["latencies"]) == WARMUP + SCANS

    outcome = bench.count_scans(event=built["event"], plan=plan)
    each = dict.fromkeys(("rows", "badges", "first_entries", "admitted"), WARMUP + SCANS)
    assert outcome == {
        "targets": {"check-in": each, "floor": each},
        "rows": 2 * (WARMUP + SCANS),
        "badges_scanned_twice": 0,
    }
    assert bench.problems(plan, outcome) == []

    # The count would see a badge scanned twice.
    checkin.check_in(checkpoint=built["entrance"], token=plan["floor"][0], nonce=uuid.uuid4().hex)
    outcome = bench.count_scans(event=built["event"], plan=plan)
    assert bench.problems(plan, outcome) == [
        f"{2 * (WARMUP + SCANS) + 1} CheckIn rows for {2 * (WARMUP + SCANS)} scans sent",
        "1 badges have more than one row",
        f"floor: {dict(each, rows=WARMUP + SCANS + 1)}, expected {each}",
    ]


def test_benchmark_refuses_a_plan_with_more_scans_than_badges():
    with pytest.raises(SystemExit, match="2 x \\(--warmup \\+ --scans\\) = 30 scans"):
        bench.scan_plan(["token"] * 29, warmup=5, scans=10)


# --- The endpoint's answer without serializers ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_answer_is_the_serializers_for_every_kind_of_scan(language):
    from django.utils import translation

    translation.activate(language)
    now = timezone.now()
    event = EventFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=8))
    other = EventFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=8))
    ticket = TicketTypeFactory(event=event, category="student", name_fr="Étudiant")
    attendee = RegistrationFactory(ticket_type=ticket, organisation="")
    stranger = RegistrationFactory(ticket_type=TicketTypeFactory(event=other))
    entrance = checkin.entrance_checkpoint(event)
    device, _ = checkin.create_scanner_device(event=event, name="Nord")

    def scan(token, nonce=None, **extra):
        return checkin.check_in(
            checkpoint=entrance,
            token=token,
            nonce=nonce or uuid.uuid4().hex,
            device=device,
            **extra,
        )

    scans = [
        scan(attendee.badge_token, nonce="first"),  # ok
        scan(attendee.badge_token),  # already checked in, with the first entry
        scan(attendee.badge_token, nonce="first"),  # replayed
        scan("nobody"),  # unknown
        scan(stranger.badge_token),  # another event's
        scan(attendee.badge_token, is_offline=True, scanned_at=now - timedelta(minutes=3)),
    ]

    for answer in scans:
        expected = CheckInResultSerializer(answer, context={"checkpoint": entrance}).data
        built = check_in_answer(answer, entrance)
        assert built == dict(expected)
        assert list(built) == list(expected)  # the same order of keys in the JSON
    assert [answer.result for answer in scans] == [
        "ok",
        "already_checked_in",
        "ok",
        "unknown",
        "wrong_event",
        "already_checked_in",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"token": "Xa1-_b2" * 3, "nonce": uuid.UUID(int=7).hex},
        {"token": "t", "nonce": "n" * 64},
        {"nonce": "n", "token": "t" * 64},
    ],
)
def test_plain_scan_gives_what_the_serializer_validates(body):
    serializer = CheckInRequestSerializer(data=body)

    assert serializer.is_valid()
    assert plain_scan(body) == dict(serializer.validated_data)


@pytest.mark.parametrize(
    "body",
    [
        {"token": "t" * 65, "nonce": "n"},
        {"token": "", "nonce": "n"},
        {"token": " t", "nonce": "n"},
        {"token": "t\n", "nonce": "n"},
        {"token": "t\x00", "nonce": "n"},
        {"token": "tété", "nonce": "n"},
        {"token": "\ud800", "nonce": "n"},
        {"token": 12, "nonce": "n"},
        {"token": "t", "nonce": None},
        {"token": "t", "nonce": "n", "direction": "exit"},
        {"token": "t"},
        ["token", "nonce"],
    ],
)
def test_plain_scan_leaves_any_other_body_to_the_serializer(body):
    assert plain_scan(body) is None
