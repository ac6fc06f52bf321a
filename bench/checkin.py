"""Benchmark: scans per second and latency of `POST /api/v1/checkin/`, beside the floor.

    .venv/bin/python bench/checkin.py   # --scans --warmup --rounds --concurrency --registrations

Drops and creates the PostgreSQL database --database (colloque_bench_checkin) on --postgres
(postgres://postgres@127.0.0.1:5432), migrates it and creates an event under way with
--registrations confirmed registrations, its entrance checkpoint and --devices scanner devices.
Then it serves the production settings (DEBUG=0) with `gunicorn config.wsgi -w 2` (sync
workers) on loopback and loads it from a second process with --concurrency client threads,
each scan naming a badge never scanned before (a first entry, the common case at a door) with
a nonce of its own; after --warmup scans at each, it measures --scans more at each, the two
taking --rounds turns (a machine whose load drifts then weighs on both alike):

- check-in: the endpoint as a scanner calls it (`Authorization: Device <token>`, the device's
  default checkpoint, the event's entrance), the devices in the shared cache --cache (Redis);
- floor: bench/floor_urls.py's bare Django view on the same server, behind the same
  middleware, that only looks the badge up by its token and inserts a CheckIn row — what any
  implementation must pay. The URL exists only under bench/settings.py.

Afterwards it counts in the database: one CheckIn row per request, each badge admitted once.
Gunicorn's sync workers close the connection after each answer, so each scan opens one; the
latency is the client's, queueing for a free worker included. Beside rates and latencies it
prints what each scan cost in CPU to the gunicorn workers and to the PostgreSQL processes
serving them (read from /proc: run it as a user who may), the load generator's CPU (near a
whole core it would be the bottleneck) and how busy the whole machine was.
"""

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    busy_share,
    children_of,
    cpu_times,
    create_event_with_free_ticket,
    free_port,
    load_average,
    machine,
    percentile,
    process_cpu_seconds,
    production_environment,
    recreate_database,
    run_connections,
    set_up_django,
    start_gunicorn,
)

SLUG = "bench-checkin"
TARGETS = {"check-in": "/api/v1/checkin/", "floor": "/bench/floor/"}
# The targets: against the floor of the same run, and an absolute least.
THROUGHPUT_RATIO_TARGET = 0.5
P99_RATIO_TARGET = 2.0
SCANS_PER_SECOND_TARGET = 300


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=25_000, help="badges of the event")
    parser.add_argument("--scans", type=int, default=10_000, help="measured scans per target")
    parser.add_argument("--warmup", type=int, default=1_000, help="scans before measuring")
    parser.add_argument("--concurrency", type=int, default=8, help="HTTP clients")
    parser.add_argument("--devices", type=int, default=4, help="scanner devices (clients share)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--rounds", type=int, default=10, help="turns the targets take")
    parser.add_argument("--database", default="colloque_bench_checkin")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--cache",
        default="redis://127.0.0.1:6379/1",
        help="CACHE_URL: the shared cache the workers keep scanner devices in",
    )
    return parser.parse_args(argv)


# --- The event ------------------------------------------------------------------------------


def build_event_under_way(*, registrations: int, devices: int, slug: str = SLUG) -> dict:
    """An event that started an hour ago with `registrations` confirmed registrations, its
    entrance and `devices` scanner devices with no default checkpoint (so, the entrance).
    Returns the event, the entrance, the badge tokens and the device tokens."""
    from django.db import transaction
    from django.utils import timezone

    from checkin.services import create_scanner_device, entrance_checkpoint
    from registrations import services
    from registrations.models import Registration

    now = timezone.now()
    with transaction.atomic():
        event, ticket = create_event_with_free_ticket(
            slug=slug,
            title_fr="Colloque à l'entrée",
            title_en="Colloquium at the door",
            start=now - timedelta(hours=1),
            end=now + timedelta(hours=8),
            capacity=registrations,
        )
        badges = Registration.objects.bulk_create(
            (
                Registration(
                    event=event,
                    ticket_type=ticket,
                    status=Registration.Status.CONFIRMED,
                    first_name="Camille",
                    last_name=f"Durand {number}",
                    email=f"bench.{number}@example.org",
                    organisation="Sciences Po Lyon",
                    consent_processing_at=now,
                    confirmed_at=now,
                )
                for number in range(registrations)
            ),
            batch_size=2_000,
        )
        services.recount_seats(event=event)
        entrance = entrance_checkpoint(event)
        device_tokens = [
            create_scanner_device(event=event, name=f"Entrée {number + 1}")[1]
            for number in range(devices)
        ]
    return {
        "event": event,
        "entrance": entrance,
        "badge_tokens": [registration.badge_token for registration in badges],
        "device_tokens": device_tokens,
    }


