"""Load test: gunicorn on loopback, many staff polling the live tail and paging the activity.

    .venv/bin/python -m benchmarks.load [--seconds 60] [--clients 50] [--workers 2]
    .venv/bin/python -m tests.services postgres -- .venv/bin/python -m benchmarks.load

What it does, all in a temporary directory that is removed afterwards (``--keep`` keeps it):

1. production settings (``DEBUG=0``; plain HTTP on loopback, so the SSL redirect is off),
   a fresh database (SQLite under the temporary directory, or the PostgreSQL server
   ``DATABASE_URL`` names), ``migrate``, ``collectstatic`` and ``auditconsole_demo --force``
   (the demo desk, its history and its log files);
2. gunicorn on a free loopback port, configured as the Docker image runs it (sync workers,
   ``--workers`` of them; ``--threads`` > 1 switches to gthread), and the demo writer
   appending about one line per second to the live log, so polls find new lines;
3. ``--clients`` threads, each logged in as the demo support agent with its own session,
   each doing what a browser tab does once per ``--think`` seconds: poll the live tail of
   ``app`` (the poll URL carries the signed cursor the last answer gave) and turn a page of
   the activity list (following its "older" link; from the top again at the end). When the
   live tail is not mounted (``auditconsole:tail`` does not resolve), the log browse page
   of ``app`` is paged instead, and the report says so;
4. ``--warmup`` seconds unmeasured, then ``--seconds`` measured; the resident memory of
   every gunicorn worker is read from ``/proc/<pid>/status`` at the start, middle and end.

With ``--asgi`` the server is gunicorn with uvicorn workers (``project.asgi``, as the
Docker image runs it now): the clients page the activity list only, while ``--streams``
pushed tails stay open beside them (Server-Sent Events, as the tail page opens them;
their caps raised by a settings module in the temporary directory), each read to the
end; a stream refused, failed or closed early counts as an error. Example (issue 18)::

    .venv/bin/python -m benchmarks.load --asgi --streams 500 --clients 20

Prints a Markdown report: requests, errors, p50/p95/max per kind of request, throughput,
RSS per sample. A worker fills its caches (templates, regular expressions, the ORM's)
over its first few hundred requests, so memory rising in the first half says little; a
leak keeps rising. The run therefore fails when a request failed, a worker was replaced,
or the workers' memory grew by more than ``--max-growth`` MiB over the *second* half.
Not part of the test suite: figures go into docs/security.md.
"""

from __future__ import annotations

import argparse
import html
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
USERNAME, PASSWORD = "support", "support"  # the demo's support agent (project/demo/accounts.py)
SOURCE = "app"

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TAIL_CURSOR = re.compile(r'id="tail-cursor" name="cursor" value="([^"]+)"')
_NEXT = re.compile(r'href="([^"]+)" hx-get="[^"]*" rel="next"')


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: The pushed tail's caps for ``--asgi``: every stream of the run is one user's, in two workers.
ASGI_SETTINGS = """
from project.settings import *  # noqa: F403

AUDITCONSOLE_TAIL_STREAMS_PER_PROCESS = 100_000
AUDITCONSOLE_TAIL_STREAMS_PER_USER = 100_000
"""


