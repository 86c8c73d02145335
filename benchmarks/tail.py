"""Benchmark of the live tail, end to end, on loopback only.

    python benchmarks/tail.py              # everything, about four minutes
    python benchmarks/tail.py --quick      # shorter steps and fewer samples

Sets up a throwaway console (SQLite, one JSON-lines source, DEBUG off) in a temporary
directory, then measures:

* **server CPU per idle poll**: ``time.process_time()`` over N polls that find nothing
  (``204``) through Django's test client in this process; and the same through a real
  gunicorn worker, read from ``/proc/<worker>/stat`` (utime + stime) around N polls;
* **write-to-display latency**: headless Chromium (Playwright) on the tail page served by
  gunicorn; lines are appended at random intervals with their write time, and a
  MutationObserver (injected from here with ``page.evaluate``, never part of the app)
  stamps when each one enters the DOM. Median and p95, at the default 1 s poll and at 0.25 s;
* **concurrent tailing clients per gunicorn worker**: one sync worker; N simulated tabs
  (asyncio, raw HTTP/1.1) each poll once a second with the real headers and cursor, while
  the log is idle, then while it receives 5 lines a second. N grows until the p95 poll
  latency passes 1 s or requests fail; each step is bounded in time.

Figures vary with the machine and its load: run it on a quiet machine and keep the second run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEY = "bench"
CURSOR = re.compile(rb'name="cursor" value="([^"]+)"')
POLL_HEADERS = {"HX-Request": "true", "HX-Target": "tail-lines", "HX-Trigger": "tail-poller"}
SETTINGS = """
import os
from project.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Static files straight from the app directories: no collectstatic for a benchmark.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
AUDITCONSOLE_TAIL_POLL_SECONDS = float(os.environ.get("BENCH_POLL_SECONDS", "1"))
# The pushed tail (benchmarks/pairs/tail.py opens a thousand streams as one user).
AUDITCONSOLE_TAIL_STREAMS_PER_PROCESS = 5000
AUDITCONSOLE_TAIL_STREAMS_PER_USER = 5000
AUDITCONSOLE_LOG_SOURCES = {
    "bench": {
        "BACKEND": "auditconsole.sources.files.FileSource",
        "LABEL": "Benchmark",
        "OPTIONS": {"path": os.environ["BENCH_LOG"]},
    }
}
"""


def line(seq: int, message: str) -> bytes:
    now = datetime.now(UTC)
    record = {
        "time": now.strftime("%Y-%m-%d %H:%M:%S,") + f"{now.microsecond // 1000:03d}",
        "level": "INFO",
        "name": "bench.writer",
        "module": "bench",
        "message": message,
        "seq": seq,
        "request_id": f"{random.getrandbits(64):016x}",
    }
    return json.dumps(record).encode() + b"\n"


class Log:
    """The followed file; writes are unbuffered, so a line is readable once written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seq = 0
        self.lock = threading.Lock()

    def write(self, message: str = "") -> tuple[int, float]:
        with self.lock:
            self.seq += 1
            data = line(self.seq, message or f"event {self.seq}")
            with self.path.open("ab", buffering=0) as handle:
                handle.write(data)
            return self.seq, time.time()


# -- the console under test -------------------------------------------------------------------


