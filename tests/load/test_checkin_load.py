"""The check-in benchmark (bench/checkin.py) in small: its load generator scans through a
threaded server in this process, at the API and at the floor, against the configured database
(SQLite by default, PostgreSQL with DATABASE_URL), and its count finds every badge admitted
once. So the benchmark cannot rot; its figures come from gunicorn (see the README).
"""

import threading
import uuid
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler

from bench import checkin as bench
from checkin import services as checkin

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
