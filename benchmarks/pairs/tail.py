"""Live tail: write-to-display latency against a polling ``tail``, and idle-poll CPU.

    python -m benchmarks.pairs.tail --json out.json [--lines 30] [--polls 300]

Builds on ``benchmarks/tail.py`` (its throwaway console, gunicorn, and Chromium latency
probe). While Chromium watches the tail page, two ``tail -f`` processes follow the same
file and stamp the same lines as they arrive: GNU tail polling every ``N`` seconds
(``---disable-inotify -s N``: what any poller with that interval can reach at best) and
plain ``tail -f`` (inotify: no polling at all).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.measure import median, percentile
from benchmarks.report import Figure, PassResult

AREA = "tail"
#: Messages of the lines whose latency the Chromium probe measures ("lat 17").
PROBE_PREFIX = "lat "
#: How long the idle polling tail runs to measure its CPU, and how often it polls.
IDLE_SECONDS = 10.0
IDLE_INTERVAL = 0.001

WHY_LATENCY = (
    "A poller shows a line at the first poll after it is written, then the request, the "
    "swap and the browser's paint come on top; `tail -s N` does the first part only, and "
    "inotify-driven `tail -f` none of it. Lower `AUDITCONSOLE_TAIL_POLL_SECONDS` to trade "
    "server load for latency."
)
WHY_CPU = (
    "Each idle poll is a whole HTTP request through Django (session, user, permission, "
    "source lookup, a stat of the file) to answer 204; a polling `tail` makes one `fstat` "
    "system call. An open tab costs the server about 3,600 such requests an hour."
)


def written_at(line: bytes) -> tuple[str, float] | None:
    """(message, write time in epoch ms) of a probe line written by ``benchmarks/tail.py``."""
    try:
        record = json.loads(line)
        message = record["message"]
        moment = datetime.strptime(record["time"], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC)
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(message, str) or not message.startswith(PROBE_PREFIX):
        return None
    return message, moment.timestamp() * 1000


class Follower:
    """A ``tail -f`` of the file; records each probe line's latency as it arrives."""

    def __init__(self, argv: list[str], path: Path) -> None:
        self.process = subprocess.Popen(
            [*argv, "-n", "0", "-f", str(path)], stdout=subprocess.PIPE, bufsize=0
        )
        self.latencies: dict[str, float] = {}
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            arrived = time.time() * 1000
            found = written_at(line)
            if found is not None:
                message, at = found
                self.latencies[message] = arrived - at

    def stop(self) -> list[float]:
        self.process.terminate()
        self.process.wait(10)
        self.thread.join(10)
        return list(self.latencies.values())