def setup(directory: Path, log: Log) -> tuple[dict[str, str], str]:
    """Environment for this process and gunicorn; returns it and a logged-in session id."""
    (directory / "bench_tail_settings.py").write_text(SETTINGS)
    env = {
        "DJANGO_SETTINGS_MODULE": "bench_tail_settings",
        "SECRET_KEY": "bench-" + "k" * 60,
        "AUDITCONSOLE_VAR_DIR": str(directory / "var"),
        "AUDITCONSOLE_LOG_DIR": str(directory / "var" / "log"),
        "BENCH_LOG": str(log.path),
        "PYTHONPATH": os.pathsep.join([str(directory), str(ROOT)]),
    }
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(directory))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    client = Client()
    client.force_login(User.objects.create_superuser("bench", "bench@example.com", "pw"))
    return env, client.cookies["sessionid"].value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """The console under one sync gunicorn worker (:meth:`command` says how it starts)."""

    name = "gunicorn"

    def __init__(
        self, env: dict[str, str], poll_seconds: float = 1.0, port: int | None = None
    ) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, **env, "BENCH_POLL_SECONDS": str(poll_seconds)}
        self.process = subprocess.Popen(
            self.command(),
            env=full_env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"{self.name} did not start")

    def command(self) -> list[str]:
        return [
            str(Path(sys.executable).with_name("gunicorn")),
            "project.wsgi",
            "--workers=1",
            f"--bind=127.0.0.1:{self.port}",
            "--backlog=2048",
            "--timeout=60",
        ]

    @property
    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return int(children.split()[0])

    def worker_cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.worker_pid}/stat").read_text().rsplit(")", 1)[1].split()
        utime, stime = int(fields[11]), int(fields[12])
        return (utime + stime) / os.sysconf("SC_CLK_TCK")

    def worker_runqueue_seconds(self) -> float:
        """Time the worker was ready to run but waiting for a CPU (the machine's load)."""
        return int(Path(f"/proc/{self.worker_pid}/schedstat").read_text().split()[1]) / 1e9

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Uvicorn(Gunicorn):
    """The same console over ASGI: one uvicorn process (the tail page opens a stream)."""

    name = "uvicorn"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "project.asgi:application",
            "--host=127.0.0.1",
            f"--port={self.port}",
            "--backlog=4096",
            "--no-access-log",
            "--log-level=warning",
        ]

    @property
    def worker_pid(self) -> int:
        return self.process.pid

    def worker_rss_kb(self) -> int:
        return rss_kb(self.worker_pid)


def rss_kb(pid: int) -> int:
    """A process's resident memory, from ``/proc/<pid>/status``."""
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def start_token(base: str, session: str) -> str:
    request = urllib.request.Request(
        f"{base}/audit/tail/{KEY}/", headers={"Cookie": f"sessionid={session}"}
    )
    body = urllib.request.urlopen(request, timeout=10).read()
    return CURSOR.search(body).group(1).decode()


# -- 1. CPU per idle poll -----------------------------------------------------------------------------


