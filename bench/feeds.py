"""Benchmark: the calendar feeds of a large programme, built and answered 304.

Builds an event of BENCH_SESSIONS sessions (300 by default; rooms, tracks, two speakers each:
bench/programme.py's event) in the database named by DATABASE_URL — run it on PostgreSQL, on
a scratch database:

    createdb -h 127.0.0.1 -U postgres colloque_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/colloque_bench .venv/bin/python bench/feeds.py

and prints, for each feed, the number of queries and the p50 / p95 time, through Django's test
client with the production settings and middleware (no network), after a warm-up, of:
- a build: the full answer, the feed built, nothing cached (BENCH_REPEATS in a row);
- a 304: a conditional request answered Not Modified, BENCH_REPEATS in a row, as a server
  polled by calendars mostly sees them;
- a 304 right after a build (the two alternating), which costs more: the 124 KB just built
  leaves the allocator and the garbage collector busier.
It does so BENCH_RUNS times (3 by default) and prints the median of each figure over the runs.
The first line times a fixed loop of pure Python (best of three, before and after): this
machine's speed varies, and the figures scale with it.

Targets (issue 6): p50 at most 15 ms to build 300 sessions, at most 3 ms for the 304.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import programme  # sets the production environment up, as gunicorn runs it
from events.models import Event, PartnerFeed

REPEATS = int(os.environ.get("BENCH_REPEATS", "100"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TARGET_BUILD_MS = 15.0
TARGET_NOT_MODIFIED_MS = 3.0
FIGURES = ("build", "304", "304 after build")


def feeds(event: Event) -> list[tuple[str, str]]:
    """(label, path) of each kind of feed of the bench event."""
    track = event.tracks.order_by("slug").first()
    speaker = event.sessions.first().session_speakers.first().speaker
    partner = PartnerFeed.objects.create(
        organisation=event.organisation, name="Bench", includes_private_sessions=True
    )
    partner.events.add(event)
    return [
        ("programme (fr)", f"/events/{event.slug}/calendar.ics"),
        ("programme (en, 15 min alarm)", f"/en/events/{event.slug}/calendar.ics?alarm=15"),
        ("track", f"/events/{event.slug}/tracks/{track.slug}/calendar.ics"),
        ("speaker", f"/events/{event.slug}/speakers/{speaker.slug}/calendar.ics"),
        ("partner", f"/feeds/{partner.token}/calendar.ics"),
    ]


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


def timed(client: Client, path: str, status: int, **headers) -> float:
    began = time.perf_counter()
    response = client.get(path, headers=headers)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == status, (path, response.status_code)
    return elapsed


def measure(client: Client, path: str) -> dict:
    """One run's figures for `path`: each a (p50, p95) in ms."""
    first = client.get(path)  # warm-up
    assert first.status_code == 200, (path, first.status_code)
    conditional = {"if-none-match": first["ETag"]}
    builds = [timed(client, path, 200) for _ in range(REPEATS)]
    not_modified = [timed(client, path, 304, **conditional) for _ in range(REPEATS)]
    after_build = []
    for _ in range(REPEATS):
        timed(client, path, 200)
        after_build.append(timed(client, path, 304, **conditional))
    return {
        "bytes": len(first.content),
        "sessions": first.content.count(b"BEGIN:VEVENT"),
        "queries": f"{count_queries(client, path)} / {count_queries(client, path, **conditional)}",
        "build": percentiles(builds),
        "304": percentiles(not_modified),
        "304 after build": percentiles(after_build),
    }


def count_queries(client: Client, path: str, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(path, headers=headers)
    return len(captured)


def percentiles(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), statistics.quantiles(values, n=20)[-1]


def medians(runs: list[dict]) -> dict:
    """Each figure's p50 and p95, the median of the runs'."""
    merged = dict(runs[0])
    for figure in FIGURES:
        merged[figure] = tuple(
            statistics.median(run[figure][index] for run in runs) for index in (0, 1)
        )
    return merged


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    with transaction.atomic():
        event = programme.build_event()
        paths = feeds(event)
    with connection.cursor() as cursor:  # fresh statistics for the planner, as in production
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "ANALYZE main")
    client = Client()
    before = calibration_ms()
    print(f"calibration: 10^6-step Python loop {before:.1f} ms (lower is a faster machine)")
    print(
        f"{connection.vendor}, {programme.SESSIONS} sessions, {REPEATS} requests each, "
        f"median of {RUNS} runs"
    )
    runs = {label: [] for label, _ in paths}
    for _ in range(RUNS):
        for label, path in paths:
            runs[label].append(measure(client, path))
    after = calibration_ms()
    header = f"{'feed':<28} {'events':>6} {'KB':>4} {'queries':>7} {'build p50/p95 ms':>16}"
    print(f"{header} {'304 p50/p95':>13} {'304 after build':>15}")
    results = {label: medians(measured) for label, measured in runs.items()}
    for label, result in results.items():
        figures = " ".join(
            f"{result[figure][0]:>{width}.{digits}f} /{result[figure][1]:>5.{digits}f}"
            for figure, width, digits in (("build", 9, 1), ("304", 6, 2), ("304 after build", 8, 2))
        )
        print(
            f"{label:<28} {result['sessions']:>6} {result['bytes'] / 1024:>4.0f} "
            f"{result['queries']:>7} {figures}"
        )
    print(f"calibration after: {after:.1f} ms")
    whole = results["programme (fr)"]
    met = whole["build"][0] <= TARGET_BUILD_MS and whole["304"][0] <= TARGET_NOT_MODIFIED_MS
    print(
        f"target for the whole programme: build p50 ≤ {TARGET_BUILD_MS:g} ms "
        f"({whole['build'][0]:.1f}), 304 p50 ≤ {TARGET_NOT_MODIFIED_MS:g} ms "
        f"({whole['304'][0]:.2f}; {whole['304 after build'][0]:.2f} right after a build): "
        f"{'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