def environment(tmp: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AUDITCONSOLE_", "DJANGO_")) and key not in {"DEBUG", "LOG_FILE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="project.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        AUDITCONSOLE_VAR_DIR=str(tmp / "var"),
        AUDITCONSOLE_LOG_DIR=str(tmp / "var" / "log"),
        STATIC_ROOT=str(tmp / "static"),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def prepare(env: dict[str, str]) -> None:
    Path(env["AUDITCONSOLE_LOG_DIR"]).mkdir(parents=True, exist_ok=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "auditconsole_demo", "--force")


def resolve_paths(env: dict[str, str]) -> dict[str, str]:
    """The URLs to load, asked of Django itself (so a missing live tail is noticed)."""
    code = (
        "from django.urls import NoReverseMatch, reverse\n"
        "print(reverse('auditconsole:activity'))\n"
        f"print(reverse('auditconsole:source', kwargs={{'key': {SOURCE!r}}}))\n"
        "try:\n"
        f"    print(reverse('auditconsole:tail', kwargs={{'key': {SOURCE!r}}}))\n"
        "except NoReverseMatch:\n"
        "    print('')\n"
    )
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    activity, browse, tail = ([*result.stdout.splitlines(), "", "", ""])[:3]
    return {"activity": activity, "browse": browse, "tail": tail}


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int, asgi: bool = False
) -> subprocess.Popen:
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        *(
            ["project.asgi:application", "--worker-class", "uvicorn_worker.UvicornWorker"]
            if asgi
            else ["project.wsgi:application"]
        ),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_ready(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            pids.append(int(entry.name))
    return sorted(pids)


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# -- the clients --------------------------------------------------------------------------------


class Session:
    """One browser: a cookie jar (sent by hand: the cookies are Secure) and a connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        all_headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=all_headers)
                response = self.connection.getresponse()
                data = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed in between: not an error.
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, _ = value.partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}

    def login(self) -> None:
        status, page, _ = self.request("GET", "/accounts/login/")
        token = _CSRF_INPUT.search(page)
        if status != 200 or token is None:
            raise SystemExit(f"login page answered {status}")
        form = urlencode(
            {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        )
        status, _, _headers = self.request(
            "POST", "/accounts/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login failed: {status}")


@dataclass
class Results:
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, seconds: float, measuring: bool) -> None:
        if not measuring:
            return
        with self.lock:
            self.samples[kind].append(seconds)
            self.statuses[kind][status] += 1
            if status not in (200, 204):
                self.errors.append(f"{kind}: HTTP {status}")

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Client(threading.Thread):
    def __init__(
        self,
        port: int,
        paths: dict[str, str],
        results: Results,
        think: float,
        phases: dict[str, float],
    ) -> None:
        super().__init__(daemon=True)
        self.session = Session(port)
        self.paths = paths
        self.results = results
        self.think = think
        self.phases = phases
        self.tail_cursor: str | None = None
        self.activity_url = paths["activity"]
        self.browse_url = paths["browse"]

    def timed(self, kind: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        started = time.monotonic()
        status, body, _ = self.session.request("GET", path, headers=headers)
        elapsed = time.monotonic() - started
        self.results.add(kind, status, elapsed, started >= self.phases["measure_from"])
        return status, body

    def tail(self) -> None:
        path = self.paths["tail"]
        if self.tail_cursor is None:
            status, body = self.timed("tail page", path)
        else:
            status, body = self.timed(
                "tail poll",
                f"{path}?{urlencode({'cursor': self.tail_cursor})}",
                {"HX-Request": "true", "HX-Target": "tail-lines", "HX-Current-URL": path},
            )
        found = _TAIL_CURSOR.search(body)
        if found:
            self.tail_cursor = html.unescape(found.group(1))
        elif status != 204:
            self.tail_cursor = None

    def browse(self) -> None:
        headers = {} if self.browse_url == self.paths["browse"] else {"HX-Request": "true"}
        _, body = self.timed("log browse", self.browse_url, headers)
        found = _NEXT.search(body)
        self.browse_url = html.unescape(found.group(1)) if found else self.paths["browse"]

    def activity(self) -> None:
        first = self.activity_url == self.paths["activity"]
        _, body = self.timed(
            "activity page", self.activity_url, {} if first else {"HX-Request": "true"}
        )
        found = _NEXT.search(body)
        self.activity_url = html.unescape(found.group(1)) if found else self.paths["activity"]

    def run(self) -> None:
        try:
            self.session.login()
        except BaseException as exc:
            self.results.error(f"login: {exc}")
            return
        while time.monotonic() < self.phases["end"]:
            cycle = time.monotonic()
            try:
                if self.paths.get("streamed"):
                    pass  # the tail is pushed (--asgi): the streams below hold it
                elif self.paths["tail"]:
                    self.tail()
                else:
                    self.browse()
                self.activity()
            except Exception as exc:
                if time.monotonic() >= self.phases["measure_from"]:
                    self.results.error(f"{type(exc).__name__}: {exc}")
            pause = self.think - (time.monotonic() - cycle)
            if pause > 0:
                time.sleep(pause)


# -- the pushed tails (--asgi) ---------------------------------------------------------------------


@dataclass
class StreamStats:
    opened: int = 0
    events: int = 0
    errors: list[str] = field(default_factory=list)


def hold_streams(port: int, path: str, count: int, until: float, stats: StreamStats) -> None:
    """``count`` pushed tails as the tail page opens them, read until ``until``."""
    import asyncio

    from benchmarks.tail import open_stream

    session = Session(port)
    session.login()
    _, page, _ = session.request("GET", path)
    found = _TAIL_CURSOR.search(page)
    if found is None or "sse-connect" not in page:
        stats.errors.append("the tail page opened no stream: is the server ASGI?")
        return
    stream = f"{path}stream/?{urlencode({'cursor': html.unescape(found.group(1))})}"

    async def one() -> None:
        reader, writer = await open_stream(port, stream, session.cookies["sessionid"])
        stats.opened += 1
        loop = asyncio.get_running_loop()
        while (left := until - loop.time()) > 0:
            try:
                chunk = await asyncio.wait_for(reader.read(65536), left)
            except TimeoutError:
                break
            if not chunk:
                raise RuntimeError("closed by the server")
            if b"event: tail-end" in chunk:
                raise RuntimeError("handed over to polling (refused or ended)")
            stats.events += chunk.count(b"event: tail-lines")
        writer.close()

    async def every() -> None:
        results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
        stats.errors += [f"stream: {exc}" for exc in results if isinstance(exc, BaseException)]

    asyncio.run(every())


# -- the run ------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(
    args: argparse.Namespace,
    paths: dict[str, str],
    results: Results,
    rss: list[tuple[str, dict[int, float]]],
    streams: StreamStats | None = None,
) -> bool:
    server = (
        f"gunicorn {args.workers} uvicorn worker(s) (ASGI), {args.streams} pushed tails open"
        if args.asgi
        else f"gunicorn {args.workers} worker(s) x {args.threads} thread(s)"
    )
    print(f"\n## Load: {args.clients} clients for {args.seconds:g} s, {server}\n")
    if streams is not None:
        print(
            f"Pushed tails: {streams.opened} of {args.streams} opened, "
            f"{streams.events} batches of lines received, {len(streams.errors)} failed.\n"
        )
        results.errors += streams.errors
    if not paths["tail"]:
        print(
            "The live tail is not mounted (auditconsole:tail does not resolve): the log browse page was paged instead.\n"
        )
    print("| request | count | per s | p50 ms | p95 ms | max ms | statuses |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for kind, values in sorted(results.samples.items()):
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(results.statuses[kind].items()))
        print(
            f"| {kind} | {len(values)} | {len(values) / args.seconds:.1f} | "
            f"{percentile(values, 0.5) * 1000:.0f} | {percentile(values, 0.95) * 1000:.0f} | "
            f"{max(values) * 1000:.0f} | {statuses} |"
        )
    every = [v for values in results.samples.values() for v in values]
    if every:
        print(
            f"| **all** | {len(every)} | {len(every) / args.seconds:.1f} | "
            f"{percentile(every, 0.5) * 1000:.0f} | {percentile(every, 0.95) * 1000:.0f} | "
            f"{max(every) * 1000:.0f} | |"
        )
    print(f"\nErrors: {len(results.errors)}")
    for text in sorted(set(results.errors))[:20]:
        print(f"  - {text} (x{results.errors.count(text)})")
    print(
        "\n| RSS (MiB) | "
        + " | ".join(f"worker {i + 1}" for i in range(len(rss[0][1])))
        + " | total |"
    )
    print("|---|" + "---:|" * (len(rss[0][1]) + 1))
    for label, sample in rss:
        cells = " | ".join(f"{value:.1f}" for value in sample.values())
        print(f"| {label} | {cells} | {sum(sample.values()):.1f} |")
    start, middle, end = (sum(sample.values()) for _, sample in rss)
    grew = end - middle > args.max_growth
    replaced = len({tuple(sample) for _, sample in rss}) > 1
    print(
        f"\nMemory: {middle - start:+.1f} MiB over the first half (warm-up), "
        f"{end - middle:+.1f} MiB over the second ({'GREW' if grew else 'flat'}; "
        f"limit +{args.max_growth:g} MiB)."
    )
    if replaced:
        print("A worker was replaced during the run (its process id changed): it crashed.")
    return not results.errors and not grew and not replaced and bool(every)


def sample_rss(master: int) -> dict[int, float]:
    return {pid: value for pid in worker_pids(master) if (value := rss_mib(pid)) is not None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="measured duration (default 60)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers (default 2, as the Docker image)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (default 1: sync workers)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds per client cycle, as the tail's poll interval (default 1)",
    )
    parser.add_argument(
        "--warmup", type=float, default=10, help="unmeasured seconds first (default 10)"
    )
    parser.add_argument(
        "--max-growth",
        type=float,
        default=5,
        help="MiB the workers may grow in total over the second half (default 5)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--asgi", action="store_true", help="uvicorn workers; the live tail is pushed (--streams)"
    )
    parser.add_argument(
        "--streams", type=int, default=500, help="pushed tails held open with --asgi (default 500)"
    )
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="auditconsole-load-"))
    env = environment(tmp)
    if args.asgi:
        (tmp / "load_asgi_settings.py").write_text(ASGI_SETTINGS)
        env["DJANGO_SETTINGS_MODULE"] = "load_asgi_settings"
        env["PYTHONPATH"] = os.pathsep.join([str(tmp), str(ROOT)])
    server = writer = None
    try:
        print(f"Preparing {tmp} (migrate, collectstatic, demo data) ...", flush=True)
        prepare(env)
        paths = resolve_paths(env)
        port = free_port()
        server = start_gunicorn(env, port, args.workers, args.threads, args.asgi)
        wait_ready(port, server)
        streams = None
        if args.asgi:
            paths["streamed"] = "1"
            streams = StreamStats()
        writer = subprocess.Popen(
            [PYTHON, "manage.py", "auditconsole_demo_writer", "--interval", "0.5"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        now = time.monotonic()
        phases = {"measure_from": now + args.warmup, "end": now + args.warmup + args.seconds}
        results = Results()
        clients = [Client(port, paths, results, args.think, phases) for _ in range(args.clients)]
        print(
            f"gunicorn on 127.0.0.1:{port}; {args.clients} clients for {args.warmup:g} + {args.seconds:g} s ...",
            flush=True,
        )
        holder = None
        if streams is not None:
            # asyncio's clock is time.monotonic(): the streams close when the run ends.
            holder = threading.Thread(
                target=hold_streams,
                args=(port, paths["tail"], args.streams, phases["end"], streams),
                daemon=True,
            )
            holder.start()
        for client in clients:
            client.start()
        rss: list[tuple[str, dict[int, float]]] = []
        for label, at in (
            ("start", phases["measure_from"]),
            ("middle", now + args.warmup + args.seconds / 2),
            ("end", phases["end"] - 0.5),
        ):
            time.sleep(max(0.0, at - time.monotonic()))
            rss.append((label, sample_rss(server.pid)))
        for client in clients:
            client.join(timeout=120)
        if holder is not None:
            holder.join(timeout=120)
        return 0 if report(args, paths, results, rss, streams) else 1
    finally:
        stop(writer)
        stop(server)
        if args.keep:
            print(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
