"""Benchmark: the public programme page and the sessions API for a large event.

Builds an event of SESSIONS sessions (several rooms, tracks, speakers) in the database named by
DATABASE_URL — run it on PostgreSQL, on a scratch database:

    createdb -h 127.0.0.1 -U postgres colloque_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/colloque_bench \\
        .venv/bin/python bench/programme.py

and prints, for each page, the number of queries and the p50 / p95 of the server-side time
measured through Django's test client (no network), over REPEATS requests after a warm-up.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Production settings, as gunicorn would run them, with static files collected to a scratch
# folder (the manifest storage needs them) and plain HTTP for the test client.
os.environ.update(
    DEBUG="0",
    SECRET_KEY="bench-only-" + "x" * 40,
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="0",
    STATIC_ROOT=tempfile.mkdtemp(prefix="colloque-bench-static-"),
)

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from events.models import Event, Room, Session, SessionSpeaker, Track
from organisations.models import Organisation
from speakers.models import Speaker

SESSIONS = int(os.environ.get("BENCH_SESSIONS", "300"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "50"))
SLUG = "bench-programme"
PARIS = ZoneInfo("Europe/Paris")


def build_event() -> Event:
    Event.objects.filter(slug=SLUG).delete()
    organisation, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    Speaker.objects.filter(organisation=organisation).delete()
    start = datetime(2027, 5, 17, 8, 0, tzinfo=PARIS)
    event = Event.objects.create(
        organisation=organisation,
        slug=SLUG,
        title_fr="Banc d'essai",
        title_en="Benchmark",
        start=start,
        end=start + timedelta(days=5),
        status=Event.Status.PUBLISHED,
    )
    rooms = [Room.objects.create(event=event, name_fr=f"Salle {n}", position=n) for n in range(6)]
    tracks = [
        Track.objects.create(event=event, name_fr=f"Parcours {n}", slug=f"parcours-{n}")
        for n in range(3)
    ]
    speakers = Speaker.objects.bulk_create(
        Speaker(organisation=organisation, name=f"Intervenant {n}", slug=f"intervenant-{n}")
        for n in range(120)
    )
    sessions = Session.objects.bulk_create(
        Session(
            event=event,
            title_fr=f"Session {n}",
            title_en=f"Session {n}",
            room=rooms[n % len(rooms)],
            track=tracks[n % len(tracks)],
            start=start + timedelta(days=(n // 60) % 5, minutes=60 + 10 * (n % 60)),
            end=start + timedelta(days=(n // 60) % 5, minutes=120 + 10 * (n % 60)),
        )
        for n in range(SESSIONS)
    )
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(session=session, speaker=speakers[(n + k) % len(speakers)], position=k)
        for n, session in enumerate(sessions)
        for k in range(2)
    )
    return event


def measure(client: Client, url: str) -> tuple[int, float, float]:
    client.get(url)  # warm-up
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
    return len(queries), statistics.median(timings), statistics.quantiles(timings, n=20)[-1]


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    with transaction.atomic():
        build_event()
    client = Client()
    print(f"{connection.vendor}, {SESSIONS} sessions, {REPEATS} requests each")
    print(f"{'page':<58} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for url in (
        f"/events/{SLUG}/",
        f"/en/events/{SLUG}/",
        f"/api/v1/sessions/?event={SLUG}&page_size=200",
        f"/api/v1/sessions/?event={SLUG}&day=2027-05-18",
        f"/api/v1/events/{SLUG}/",
    ):
        count, p50, p95 = measure(client, url)
        print(f"{url:<58} {count:>7} {p50:>8.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