def scan_plan(badge_tokens: list[str], *, warmup: int, scans: int) -> dict[str, list[str]]:
    """The badges each target scans, warm-up first: no badge is scanned twice in the run."""
    each = warmup + scans
    if each * len(TARGETS) > len(badge_tokens):
        raise SystemExit(
            f"{len(TARGETS)} x (--warmup + --scans) = {each * len(TARGETS)} scans need as "
            f"many registrations; there are {len(badge_tokens)}."
        )
    return {
        target: badge_tokens[index * each : (index + 1) * each]
        for index, target in enumerate(TARGETS)
    }


# --- The load (in its own process) ----------------------------------------------------------


def load(
    *,
    port: int,
    target: str,
    badge_tokens: list[str],
    device_tokens: list[str],
    checkpoint: int,
    concurrency: int,
) -> dict:
    """Scan each of `badge_tokens` once at `target` on 127.0.0.1:`port`, with a new nonce
    each; scan n is sent as device n modulo the devices. Returns common.run_connections'
    figures."""
    path = TARGETS[target]

    def request(number: int) -> bytes:
        body = {"token": badge_tokens[number], "nonce": uuid.uuid4().hex}
        headers = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        if target == "check-in":
            headers += f"Authorization: Device {device_tokens[number % len(device_tokens)]}\r\n"
        else:
            body["checkpoint"] = checkpoint
        content = json.dumps(body).encode()
        headers += f"Content-Type: application/json\r\nContent-Length: {len(content)}\r\n\r\n"
        return headers.encode() + content

    # Made before the run: the load generator's time goes to sending and receiving.
    requests = [request(number) for number in range(len(badge_tokens))]

    def is_expected(status: int, content: bytes) -> bool:
        return status == 200 and json.loads(content).get("result") == "ok"

    return run_connections(
        port=port,
        concurrency=concurrency,
        requests=len(requests),
        request=requests.__getitem__,
        is_expected=is_expected,
    )


def load_from_second_process(options: dict) -> dict:
    """`load(**options)` in a new process of this script (the badge list goes through stdin:
    too long for a command line)."""
    generator = subprocess.run(  # noqa: S603 - this very script, in load generator mode
        [sys.executable, __file__, "load"],
        input=json.dumps(options),
        capture_output=True,
        text=True,
        check=False,
    )
    if generator.returncode:
        raise SystemExit(f"The load generator failed:\n{generator.stderr}")
    figures = json.loads(generator.stdout)
    # JSON keys are text: the statuses come back as {"200": n}.
    figures["statuses"] = {int(status): count for status, count in figures["statuses"].items()}
    return figures


# --- Counting in the database afterwards ----------------------------------------------------


def count_scans(*, event, plan: dict[str, list[str]]) -> dict:
    """What the database holds after the run: for each target, the scans recorded for its
    badges and the badges admitted; overall, the rows beyond one per badge."""
    from django.db.models import Count, Q

    from checkin.models import CheckIn

    recorded = {}
    for target, tokens in plan.items():
        scans = CheckIn.objects.filter(event=event, registration__badge_token__in=tokens)
        recorded[target] = scans.aggregate(
            rows=Count("pk"),
            badges=Count("registration", distinct=True),
            first_entries=Count("pk", filter=Q(is_first_entry=True)),
            admitted=Count("pk", filter=Q(result=CheckIn.Result.OK)),
        )
    return {
        "targets": recorded,
        "rows": CheckIn.objects.filter(event=event).count(),
        "badges_scanned_twice": CheckIn.objects.filter(event=event)
        .values("registration")
        .annotate(scans=Count("pk"))
        .filter(scans__gt=1)
        .count(),
    }


def problems(plan: dict[str, list[str]], outcome: dict) -> list[str]:
    """Every way the database differs from one admitting row per badge scanned."""
    found = []
    sent = sum(len(tokens) for tokens in plan.values())
    if outcome["rows"] != sent:
        found.append(f"{outcome['rows']} CheckIn rows for {sent} scans sent")
    if outcome["badges_scanned_twice"]:
        found.append(f"{outcome['badges_scanned_twice']} badges have more than one row")
    for target, tokens in plan.items():
        counts = outcome["targets"][target]
        expected = {key: len(tokens) for key in ("rows", "badges", "first_entries", "admitted")}
        if counts != expected:
            found.append(f"{target}: {counts}, expected {expected}")
    return found