def process_cpu_ms(pid: int) -> float:
    """utime + stime of a process, in milliseconds (clock-tick resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def polling_tail_cpu(path: Path, seconds: float = IDLE_SECONDS) -> tuple[float, float]:
    """(CPU ms, polls) of ``tail ---disable-inotify -s 0.001`` following an idle file.

    Polls are counted as elapsed time ÷ interval, an upper bound (each sleep overshoots a
    little), so the cost per poll is if anything understated: in the anchor's favour.
    """
    process = subprocess.Popen(
        ["tail", "---disable-inotify", "-s", str(IDLE_INTERVAL), "-n", "0", "-f", str(path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.2)
        cpu, wall = process_cpu_ms(process.pid), time.perf_counter()
        time.sleep(seconds)
        used = process_cpu_ms(process.pid) - cpu
        polls = (time.perf_counter() - wall) / IDLE_INTERVAL
    finally:
        process.terminate()
        process.wait(10)
    return used, polls


def latency_figures(
    poll_seconds: float, ours: list[float], polling: list[float], inotify: list[float]
) -> list[Figure]:
    figures = []
    for label, fraction in (("median", 0.5), ("p95", 0.95)):
        stat = median if fraction == 0.5 else (lambda values: percentile(values, 0.95))
        floor = poll_seconds * 1000 * fraction
        for anchor, theirs, note in (
            (
                f"`tail -f -s {poll_seconds:g}` (polling)",
                polling,
                f"theoretical floor of a {poll_seconds:g} s poll: {floor:,.0f} ms",
            ),
            ("`tail -f` (inotify)", inotify, "no polling: the disk-to-screen limit"),
        ):
            figures.append(
                Figure(
                    area=AREA,
                    measure=f"write → display, {label}, poll every {poll_seconds:g} s",
                    anchor=anchor,
                    unit="ms",
                    ours=stat(ours),
                    theirs=stat(theirs),
                    samples=len(ours),
                    note=f"{note}; {len(ours)} lines, {len(theirs)} seen by the anchor",
                    why=WHY_LATENCY,
                )
            )
    return figures


WHY_PUSHED = (
    "`tail -f` prints a line the moment inotify reports the write; the pushed tail then "
    "reads and renders it in a worker thread, sends it through uvicorn, and the browser "
    "parses the event and swaps it into the DOM."
)
WHY_STREAMS = (
    "An idle stream costs the worker a timer (heartbeat, session check) and an open "
    "socket; an idle poller costs a whole request per second."
)
WHY_STREAM_MEMORY = (
    "Live Python objects are about 45 KB per stream (`python -m benchmarks.stream_memory`: "
    "uvicorn's connection, Django's request, held by its ASGI handler until the response "
    "ends, and the handler's tasks); the rest of the RSS is memory the connection burst "
    "leaves with the allocator: Django's ASGI handler runs each connecting request's sync "
    "part (middleware, the checks) in a thread of its own, a thousand at once here, and "
    "glibc keeps what they freed in its arenas until the hub's `malloc_trim` returns it."
)
#: Tabs following the rotation runs.
TABS = 5
#: Streams opened on one uvicorn worker for the idle and fan-out figures.
STREAMS = 1000
STREAM_IDLE_SECONDS = 10.0


def pushed_figures(
    probe: object,
    env: dict[str, str],
    session: str,
    log: object,
    lines: int,
    poller: list[float],
    poll_cpu_ms: float,
    count: int = STREAMS,
) -> list[Figure]:
    """The pushed tail over ASGI, beside ``tail -f`` and the 1 s poller of the same run."""
    figures: list[Figure] = []
    server = probe.Uvicorn(env)  # type: ignore[attr-defined]
    try:
        inotify = Follower(["tail"], log.path)  # type: ignore[attr-defined]
        try:
            ours = probe.display_latency(server, session, log, lines)  # type: ignore[attr-defined]
            time.sleep(0.5)
            follower_rss = probe.rss_kb(inotify.process.pid)  # type: ignore[attr-defined]
        finally:
            seen_inotify = inotify.stop()
        for label, fraction, target in (("median", 0.5, 50.0), ("p95", 0.95, 150.0)):
            stat = median if fraction == 0.5 else (lambda values: percentile(values, 0.95))
            for anchor, theirs, note in (
                ("`tail -f` (inotify)", seen_inotify, "the disk-to-screen limit"),
                ("today's poller, every 1 s (this run)", poller, "the same probe on gunicorn"),
            ):
                figures.append(
                    Figure(
                        area=AREA,
                        measure=f"write → display, {label}, pushed (SSE over uvicorn)",
                        anchor=anchor,
                        unit="ms",
                        ours=stat(ours),
                        theirs=stat(theirs),
                        samples=len(ours),
                        note=f"{note}; {len(ours)} lines, {len(theirs)} seen by the anchor",
                        why=WHY_PUSHED,
                        target=target,
                    )
                )
        print("  tail: pushed latency: done", flush=True)
        opened = probe.streams(server, session, log, count, STREAM_IDLE_SECONDS)  # type: ignore[attr-defined]
        figures.append(
            Figure(
                area=AREA,
                measure=f"{opened.opened:,} idle streams, one uvicorn worker: CPU",
                anchor=f"today's poller: {opened.opened:,} tabs at 1 poll/s",
                unit="% of a core",
                ours=opened.idle_core * 100,
                # This run's CPU per idle poll on gunicorn, a thousand times a second.
                theirs=poll_cpu_ms * opened.opened / 1000 * 100,
                samples=opened.opened,
                note=f"{STREAM_IDLE_SECONDS:g} s idle, heartbeat every 15 s, session check every "
                f"30 s; {opened.errors} errors",
                why=WHY_STREAMS,
                target=5.0,
            )
        )
        figures.append(
            Figure(
                area=AREA,
                measure=f"{opened.opened:,} idle streams, one uvicorn worker: memory per stream",
                anchor="`tail -f` process (RSS, one per follower)",
                unit="KB",
                ours=opened.rss_per_stream_kb,
                theirs=float(follower_rss),
                samples=opened.opened,
                note=f"the worker's RSS after {STREAM_IDLE_SECONDS:g} s idle, minus before "
                "opening them, ÷ streams",
                target=100.0,
                over_why=WHY_STREAM_MEMORY,
            )
        )
        delivered = sorted(opened.delivered)
        figures.append(
            Figure(
                area=AREA,
                measure=f"one write, {opened.opened:,} streams on the source: all delivered",
                anchor="`tail -f` (inotify), median",
                unit="ms",
                ours=delivered[-1] if delivered else None,
                theirs=median(seen_inotify),
                samples=len(delivered),
                note=f"median stream {median(delivered) or 0:,.0f} ms; over HTTP on loopback, "
                "client and server on the same 2 cores",
                why=WHY_PUSHED,
                target=500.0,
            )
        )
        print("  tail: idle streams and fan-out: done", flush=True)
        for restart in (False, True):
            found, server = probe.rotations(server, env, session, log.path, TABS, restart)  # type: ignore[attr-defined]
            lost = sum(tab[0] + tab[1] for tab in found.tabs)
            connections = sorted({tab[2] for tab in found.tabs})
            figures.append(
                Figure(
                    area=AREA,
                    measure=f"{found.rotations} rotations under steady writing, {TABS} tabs"
                    + (", server killed and restarted mid-way" if restart else "")
                    + ": lines lost or doubled",
                    anchor="`tail -F` (follows the name)",
                    unit="lines",
                    ours=float(lost),
                    theirs=float(sum(found.anchor)),
                    samples=found.written,
                    note=f"{found.written} lines through a RotatingFileHandler; per tab (lost, "
                    f"doubled): {', '.join(f'{a}/{b}' for a, b, _ in found.tabs)}; "
                    f"connections per tab: {'/'.join(map(str, connections))} (resumed with "
                    "Last-Event-ID); `tail -F` lost "
                    f"{found.anchor[0]}, doubled {found.anchor[1]}",
                )
            )
        print("  tail: rotations: done", flush=True)
    finally:
        server.stop()
    reads, renders, elapsed = probe.fanout_in_process(log, count)  # type: ignore[attr-defined]
    figures.append(
        Figure(
            area=AREA,
            measure=f"one write, {count:,} tabs at one position: reads and renders",
            anchor="today's poller (one read and render per tab)",
            unit="calls",
            ours=float(reads + renders),
            theirs=float(2 * count),
            samples=count,
            note=f"{reads} read, {renders} render; every tab's queue had it in {elapsed:.1f} ms "
            "(the hub in-process)",
        )
    )
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True, help="write the results here")
    parser.add_argument("--lines", type=int, default=30, help="probe lines per latency run")
    parser.add_argument("--polls", type=int, default=300, help="idle polls for the CPU figure")
    parser.add_argument("--streams", type=int, default=STREAMS, help="streams on one worker")
    args = parser.parse_args(argv)
    result = PassResult(name="tail", title="Live tail")
    directory = Path(tempfile.mkdtemp(prefix="auditconsole-bench-tail-"))
    servers: list = []
    try:
        try:
            from benchmarks import tail as probe

            needed = ("Log", "setup", "Gunicorn", "poll_cpu_in_process", "idle_cpu_gunicorn")
            missing = [name for name in needed if not hasattr(probe, name)]
        except ImportError as exc:
            missing = [str(exc)]
        if missing:
            result.skipped.append(f"benchmarks/tail.py lacks {', '.join(missing)}")
            return
        log = probe.Log(directory / "bench.log")
        for _ in range(500):
            log.write()
        result.meta["facts"] = ["one JSON-lines source, SQLite, gunicorn with one sync worker"]
        env, session = probe.setup(directory, log)
        used, polls = polling_tail_cpu(log.path)
        anchor_cpu = used / polls
        cpu, _wall, five_lines = probe.poll_cpu_in_process(log, args.polls)
        result.figures.append(
            Figure(
                area=AREA,
                measure="CPU per idle poll, in-process (test client)",
                anchor="`tail -f` polling (per poll)",
                unit="ms",
                ours=cpu,
                theirs=anchor_cpu,
                samples=args.polls,
                note=f"tail polled every {IDLE_INTERVAL * 1000:g} ms for {IDLE_SECONDS:g} s; "
                f"ours, a poll bringing 5 new lines: {five_lines:.1f} ms",
                why=WHY_CPU,
            )
        )
        server = probe.Gunicorn(env, 1.0)
        servers.append(server)
        cpu, wall = probe.idle_cpu_gunicorn(server, session, args.polls)
        poll_cpu_ms = cpu
        result.figures.append(
            Figure(
                area=AREA,
                measure="CPU per idle poll, gunicorn worker",
                anchor="`tail -f` polling (per poll)",
                unit="ms",
                ours=cpu,
                theirs=anchor_cpu,
                samples=args.polls,
                note=f"{wall:.1f} ms per poll seen by the client; one tab: "
                f"{cpu * 3.6:,.0f} s of CPU per hour",
                why=WHY_CPU,
            )
        )
        if not hasattr(probe, "display_latency") or not Path("/usr/bin/chromium").exists():
            result.skipped.append("write-to-display latency: Chromium or the probe is missing")
            return
        for poll_seconds in (1.0, 0.25):
            if poll_seconds != 1.0:
                server.stop()
                server = probe.Gunicorn(env, poll_seconds)
                servers.append(server)
            polling = Follower(["tail", "---disable-inotify", "-s", f"{poll_seconds:g}"], log.path)
            inotify = Follower(["tail"], log.path)
            try:
                ours = probe.display_latency(server, session, log, args.lines)
                time.sleep(poll_seconds + 0.5)  # the polling tail's last poll
            finally:
                seen_polling, seen_inotify = polling.stop(), inotify.stop()
            result.figures += latency_figures(poll_seconds, ours, seen_polling, seen_inotify)
            print(f"  tail: latency at {poll_seconds:g} s: done", flush=True)
            if poll_seconds == 1.0:
                poller = ours
        server.stop()
        if hasattr(probe, "Uvicorn"):
            result.meta["facts"].append("the pushed tail: uvicorn, one worker")
            result.figures += pushed_figures(
                probe, env, session, log, args.lines, poller, poll_cpu_ms, args.streams
            )
    except Exception as exc:  # the note says so, keeping the figures taken so far
        traceback.print_exc()
        result.skipped.append(f"live tail: failed ({type(exc).__name__}: {exc})")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)
        result.write(args.json)


if __name__ == "__main__":
    sys.exit(main())
