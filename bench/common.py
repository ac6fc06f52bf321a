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
import select
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
    from events.models import Event
    from organisations.models import Organisation
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
    tally = _Tally()
    record = threading.Lock()
    ready = threading.Barrier(concurrency + 1, action=tally.start)
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
            with record:
                tally.add(began, status, ok, content)
        finished.wait()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    finished.wait()
    return tally.figures()


def run_connections(
    *,
    port: int,
    concurrency: int,
    requests: int,
    request: Callable[[int], bytes],
    is_expected: Callable[[int, bytes], bool],
) -> dict:
    """run_clients' load and figures, from one thread: request number 0 to `requests - 1`
    (`request(number)` gives its bytes, an HTTP/1.1 request with a Content-Length: best made
    before the run) go to 127.0.0.1:`port` over `concurrency` connections at once, each
    sending the next when its previous answer has arrived. `is_expected(status, body)` judges
    each answer.

    One thread waiting on epoll, no http.client: on a machine whose cores the server shares,
    the load generator should take as little of them as it can (http.client in eight threads
    took 0.4 to 0.5 ms of CPU per request, this about half, most of it the kernel's work of
    opening and closing a connection). A connection the server keeps open is used again; one
    it closes (gunicorn's sync workers close each) is opened again for the next request.
    Latency runs from the connection's opening (or the request's sending, on an open one) to
    the answer's last byte."""
    numbers = iter(range(requests))
    address = ("127.0.0.1", port)
    poller = select.epoll()
    slots: dict[int, _Slot] = {}
    tally = _Tally()
    tally.start()

    def send_next(slot: _Slot) -> None:
        while (number := next(numbers, None)) is not None:
            slot.began = time.perf_counter()
            slot.incoming = b""
            try:
                if slot.sock is None:
                    # Blocking: on loopback, connect() returns with the connection open.
                    slot.sock = socket.create_connection(address)
                    slots[slot.sock.fileno()] = slot
                    poller.register(slot.sock.fileno(), select.EPOLLIN)
                slot.sock.sendall(request(number))
                return
            except OSError as error:
                tally.add(slot.began, 0, False, repr(error).encode())
                slot.close(poller, slots)
        slot.close(poller, slots)

    def failed(slot: _Slot, error: Exception) -> None:
        tally.add(slot.began, 0, False, repr(error).encode())
        slot.close(poller, slots)
        send_next(slot)

    for _ in range(concurrency):
        send_next(_Slot())
    while slots:
        events = poller.poll(60)
        if not events:
            raise TimeoutError(f"no answer from {address} for 60 s")
        for descriptor, _mask in events:
            slot = slots[descriptor]
            try:
                data = slot.sock.recv(65536)
            except OSError as error:
                failed(slot, error)
                continue
            slot.incoming += data
            answer = slot.answer(at_end=not data)
            if answer is None:
                if not data:
                    failed(slot, ConnectionError("closed before the whole answer"))
                continue
            status, body, keep_open = answer
            tally.add(slot.began, status, is_expected(status, body), body)
            if not keep_open:
                slot.close(poller, slots)
            send_next(slot)
    poller.close()
    return tally.figures()


class _Tally:
    """What a load records of each answer, and the figures it returns: each latency (ms) and
    when it ended (s into the run), the count of each HTTP status, the unexpected answers
    (the first few kept), the run's length and the CPU the calling process used per second
    of it: a load generator near one full core is the bottleneck, not the server."""

    def __init__(self):
        self.latencies: list[float] = []
        self.finished_at: list[float] = []
        self.statuses: dict[int, int] = {}
        self.unexpected = 0
        self.samples: list[str] = []

    def start(self) -> None:
        self.began = time.perf_counter()
        self.cpu_before = _cpu_seconds()

    def add(self, began: float, status: int, ok: bool, content: bytes) -> None:
        """An answer to the request sent at `began` (perf_counter)."""
        now = time.perf_counter()
        self.latencies.append((now - began) * 1000)
        self.finished_at.append(now - self.began)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if not ok:
            self.unexpected += 1
            if len(self.samples) < 3:
                self.samples.append(f"{status}: {content[:300]!r}")

    def figures(self) -> dict:
        elapsed = time.perf_counter() - self.began
        return {
            "elapsed": elapsed,
            "latencies": self.latencies,
            "finished_at": self.finished_at,
            "statuses": self.statuses,
            "unexpected": self.unexpected,
            "samples": self.samples,
            "client_cpu": (_cpu_seconds() - self.cpu_before) / elapsed,
        }


class _Slot:
    """One of run_connections' connections: its socket, when its request was sent, the answer
    read so far."""

    def __init__(self):
        self.sock: socket.socket | None = None
        self.began = time.perf_counter()
        self.incoming = b""

    def close(self, poller, slots: dict) -> None:
        if self.sock is not None:
            slots.pop(self.sock.fileno(), None)
            poller.unregister(self.sock.fileno())
            self.sock.close()
            self.sock = None

    def answer(self, *, at_end: bool) -> tuple[int, bytes, bool] | None:
        """(status, body, whether the connection stays open) once the whole answer is in."""
        head_end = self.incoming.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        head = self.incoming[:head_end].decode("latin-1").lower()
        body = self.incoming[head_end + 4 :]
        found = re.search(r"^content-length:\s*(\d+)", head, re.MULTILINE)
        if found is None and not at_end:  # the body ends with the connection
            return None
        if found is not None and len(body) < int(found.group(1)):
            return None
        version, status = head.split(None, 2)[:2]
        # HTTP/1.1 keeps the connection unless told otherwise; HTTP/1.0 closes it unless told.
        if version == "http/1.0":
            keep_open = re.search(r"^connection:\s*keep-alive", head, re.MULTILINE) is not None
        else:
            keep_open = re.search(r"^connection:\s*close", head, re.MULTILINE) is None
        return int(status), body, keep_open and not at_end


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
