"""Benchmark: confirmed free registrations per minute, with 0 oversold, on PostgreSQL.

    .venv/bin/python bench/registrations.py                  # through the public form (HTTP)
    .venv/bin/python bench/registrations.py --mode=service   # services.register_attendee only

Both modes drop and create the PostgreSQL database --database (colloque_bench_reg) on
--postgres (postgres://postgres@127.0.0.1:5432), migrate it and create a published event with
one free public ticket type whose capacity is --requests minus --margin; then they send
--requests registrations with distinct emails, and count in the database afterwards: exactly
`capacity` must be confirmed and the rest waitlisted (oversold = confirmed beyond capacity).

- http (the figure for the README): the production settings (DEBUG=0, emails queued as tasks
  in the database, no worker running) served by `gunicorn config.wsgi -w 2` on loopback; the
  load comes from a second process: --concurrency client threads, each GETs the form once for
  its CSRF cookie and token, then POSTs the form again and again (the redirect is not
  followed). Latency is the POST's, measured by the client.
- service: --processes processes calling `services.register_attendee` in a loop (no HTTP,
  no form): the ceiling the seat lock leaves to the web tier. With --profile (one process),
  prints where the time goes (cProfile).

Nothing but the standard library and the project's own packages is used.
"""

import argparse
import http.client
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    create_event_with_free_ticket,
    free_port,
    load_average,
    machine,
    percentile,
    production_environment,
    recreate_database,
    run_clients,
    set_up_django,
    start_gunicorn,
)

SLUG = "bench-registrations"
SHOWN = ("confirmed", "waitlisted")


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["http", "service"], default="http")
    parser.add_argument("--requests", type=int, default=20_000, help="registrations to send")
    parser.add_argument(
        "--margin", type=int, default=200, help="registrations beyond the capacity (waitlisted)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="HTTP clients (http mode)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (http mode)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (http mode)"
    )
    parser.add_argument("--processes", type=int, default=2, help="processes (service mode)")
    parser.add_argument("--profile", action="store_true", help="cProfile (service mode)")
    parser.add_argument("--database", default="colloque_bench_reg")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    return parser.parse_args(argv)


# --- The database and the event -------------------------------------------------------------


def build_event(capacity: int):
    from django.utils import timezone

    start = timezone.now() + timedelta(days=30)
    return create_event_with_free_ticket(
        slug=SLUG,
        title_fr="Colloque de charge",
        title_en="Load colloquium",
        start=start,
        end=start + timedelta(days=1),
        capacity=capacity,
        has_waiting_list=True,
    )


def count_outcome(event, capacity: int) -> dict:
    from django.db.models import Count

    from registrations.models import OutgoingEmail, Registration

    statuses = dict(
        Registration.objects.filter(event=event)
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    confirmed = statuses.get("confirmed", 0)
    return {
        "statuses": statuses,
        "confirmed": confirmed,
        "waitlisted": statuses.get("waitlisted", 0),
        "oversold": max(0, confirmed - capacity),
        "emails_queued": OutgoingEmail.objects.filter(registration__event=event).count(),
    }


# --- HTTP mode: gunicorn, and the load from a second process ----------------------------------


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def load(port: int, ticket_id: int, requests: int, concurrency: int) -> dict:
    """Run in the load generator's own process: POST the form `requests` times from
    `concurrency` client threads released together. Returns figures as a dict."""
    path = f"/events/{SLUG}/register/"

    def prepare(index: int) -> tuple[dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", path)
        response = connection.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        token = CSRF_INPUT.search(page).group(1)
        connection.close()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        return headers, token

    def send(state: tuple[dict, str], number: int) -> tuple[int, bool, bytes]:
        headers, token = state
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "first_name": "Camille",
                "last_name": f"Durand {number}",
                "email": f"bench.{number}@example.org",
                "organisation": "Sciences Po Lyon",
                "job_title": "Chargée d'études",
                "ticket_type": str(ticket_id),
                "consent_processing": "on",
            }
        )
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        location = response.getheader("Location", "")
        connection.close()
        return response.status, response.status == 302 and "/register/done/" in location, content

    return run_clients(concurrency=concurrency, requests=requests, prepare=prepare, send=send)