def poll_cpu_in_process(log: Log, polls: int) -> tuple[float, float, float]:
    """CPU ms per poll through Django's test client, in this process: idle (204), wall
    time of the idle poll, and CPU of a poll that brings 5 new lines."""
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="bench"))
    page = client.get(f"/audit/tail/{KEY}/")
    token = CURSOR.search(page.content).group(1).decode()
    url = f"/audit/tail/{KEY}/?cursor={quote(token)}"
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in POLL_HEADERS.items()}
    for _ in range(20):  # warm up
        assert client.get(url, **headers).status_code == 204
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(polls):
        client.get(url, **headers)
    idle_cpu = (time.process_time() - cpu) * 1000 / polls
    idle_wall = (time.perf_counter() - wall) * 1000 / polls
    spent = 0.0
    for _ in range(polls // 5):
        for _ in range(5):
            log.write()
        cpu = time.process_time()
        response = client.get(f"/audit/tail/{KEY}/?cursor={quote(token)}", **headers)
        spent += time.process_time() - cpu
        assert response.status_code == 200
        token = CURSOR.search(response.content).group(1).decode()
    return idle_cpu, idle_wall, spent * 1000 / (polls // 5)


def idle_cpu_gunicorn(server: Gunicorn, session: str, polls: int) -> tuple[float, float]:
    """(worker CPU ms, client-seen wall ms) per idle poll through gunicorn."""
    token = start_token(server.base, session)
    url = f"{server.base}/audit/tail/{KEY}/?cursor={quote(token)}"
    request = urllib.request.Request(
        url, headers={**POLL_HEADERS, "Cookie": f"sessionid={session}"}
    )
    for _ in range(20):
        assert urllib.request.urlopen(request, timeout=10).status == 204
    cpu = server.worker_cpu_seconds()
    wall = time.perf_counter()
    for _ in range(polls):
        urllib.request.urlopen(request, timeout=10).read()
    return (
        (server.worker_cpu_seconds() - cpu) * 1000 / polls,
        (time.perf_counter() - wall) * 1000 / polls,
    )


# -- 2. write-to-display latency in Chromium ---------------------------------------------------------

OBSERVER = """() => {
  window.__seen = {};
  const list = document.getElementById('tail-lines');
  new MutationObserver(mutations => {
    const now = performance.timeOrigin + performance.now();
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        if (!node.classList || !node.classList.contains('tail-line')) continue;
        const match = /lat (\\d+)$/.exec(node.querySelector('.tail-message').textContent);
        if (match) window.__seen[match[1]] = now;
      }
    }
  }).observe(list, {childList: true});
}"""


def display_latency(server: Gunicorn, session: str, log: Log, lines: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS
    from tests.services import CHROMIUM

    written: dict[int, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server.base)
        context.add_cookies([{"name": "sessionid", "value": session, "url": server.base}])
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.goto(f"/audit/tail/{KEY}/")
        page.evaluate(OBSERVER)
        rng = random.Random(7)
        for _ in range(lines):
            # Random gaps, so writes land at every phase of the poll cycle.
            time.sleep(rng.uniform(0.1, 0.6))
            seq, at = log.write(f"lat {log.seq + 1}")
            written[seq] = at * 1000
        page.wait_for_timeout(3000)
        seen = page.evaluate("window.__seen")
        browser.close()
    if errors:
        print(f"  (browser console errors: {errors[:3]})")
    missing = [seq for seq in written if str(seq) not in seen]
    if missing:
        print(f"  ({len(missing)} line(s) not displayed within 3 s of the last write)")
    return [seen[str(seq)] - at for seq, at in written.items() if str(seq) in seen]


# -- 2b. open streams (the pushed tail) ----------------------------------------------------------


async def open_stream(
    port: int, path: str, session: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A stream as the browser's EventSource opens it, read up to its first line (retry:)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={session}\r\n"
            "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
    await reader.readuntil(b"retry: ")
    return reader, writer


@dataclass
class Streams:
    opened: int
    errors: int
    idle_core: float  # share of one core the worker used while every stream was idle
    rss_per_stream_kb: float
    delivered: list[float]  # ms from one write to its event on each stream


def streams(server: Uvicorn, session: str, log: Log, count: int, idle_seconds: float) -> Streams:
    """Open ``count`` streams on one worker, leave them idle, then write one line."""
    token = start_token(server.base, session)
    path = f"/audit/tail/{KEY}/stream/?cursor={quote(token)}"
    rss_before = server.worker_rss_kb()

    async def run() -> Streams:
        opened = await asyncio.gather(
            *(open_stream(server.port, path, session) for _ in range(count)),
            return_exceptions=True,
        )
        connections = [pair for pair in opened if not isinstance(pair, BaseException)]
        errors = len(opened) - len(connections)
        await asyncio.sleep(1.0)  # let the worker settle after the connection burst
        cpu, wall = server.worker_cpu_seconds(), time.perf_counter()
        await asyncio.sleep(idle_seconds)
        idle_core = (server.worker_cpu_seconds() - cpu) / (time.perf_counter() - wall)
        # After the idle window: each connection's checks ran in a thread of its own
        # (Django's, released once the stream starts), and the memory of that burst is
        # returned to the allocator over the first seconds.
        rss = server.worker_rss_kb()
        _, written = log.write("fan-out")
        written_ms = written * 1000

        async def arrival(reader: asyncio.StreamReader) -> float:
            await reader.readuntil(b"fan-out")
            return time.time() * 1000 - written_ms

        delivered = await asyncio.wait_for(
            asyncio.gather(*(arrival(reader) for reader, _ in connections), return_exceptions=True),
            30,
        )
        for _, writer in connections:
            writer.close()
        good = [value for value in delivered if isinstance(value, float)]
        return Streams(
            opened=len(connections),
            errors=errors + len(delivered) - len(good),
            idle_core=idle_core,
            rss_per_stream_kb=(rss - rss_before) / max(1, len(connections)),
            delivered=good,
        )

    return asyncio.run(run())


SEQ = re.compile(rb"rot (\d+)<")


async def read_events(reader: asyncio.StreamReader) -> AsyncIterator[tuple[str, bytes]]:
    """(id, data) of each event of a chunked ``text/event-stream`` answer."""
    buffer = b""
    event_id = ""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        if size == 0:
            return
        buffer += (await reader.readexactly(size + 2))[:-2]
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            data = []
            for row in block.split(b"\n"):
                if row.startswith(b"id: "):
                    event_id = row[4:].decode()
                elif row.startswith(b"data: "):
                    data.append(row[6:])
            yield event_id, b"\n".join(data)


async def follow_tab(
    port: int, path: str, session: str, seen: list[int], stop: asyncio.Event
) -> int:
    """One tab as the browser's EventSource: reconnects with ``Last-Event-ID``.

    Returns how many times it connected.
    """
    last_id = ""
    connections = 0
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.2)  # the server is down: retry, as the browser does
            continue
        connections += 1
        resume = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={session}\r\n"
                f"Accept: text/event-stream\r\n{resume}\r\n"
            ).encode()
        )
        try:
            await reader.readuntil(b"\r\n\r\n")
            async for event_id, data in read_events(reader):
                last_id = event_id or last_id
                seen.extend(int(n) for n in SEQ.findall(data))
                if stop.is_set():
                    break
        except (OSError, asyncio.IncompleteReadError, ValueError):
            await asyncio.sleep(0.2)
        finally:
            writer.close()
    return connections


@dataclass
class Rotations:
    rotations: int
    written: int
    #: Per tab: lines lost, lines shown twice or more, connections made.
    tabs: list[tuple[int, int, int]]
    #: The same for ``tail -F`` following the file by name.
    anchor: tuple[int, int]


def rotations(
    server: Uvicorn, env: dict[str, str], session: str, path: Path, tabs: int, restart: bool
) -> tuple[Rotations, Uvicorn]:
    """Lines through a RotatingFileHandler (20+ rotations), followed by ``tabs`` streams.

    With ``restart``, the server is killed half-way and started again on the same port;
    the tabs resume with ``Last-Event-ID``. Returns the counts and the server now running.
    """
    import logging
    from logging.handlers import RotatingFileHandler

    class Counting(RotatingFileHandler):
        rollovers = 0

        def doRollover(self) -> None:
            self.rollovers += 1
            super().doRollover()

    total = 400
    handler = Counting(path, maxBytes=2500, backupCount=60)
    handler.setFormatter(logging.Formatter("%(message)s"))
    writer_log = logging.Logger("bench-rotation")
    writer_log.addHandler(handler)
    writer_log.info(line(0, "rot 0").decode().rstrip())
    token = start_token(server.base, session)
    stream = f"/audit/tail/{KEY}/stream/?cursor={quote(token)}"
    anchor = subprocess.Popen(
        ["tail", "-n", "0", "-F", str(path)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    time.sleep(0.3)
    seen: list[list[int]] = [[] for _ in range(tabs)]
    servers = [server]
    written = threading.Event()

    def write() -> None:
        # Steady writing, in its own thread, through a crash and restart of the server.
        for n in range(1, total + 1):
            writer_log.info(line(n, f"rot {n}").decode().rstrip())
            if restart and n == total // 2:
                servers[-1].process.kill()
                servers[-1].process.wait()
                servers.append(Uvicorn(env, port=server.port))
            time.sleep(0.005)
        written.set()

    async def run() -> list[int]:
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(follow_tab(server.port, stream, session, seen[n], stop))
            for n in range(tabs)
        ]
        await asyncio.sleep(0.5)
        thread = threading.Thread(target=write)
        thread.start()
        while not written.is_set():
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)
        stop.set()
        return list(await asyncio.gather(*tasks))

    connections = asyncio.run(run())
    handler.close()
    time.sleep(0.5)
    anchor.terminate()
    out, _ = anchor.communicate(timeout=10)
    anchor_seen = [int(n) for n in re.findall(rb'"seq": (\d+)', out)]

    def counts(shown: list[int]) -> tuple[int, int]:
        expected = set(range(1, total + 1))
        return len(expected - set(shown)), len(shown) - len(set(shown))

    result = Rotations(
        rotations=handler.rollovers,
        written=total,
        tabs=[(*counts(s), c) for s, c in zip(seen, connections, strict=True)],
        anchor=counts(anchor_seen),
    )
    return result, servers[-1]


def fanout_in_process(log: Log, count: int) -> tuple[int, int, float]:
    """The hub alone, in this process: ``count`` tabs at one position, one write.

    Returns the reads and renders that write cost, and the ms until every tab had it.
    """
    from auditconsole.sources.query import Query
    from auditconsole.sources.registry import get_source
    from auditconsole.streams.hub import Hub, Subscriber

    source = get_source(KEY)
    end = source.tail(None, 1).cursor

    async def run() -> tuple[int, int, float]:
        hub = Hub()
        tabs = [
            Subscriber(user=n, key="", query=Query(), state=end, token="") for n in range(count)
        ]
        for tab in tabs:
            hub.subscribe(source, tab)
        while hub.reads < 1:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        reads, renders = hub.reads, hub.renders
        started = time.perf_counter()
        log.write("fan-out in process")
        while any(tab.queue.empty() for tab in tabs):
            await asyncio.sleep(0.001)
        elapsed = (time.perf_counter() - started) * 1000
        await asyncio.sleep(0.2)  # a second inotify event for the same write would read here
        result = hub.reads - reads, hub.renders - renders, elapsed
        hub.close()
        return result

    return asyncio.run(run())


# -- 3. concurrent clients ---------------------------------------------------------------------------


async def http_get(port: int, path: str, session: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = "".join(f"{k}: {v}\r\n" for k, v in POLL_HEADERS.items())
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={session}\r\n"
            f"{headers}Connection: close\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


async def tab(
    port: int, session: str, token: str, until: float, latencies: list[float], errors: list[str]
) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(random.uniform(0, 1))  # tabs opened at different moments
    while loop.time() < until:
        started = loop.time()
        try:
            status, body = await asyncio.wait_for(
                http_get(port, f"/audit/tail/{KEY}/?cursor={quote(token)}", session), 10
            )
        except (OSError, TimeoutError) as exc:
            errors.append(type(exc).__name__)
            status, body = 0, b""
        elapsed = loop.time() - started
        if status in (200, 204):
            latencies.append(elapsed)
            if status == 200:
                token = CURSOR.search(body).group(1).decode()
        elif status:
            errors.append(f"HTTP {status}")
        await asyncio.sleep(max(0.0, 1.0 - elapsed))


@dataclass
class Step:
    p95: float
    answered: int
    errors: int
    busy: float  # share of wall time the worker ran on a CPU
    waiting: float  # share of wall time the worker was runnable but had no CPU
    load_cpu: float  # CPU seconds per second used by this load generator


def step(server: Gunicorn, session: str, clients: int, seconds: float) -> Step:
    token = start_token(server.base, session)
    latencies: list[float] = []
    errors: list[str] = []
    cpu = server.worker_cpu_seconds()
    waited = server.worker_runqueue_seconds()
    own = time.process_time()

    async def run() -> None:
        until = asyncio.get_running_loop().time() + seconds
        await asyncio.gather(
            *(tab(server.port, session, token, until, latencies, errors) for _ in range(clients))
        )

    wall = time.perf_counter()
    asyncio.run(run())
    wall = time.perf_counter() - wall
    if len(latencies) > 1:
        p95 = statistics.quantiles(latencies, n=20)[-1]
    else:
        p95 = latencies[0] if latencies else float("inf")
    return Step(
        p95=p95,
        answered=len(latencies),
        errors=len(errors),
        busy=(server.worker_cpu_seconds() - cpu) / wall,
        waiting=(server.worker_runqueue_seconds() - waited) / wall,
        load_cpu=(time.process_time() - own) / wall,
    )


def capacity(server: Gunicorn, session: str, log: Log, seconds: float, rate: float) -> int:
    stop = threading.Event()

    def writer() -> None:
        while not stop.wait(1 / rate):
            log.write()

    thread = threading.Thread(target=writer, daemon=True)
    if rate:
        thread.start()
    best = 0
    try:
        print(
            "  | tabs | polls/s answered | p95 latency | errors | worker on CPU "
            "| worker waiting for a CPU | load generator CPU |"
        )
        print("  |---:|---:|---:|---:|---:|---:|---:|")
        for clients in (10, 25, 50, 75, 100, 150, 200, 300, 400, 600, 800):
            result = step(server, session, clients, seconds)
            print(
                f"  | {clients} | {result.answered / seconds:,.0f} | {result.p95 * 1000:,.0f} ms "
                f"| {result.errors} | {result.busy:.0%} | {result.waiting:.0%} "
                f"| {result.load_cpu:.0%} |",
                flush=True,
            )
            if result.p95 > 1.0 or result.errors:
                break
            best = clients
    finally:
        stop.set()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="shorter steps, fewer samples")
    args = parser.parse_args()
    polls = 300 if args.quick else 1000
    lines = 20 if args.quick else 60
    seconds = 5.0 if args.quick else 10.0

    directory = Path(tempfile.mkdtemp(prefix="auditconsole-tail-bench-"))
    log = Log(directory / "bench.log")
    for _ in range(500):
        log.write()
    servers: list[Gunicorn] = []
    try:
        env, session = setup(directory, log)
        cpu, wall, five = poll_cpu_in_process(log, polls)
        print(
            f"idle poll, Django test client: {cpu:.2f} ms CPU, {wall:.2f} ms wall ({polls} polls)"
        )
        print(f"poll bringing 5 new lines, Django test client: {five:.2f} ms CPU")

        server = Gunicorn(env, 1.0)
        servers.append(server)
        cpu, wall = idle_cpu_gunicorn(server, session, polls)
        print(
            f"idle poll, gunicorn worker (/proc): {cpu:.2f} ms CPU; {wall:.2f} ms seen by the client"
            f" ({polls} sequential polls)"
        )
        for poll_seconds in (1.0, 0.25):
            if poll_seconds != 1.0:
                server.stop()
                server = Gunicorn(env, poll_seconds)
                servers.append(server)
            found = display_latency(server, session, log, lines)
            if found:
                found.sort()
                p95 = found[min(len(found) - 1, int(len(found) * 0.95))]
                print(
                    f"write to display, poll every {poll_seconds:g} s: median "
                    f"{statistics.median(found):.0f} ms, p95 {p95:.0f} ms, "
                    f"min {found[0]:.0f} ms, max {found[-1]:.0f} ms ({len(found)} lines)"
                )
        server.stop()
        server = Gunicorn(env, 1.0)
        servers.append(server)
        print("concurrent tabs polling once a second, one sync gunicorn worker, idle log:")
        idle = capacity(server, session, log, seconds, 0)
        print(f"  -> sustains {idle} tabs with p95 <= 1 s and no errors")
        print("the same while the log receives 5 lines a second:")
        busy = capacity(server, session, log, seconds, 5)
        print(f"  -> sustains {busy} tabs with p95 <= 1 s and no errors")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
