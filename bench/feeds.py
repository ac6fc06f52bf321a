"""Benchmark: the calendar feeds of a large programme, built and answered 304.

Builds an event of BENCH_SESSIONS sessions (300 by default; rooms, tracks, two speakers each:
bench/programme.py's event) in the database named by DATABASE_URL — run it on PostgreSQL, on
a scratch database:

    createdb -h 127.0.0.1 -U postgres colloque_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/colloque_bench .venv/bin/python bench/feeds.py

and prints, for each feed, the number of queries and the p50 / p95 time of a full answer (the
feed built, nothing cached) and of a conditional request answered 304 Not Modified, through
Django's test client with the production settings and middleware (no network), over
BENCH_REPEATS requests after a warm-up. Targets (issue 6): p50 at most 15 ms to build 300
sessions, at most 3 ms for the 304.
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
TARGET_BUILD_MS = 15.0
TARGET_NOT_MODIFIED_MS = 3.0


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


def timed(client: Client, path: str, **headers) -> tuple[float, int]:
    began = time.perf_counter()
    response = client.get(path, headers=headers)
    return (time.perf_counter() - began) * 1000, response.status_code


def measure(client: Client, path: str) -> dict:
    first = client.get(path)  # warm-up
    assert first.status_code == 200, (path, first.status_code)
    etag = first["ETag"]
    queries = {
        "build": count_queries(client, path),
        "304": count_queries(client, path, **{"if-none-match": etag}),
    }
    builds, not_modified = [], []
    for _ in range(REPEATS):
        elapsed, status = timed(client, path)
        assert status == 200, (path, status)
        builds.append(elapsed)
        elapsed, status = timed(client, path, **{"if-none-match": etag})
        assert status == 304, (path, status)
        not_modified.append(elapsed)
    return {
        "bytes": len(first.content),
        "sessions": first.content.count(b"BEGIN:VEVENT"),
        "queries": queries,
        "build": percentiles(builds),
        "304": percentiles(not_modified),
    }


def count_queries(client: Client, path: str, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(path, headers=headers)
    return len(captured)


def percentiles(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), statistics.quantiles(values, n=20)[-1]


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    with transaction.atomic():
        event = programme.build_event()
        paths = feeds(event)
    client = Client()
    print(f"{connection.vendor}, {programme.SESSIONS} sessions, {REPEATS} requests each")
    header = f"{'feed':<30} {'events':>6} {'KB':>5} {'queries':>9} {'build p50/p95 ms':>17}"
    print(f"{header} {'304 p50/p95 ms':>15}")
    results = {}
    for label, path in paths:
        result = results[label] = measure(client, path)
        build, not_modified = result["build"], result["304"]
        queries = f"{result['queries']['build']} / {result['queries']['304']}"
        print(
            f"{label:<30} {result['sessions']:>6} {result['bytes'] / 1024:>5.0f} {queries:>9} "
            f"{build[0]:>8.1f} /{build[1]:>6.1f} {not_modified[0]:>7.2f} /{not_modified[1]:>5.2f}"
        )
    whole = results["programme (fr)"]
    met = whole["build"][0] <= TARGET_BUILD_MS and whole["304"][0] <= TARGET_NOT_MODIFIED_MS
    print(
        f"target for the whole programme: build p50 ≤ {TARGET_BUILD_MS:g} ms "
        f"({whole['build'][0]:.1f}), 304 p50 ≤ {TARGET_NOT_MODIFIED_MS:g} ms "
        f"({whole['304'][0]:.2f}): {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