# --- The run --------------------------------------------------------------------------------


def run(arguments, environment: dict, built: dict, plan: dict[str, list[str]]) -> dict:
    """Serve with gunicorn and scan: each target's warm-up, then its measured scans in
    --rounds turns, the targets taking turns (a machine whose load drifts weighs on both)."""
    from django.core.management import call_command
    from django.db import connections

    call_command("collectstatic", verbosity=0, interactive=False)
    connections.close_all()
    port = free_port()
    server = start_gunicorn(environment, port, arguments.workers, ready_path=f"/events/{SLUG}/")
    options = {
        "port": port,
        "device_tokens": built["device_tokens"],
        "checkpoint": built["entrance"].pk,
        "concurrency": arguments.concurrency,
    }
    turns = {target: [] for target in plan}
    warmups = {}
    try:
        for target, tokens in plan.items():
            warmups[target] = load_from_second_process(
                {**options, "target": target, "badge_tokens": tokens[: arguments.warmup]}
            )
        for turn in range(arguments.rounds):
            for target, tokens in plan.items():
                # Every worker has had its database connection since the warm-up.
                watched = {
                    "gunicorn": children_of(server.pid),
                    "PostgreSQL": database_backends(),
                }
                measured = tokens[arguments.warmup :]
                size = -(-len(measured) // arguments.rounds)
                chunk = measured[turn * size : (turn + 1) * size]
                cpu_before = {name: process_cpu_seconds(pids) for name, pids in watched.items()}
                machine_before = cpu_times()
                figures = load_from_second_process(
                    {**options, "target": target, "badge_tokens": chunk}
                )
                figures["machine_busy"] = busy_share(machine_before, cpu_times())
                figures["server_cpu"] = {
                    name: process_cpu_seconds(pids) - cpu_before[name]
                    for name, pids in watched.items()
                }
                if set(database_backends()) != set(watched["PostgreSQL"]):
                    raise SystemExit("A database connection was opened or closed during a turn.")
                turns[target].append(figures)
    finally:
        server.terminate()
        server.wait(timeout=30)
    results = {target: merge(figures) for target, figures in turns.items()}
    for target, warmup in warmups.items():
        results[target]["warmup_unexpected"] = warmup["unexpected"]
        results[target]["samples"] = (warmup["samples"] + results[target]["samples"])[:3]
    return results


def database_backends() -> list[int]:
    """The PostgreSQL server processes connected to the benchmark's database, but this one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    return pids


def merge(turns: list[dict]) -> dict:
    """One target's turns as a single run."""
    elapsed = sum(turn["elapsed"] for turn in turns)
    statuses = {}
    for turn in turns:
        for status, count in turn["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "elapsed": elapsed,
        "latencies": [latency for turn in turns for latency in turn["latencies"]],
        "statuses": statuses,
        "unexpected": sum(turn["unexpected"] for turn in turns),
        "samples": [sample for turn in turns for sample in turn["samples"]][:3],
        "client_cpu": sum(turn["client_cpu"] * turn["elapsed"] for turn in turns) / elapsed,
        "machine_busy": sum(turn["machine_busy"] * turn["elapsed"] for turn in turns) / elapsed,
        "server_cpu": {
            name: sum(turn["server_cpu"][name] for turn in turns) for name in turns[0]["server_cpu"]
        },
    }


def summary(figures: dict) -> dict:
    latencies = figures["latencies"]
    return {
        "scans_per_second": len(latencies) / figures["elapsed"],
        "p50": statistics.median(latencies),
        "p90": percentile(latencies, 0.90),
        "p99": percentile(latencies, 0.99),
        "errors": sum(count for status, count in figures["statuses"].items() if status != 200),
        "not_ok": figures["unexpected"] + figures["warmup_unexpected"],
        "cpu_ms": {
            name: seconds * 1000 / len(latencies) for name, seconds in figures["server_cpu"].items()
        },
    }


def report(arguments, results: dict, outcome: dict, load_before: str) -> list[str]:
    """Print the figures; return what failed (targets missed, errors, wrong counts)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    print(f"machine: {machine()}; PostgreSQL {postgres}; Python {platform.python_version()}")
    print(
        f"server: gunicorn config.wsgi -w {arguments.workers} (sync workers), DEBUG=0, "
        "bench/settings.py (the production settings plus the floor's URL)"
    )
    print(
        f"event: {arguments.registrations:,} confirmed registrations, {arguments.devices} "
        f"scanner devices at the entrance; load: {arguments.concurrency} concurrent clients in "
        "a second process (loopback), each scan a new badge and a new nonce"
    )
    print(
        f"per target: {arguments.warmup:,} warm-up scans, then {arguments.scans:,} measured "
        f"in {arguments.rounds} turns taken in alternation with the other target"
    )
    print(f"load average before / after: {load_before} / {load_average()}")
    print(
        f"{'':<10} {'scans/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'errors':>6}  "
        f"{'CPU ms per scan: gunicorn + PostgreSQL':<39} {'client CPU':>10} {'machine busy':>12}"
    )
    figures = {}
    for target, result in results.items():
        figures[target] = summary(result)
        row = figures[target]
        cpu = row["cpu_ms"]
        print(
            f"{target:<10} {row['scans_per_second']:>8,.0f} {row['p50']:>7.1f} "
            f"{row['p90']:>7.1f} {row['p99']:>7.1f} {row['errors']:>6}  "
            f"{cpu['gunicorn']:>6.2f} + {cpu['PostgreSQL']:.2f} = "
            f"{cpu['gunicorn'] + cpu['PostgreSQL']:<22.2f} "
            f"{result['client_cpu']:>10.0%} {result['machine_busy']:>12.0%}"
        )
        for sample in result["samples"]:
            print(f"  {target}, unexpected answer: {sample}")
    ratio = figures["check-in"]["p99"] / figures["floor"]["p99"]
    throughput = figures["check-in"]["scans_per_second"] / figures["floor"]["scans_per_second"]
    print(f"p99 check-in / floor: {ratio:.2f} (target ≤ {P99_RATIO_TARGET})")
    print(f"scans/s check-in / floor: {throughput:.2f} (target ≥ {THROUGHPUT_RATIO_TARGET})")
    print(
        f"recorded: {outcome['rows']:,} CheckIn rows; "
        + "; ".join(
            f"{target}: {counts['rows']:,} rows, {counts['badges']:,} badges, "
            f"{counts['first_entries']:,} first entries"
            for target, counts in outcome["targets"].items()
        )
        + f"; badges with more than one row: {outcome['badges_scanned_twice']}"
    )
    failures = []
    if figures["check-in"]["scans_per_second"] < SCANS_PER_SECOND_TARGET:
        failures.append(f"fewer than {SCANS_PER_SECOND_TARGET} scans per second")
    if throughput < THROUGHPUT_RATIO_TARGET:
        failures.append(f"throughput below {THROUGHPUT_RATIO_TARGET} times the floor's")
    if ratio > P99_RATIO_TARGET:
        failures.append(f"p99 beyond {P99_RATIO_TARGET} times the floor's")
    for target, row in figures.items():
        if row["errors"] or row["not_ok"]:
            failures.append(f"{target}: {row['errors']} errors, {row['not_ok']} refusals")
    return failures


def main() -> None:
    if sys.argv[1:] == ["load"]:
        print(json.dumps(load(**json.load(sys.stdin))))
        return
    arguments = parse_arguments()
    recreate_database(arguments.postgres, arguments.database)
    static_root = tempfile.mkdtemp(prefix="colloque-bench-static-")
    environment = production_environment(
        f"{arguments.postgres}/{arguments.database}",
        static_root,
        settings_module="bench.settings",
    )
    # Persistent connections that outlive the run (instead of a minute): each scan's share of
    # PostgreSQL's CPU is read from the server processes serving the workers, which must
    # therefore stay the same ones throughout.
    environment["DATABASE_CONN_MAX_AGE"] = "3600"
    environment["CACHE_URL"] = arguments.cache
    set_up_django(environment)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    built = build_event_under_way(registrations=arguments.registrations, devices=arguments.devices)
    plan = scan_plan(built["badge_tokens"], warmup=arguments.warmup, scans=arguments.scans)
    # Statistics for the planner, as autovacuum would gather them on a live database.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_before = load_average()
    try:
        results = run(arguments, environment, built, plan)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    outcome = count_scans(event=built["event"], plan=plan)
    failures = report(arguments, results, outcome, load_before)
    failures += problems(plan, outcome)
    if failures:
        raise SystemExit("FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
