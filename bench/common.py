"""What the HTTP benchmarks share: a scratch PostgreSQL database, the production environment,
gunicorn on loopback, a load generator of client threads, and the figures printed.

Nothing but the standard library is imported at module level: the load generator runs in a
process of its own and should not pay for Django.
"""

import http.client
import os
import platform
import re
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-" + "x" * 40


# --- The database and the settings ------------------------------------------------------------


def recreate_database(server_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def production_environment(
    database_url: str, static_root: str, *, settings_module: str = "config.settings"
) -> dict:
    """The settings gunicorn runs with, as a production server would set them (plain HTTP on
    loopback, a rate limit raised for one client address sending everything)."""
    return {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "REGISTRATION_RATE_LIMIT": "100000000/1m",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }


def set_up_django(environment: dict) -> None:
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_event_with_free_ticket(
    *, slug: str, title_fr: str, title_en: str, start, end, capacity: int, **event_fields
):
    """A published public event of an organisation of its own (slug `slug` too), with one free
    public ticket type of `capacity` seats. Returns the event and the ticket type."""
    from events.models import Event, Organisation
    from registrations.models import TicketType

    organisation = Organisation.objects.create(name="Banc d'essai", slug=slug)
    event = Event.objects.create(
        organisation=organisation,
        slug=slug,
        title_fr=title_fr,
        title_en=title_en,
        start=start,
        end=end,
        status=Event.Status.PUBLISHED,
        access=Event.Access.PUBLIC,
        **event_fields,
    )
    ticket = TicketType.objects.create(
        event=event,
        name_fr="Entrée libre",
        name_en="Free admission",
        category=TicketType.Category.PROFESSIONAL,
        capacity=capacity,
        is_public=True,
    )
    return event, ticket


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(
    environment: dict, port: int, workers: int, threads: int = 1, *, ready_path: str
) -> subprocess.Popen:
    """`gunicorn config.wsgi` on loopback, returned once `ready_path` answers 200."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    if threads > 1:
        command += ["--threads", str(threads)]
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [*command, "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, **environment},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", ready_path)
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return server
            server.terminate()
            raise SystemExit(f"{ready_path} answers {status}, not 200.")
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 30 seconds.")


# --- The load ---------------------------------------------------------------------------------


def run_clients(
    *,
    concurrency: int,
    requests: int,
    prepare: Callable[[int], object],
    send: Callable[[object, int], tuple[int, bool, bytes]],
) -> dict:
    """Send request number 0 to `requests - 1` from `concurrency` client threads released
    together, each taking the next number when its previous request is answered.

    `prepare(index)` runs in each thread before the start (a connection, a CSRF token) and
    returns what `send(state, number)` needs; `send` makes one request and returns its HTTP
    status (0 when the connection failed), whether the answer is the expected one, and the
    answer's body (kept for the first few unexpected ones; `unexpected` counts them all).
    Latency is the client's, around `send`. Also returns the CPU the calling process used per
    second of the run: a load generator near one full core is the bottleneck, not the server."""
    numbers = iter(range(requests))
    take = threading.Lock()
    latencies: list[float] = []
    finished_at: list[float] = []
    statuses: dict[int, int] = {}
    unexpected = [0]
    samples: list[str] = []
    record = threading.Lock()
    began_at = [0.0]
    ready = threading.Barrier(
        concurrency + 1, action=lambda: began_at.__setitem__(0, time.perf_counter())
    )
    finished = threading.Barrier(concurrency + 1)

    def next_number() -> int | None:
        with take:
            return next(numbers, None)

    def client(index: int) -> None:
        state = prepare(index)
        ready.wait()
        while (number := next_number()) is not None:
            began = time.perf_counter()
            try:
                status, ok, content = send(state, number)
            except OSError as error:
                status, ok, content = 0, False, repr(error).encode()
            elapsed = (time.perf_counter() - began) * 1000
            with record:
                latencies.append(elapsed)
                finished_at.append(time.perf_counter() - began_at[0])
                statuses[status] = statuses.get(status, 0) + 1
                if not ok:
                    unexpected[0] += 1
                    if len(samples) < 3:
                        samples.append(f"{status}: {content[:300]!r}")
        finished.wait()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    cpu_before = _cpu_seconds()
    began = time.perf_counter()
    finished.wait()
    elapsed = time.perf_counter() - began
    return {
        "elapsed": elapsed,
        "latencies": latencies,
        "finished_at": finished_at,
        "statuses": statuses,
        "unexpected": unexpected[0],
        "samples": samples,
        "client_cpu": (_cpu_seconds() - cpu_before) / elapsed,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- Figures ----------------------------------------------------------------------------------


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    return f"{os.cpu_count()} CPUs (nproc), {model or platform.processor()}"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of all the machine's CPUs busy between two `cpu_times()` readings."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers), from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def process_cpu_seconds(pids: list[int]) -> float:
    """User and system CPU used so far by the processes `pids` (those still running)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks
