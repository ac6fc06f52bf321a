"""Benchmark: the calendar feeds of a large programme over HTTP, beside their floors.

    .venv/bin/python bench/feeds.py   # --rounds --requests --cold --concurrency --workers

Drops and creates the PostgreSQL database --database (colloque_feeds) on --postgres, migrates
it and builds bench/programme.py's event (BENCH_SESSIONS sessions, 300 by default, rooms,
tracks, two speakers each) and a partner feed sharing it. Then it serves the production
settings (DEBUG=0) with `gunicorn config.wsgi -w 2` (sync workers) on loopback, with the shared
cache at --cache (CACHE_URL, Redis; its database is flushed first), and loads it from
--concurrency connections at once, in --rounds rounds, each round measuring in turn:

- 304: the programme feed asked with the ETag of the copy the client holds (a calendar's
  hourly poll), and its floor: a bare view that reads the cache once and answers 304;
- warm: the programme feed asked without a copy, its body already in the cache (every
  subscriber after the first), and its floor: a bare view sending the same bytes read from
  the cache once;
- the same four one request at a time (one client): the time a request takes without
  queueing behind others;
- cold: --cold requests one after another (one client), each for an alarm never asked for
  before, so each reads the database and builds the feed.

The latency is the client's, queueing for a free worker included (gunicorn's sync workers
close the connection after each answer). Figures: the median over the rounds of each p50 and
p99, and the requests per second. The first line times a fixed loop of pure Python (best of
three), before and after: this shared machine's speed varies, and the figures scale with it.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    free_port,
    load_average,
    machine,
    percentile,
    production_environment,
    recreate_database,
    run_connections,
    set_up_django,
    start_gunicorn,
)

# The targets (ms), checked on one client's requests (with 8 connections on 2 workers
# each request also waits for about three others: those are read against their floors).
NOT_MODIFIED_P50_MS = 3.0
WARM_P50_MS = 5.0
COLD_MS = 100.0


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="colloque_feeds")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cold", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args(argv)


def calibration_ms() -> float:
    """The time of a fixed loop of pure Python, best of three: the machine's speed now."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number
        best = min(best, (time.perf_counter() - began) * 1000)
    return best


def get(port: int, path: str, **headers) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def load(*, port: int, requests: list[bytes], status: int, concurrency: int) -> dict:
    figures = run_connections(
        port=port,
        concurrency=concurrency,
        requests=len(requests),
        request=requests.__getitem__,
        is_expected=lambda answered, body: answered == status,
    )
    latencies = figures["latencies"]
    return {
        "per_second": len(latencies) / figures["elapsed"],
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "unexpected": figures["unexpected"],
        "samples": figures["samples"],
    }


def main() -> None:
    arguments = parse_arguments()
    recreate_database(arguments.postgres, arguments.database)
    static_root = tempfile.mkdtemp(prefix="colloque-bench-static-")
    environment = production_environment(
        f"{arguments.postgres}/{arguments.database}",
        static_root,
        settings_module="bench.feed_settings",
    )
    environment["CACHE_URL"] = arguments.cache
    set_up_django(environment)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from bench import programme
    from bench.feed_floor import FLOOR_BODY
    from events.models import PartnerFeed

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    with transaction.atomic():
        event = programme.build_event()
        partner = PartnerFeed.objects.create(
            organisation=event.organisation, name="Bench", includes_private_sessions=True
        )
        partner.events.add(event)
    with connection.cursor() as cursor:  # statistics for the planner, as autovacuum gathers
        cursor.execute("ANALYZE")
    cache.clear()
    connections.close_all()
    path = f"/events/{event.slug}/calendar.ics"
    port = free_port()
    load_before = load_average()
    calibration_before = calibration_ms()
    server = start_gunicorn(environment, port, arguments.workers, ready_path=path)
    rounds = []
    try:
        import http.client

        client = http.client.HTTPConnection("127.0.0.1", port)
        client.request("GET", path)
        first = client.getresponse()
        body, etag = first.read(), first.getheader("ETag")
        client.close()
        cache.set(FLOOR_BODY, body, None)
        sessions = body.count(b"BEGIN:VEVENT")
        concurrency = arguments.concurrency
        targets = {
            "304": (get(port, path, **{"If-None-Match": etag}), 304),
            "304 floor": (get(port, "/bench/feed-floor/304"), 304),
            "warm": (get(port, path), 200),
            "warm floor": (get(port, "/bench/feed-floor/body"), 200),
        }
        for request, status in targets.values():  # warm-up: every worker, every path
            load(port=port, requests=[request] * 200, status=status, concurrency=concurrency)
        alarms = iter(range(1, 10_000))
        for _ in range(arguments.rounds):
            figures = {
                label: load(
                    port=port,
                    requests=[request] * arguments.requests,
                    status=status,
                    concurrency=concurrency,
                )
                for label, (request, status) in targets.items()
            }
            for label, (request, status) in targets.items():
                figures[f"{label} (1 client)"] = load(
                    port=port, requests=[request] * 300, status=status, concurrency=1
                )
            cold = [get(port, f"{path}?alarm={next(alarms)}") for _ in range(arguments.cold)]
            figures["cold (1 client)"] = load(port=port, requests=cold, status=200, concurrency=1)
            rounds.append(figures)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
    print(f"machine: {machine()}; load average before / after: {load_before} / {load_average()}")
    print(
        f"calibration (10^6-step Python loop) before / after: {calibration_before:.0f} / "
        f"{calibration_ms():.0f} ms (lower is a faster machine)"
    )
    print(
        f"server: gunicorn config.wsgi -w {arguments.workers} (sync), DEBUG=0, PostgreSQL, "
        f"CACHE_URL={arguments.cache}; {sessions} sessions, {len(body) / 1024:.0f} KB; "
        f"{concurrency} connections; median of {arguments.rounds} rounds"
    )
    print(f"{'':<22} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}  p50 of each round")
    medians = {}
    for label in rounds[0]:
        row = {
            key: statistics.median(figures[label][key] for figures in rounds)
            for key in ("per_second", "p50", "p99")
        }
        medians[label] = row
        each = " ".join(f"{figures[label]['p50']:.2f}" for figures in rounds)
        figures_text = f"{row['per_second']:>7,.0f} {row['p50']:>7.2f} {row['p99']:>7.2f}"
        print(f"{label:<22} {figures_text}  {each}")
        for figures in rounds:
            for sample in figures[label]["samples"]:
                print(f"  {label}, unexpected answer: {sample}")
    failures = []
    checks = [
        ("304 p50, 1 client", medians["304 (1 client)"]["p50"], NOT_MODIFIED_P50_MS),
        ("warm p50, 1 client", medians["warm (1 client)"]["p50"], WARM_P50_MS),
        ("cold p50", medians["cold (1 client)"]["p50"], COLD_MS),
    ]
    for name, value, target in checks:
        print(f"{name}: {value:.2f} ms (target ≤ {target:g})")
        if value > target:
            failures.append(f"{name} {value:.2f} ms > {target:g}")
    for label in ("304", "warm", "304 (1 client)", "warm (1 client)"):
        floor = label.replace(" (", " floor (") if "(" in label else f"{label} floor"
        ratio = medians[label]["p50"] / medians[floor]["p50"]
        print(f"{label} p50 / its floor's: {ratio:.2f}")
    if any(figures[label]["unexpected"] for figures in rounds for label in figures):
        failures.append("unexpected answers")
    if failures:
        raise SystemExit("FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