def run_http(arguments, environment: dict, ticket_id: int) -> dict:
    from django.core.management import call_command
    from django.db import connections

    call_command("collectstatic", verbosity=0, interactive=False)
    connections.close_all()
    port = free_port()
    server = start_gunicorn(
        environment,
        port,
        arguments.workers,
        arguments.threads,
        ready_path=f"/events/{SLUG}/register/",
    )
    try:
        generator = subprocess.run(  # noqa: S603 - this very script, in load generator mode
            [
                sys.executable,
                __file__,
                "load",
                json.dumps(
                    {
                        "port": port,
                        "ticket_id": ticket_id,
                        "requests": arguments.requests,
                        "concurrency": arguments.concurrency,
                    }
                ),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = json.loads(generator.stdout)
    figures["errors"] = sum(
        count for status, count in figures["statuses"].items() if status != "302"
    )
    return figures


# --- Service mode: processes calling the service directly ---------------------------------------


def register_slice(process: int, processes: int, arguments, queue, start) -> None:
    from django.db import connections

    from events.models import Event
    from registrations import services
    from registrations.models import TicketType

    connections.close_all()
    event = Event.objects.get(slug=SLUG)
    ticket = TicketType.objects.get(event=event)
    latencies, errors, finished_at = [], [], []
    start.wait()
    began = time.time()
    profiler = None
    if arguments.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    for number in range(process, arguments.requests, processes):
        attendee = services.AttendeeDetails(
            first_name="Camille",
            last_name=f"Durand {number}",
            email=f"bench.{number}@example.org",
            organisation="Sciences Po Lyon",
            consent_processing=True,
        )
        call_began = time.perf_counter()
        try:
            services.register_attendee(event=event, ticket_type=ticket, attendee=attendee)
        except Exception as error:
            errors.append(repr(error))
        latencies.append((time.perf_counter() - call_began) * 1000)
        finished_at.append(time.time())
    ended = time.time()
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        report = io.StringIO()
        pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(30)
        print(report.getvalue(), file=sys.stderr)
    connections.close_all()
    queue.put(
        {
            "began": began,
            "ended": ended,
            "latencies": latencies,
            "finished_at": finished_at,
            "errors": errors,
        }
    )


def run_service(arguments) -> dict:
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start = context.Barrier(arguments.processes)
    processes = [
        context.Process(
            target=register_slice, args=(n, arguments.processes, arguments, queue, start)
        )
        for n in range(arguments.processes)
    ]
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    errors = [error for result in results for error in result["errors"]]
    began = min(result["began"] for result in results)
    return {
        "elapsed": max(r["ended"] for r in results) - began,
        "finished_at": [moment - began for r in results for moment in r["finished_at"]],
        "latencies": [latency for result in results for latency in result["latencies"]],
        "statuses": {},
        "samples": errors[:3],
        "errors": len(errors),
    }


# --- Report -----------------------------------------------------------------------------------


def by_tenth(finished_at: list[float]) -> str:
    """The rate over each tenth of the registrations, in the order they completed: it falls
    when the work under the seat lock grows with the number of registrations."""
    moments = sorted(finished_at)
    size = max(1, len(moments) // 10)
    rates, previous = [], 0.0
    for end in range(size, len(moments) + 1, size):
        moment = moments[end - 1]
        rates.append(f"{size / max(moment - previous, 1e-9) * 60:,.0f}")
        previous = moment
    return ", ".join(rates)


def report(arguments, figures: dict, outcome: dict, capacity: int) -> None:
    from django.db import connection

    latencies = figures["latencies"]
    minutes = figures["elapsed"] / 60
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    print(f"machine: {machine()}; PostgreSQL {postgres}; Python {platform.python_version()}")
    if arguments.mode == "http":
        print(
            f"server: gunicorn config.wsgi -w {arguments.workers} --threads {arguments.threads}"
            f" ({'gthread' if arguments.threads > 1 else 'sync'} workers), DEBUG=0, "
            "emails queued as database tasks (no worker running)"
        )
        print(
            f"load: {arguments.requests} POSTs of /events/{SLUG}/register/ from "
            f"{arguments.concurrency} concurrent clients in a second process (loopback)"
        )
    else:
        print(
            f"load: {arguments.requests} calls of services.register_attendee from "
            f"{arguments.processes} processes"
        )
    print(f"ticket capacity: {capacity} (then the waiting list)")
    print(f"load average before / after: {figures['load_before']} / {load_average()}")
    print(f"elapsed: {figures['elapsed']:.1f} s")
    if figures["statuses"]:
        print(f"responses: {dict(sorted(figures['statuses'].items()))}")
    print(f"requests: {len(latencies)}, errors: {figures['errors']}")
    for sample in figures["samples"]:
        print(f"  error sample: {sample}")
    print(
        f"confirmed: {outcome['confirmed']}, waitlisted: {outcome['waitlisted']}, "
        f"oversold: {outcome['oversold']}, other statuses: "
        f"{ {k: v for k, v in outcome['statuses'].items() if k not in SHOWN} }"
    )
    print(f"emails queued: {outcome['emails_queued']}")
    print(f"confirmed registrations per minute: {outcome['confirmed'] / minutes:,.0f}")
    print(f"registrations (all) per minute: {len(latencies) / minutes:,.0f}")
    print(f"registrations per minute by tenth of the run: {by_tenth(figures['finished_at'])}")
    print(
        f"latency ms: p50 {statistics.median(latencies):.1f}, "
        f"p90 {percentile(latencies, 0.90):.1f}, p99 {percentile(latencies, 0.99):.1f}, "
        f"max {max(latencies):.1f}"
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "load":
        options = json.loads(sys.argv[2])
        print(json.dumps(load(**options)))
        return
    arguments = parse_arguments()
    capacity = arguments.requests - arguments.margin
    if capacity < 1:
        raise SystemExit("--requests must exceed --margin.")
    recreate_database(arguments.postgres, arguments.database)
    static_root = tempfile.mkdtemp(prefix="colloque-bench-static-")
    environment = production_environment(f"{arguments.postgres}/{arguments.database}", static_root)
    set_up_django(environment)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    event, ticket = build_event(capacity)
    load_before = load_average()
    try:
        if arguments.mode == "http":
            figures = run_http(arguments, environment, ticket.pk)
        else:
            figures = run_service(arguments)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    figures["load_before"] = load_before
    outcome = count_outcome(event, capacity)
    report(arguments, figures, outcome, capacity)
    if outcome["oversold"] or outcome["confirmed"] != capacity or figures["errors"]:
        raise SystemExit("FAILED: oversold, seats left unsold, or errors (see above).")


if __name__ == "__main__":
    main()
