"""Idle pushed-tail streams on one uvicorn worker, alone: its CPU and RSS per stream.

    python -m benchmarks.idle_streams [--streams 1000] [--idle 10]

The same measurement as the idle-streams rows of ``benchmarks/pairs/tail.py`` (it calls
the same ``benchmarks.tail.streams``), without the latency and rotation runs around it: a
throwaway console on one uvicorn process, ``--streams`` streams opened at once as an
EventSource opens them, left idle ``--idle`` seconds, then one line written. Prints the
worker's CPU while idle, its RSS after the idle time minus before the streams opened,
divided by the streams, and the slowest delivery of that line. Loopback only.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from benchmarks import tail as probe


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds left idle")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="auditconsole-idle-streams-"))
    server = None
    try:
        log = probe.Log(directory / "bench.log")
        for _ in range(500):
            log.write()
        env, session = probe.setup(directory, log)
        server = probe.Uvicorn(env)
        result = probe.streams(server, session, log, args.streams, args.idle)
        print(
            f"{result.opened:,} idle streams ({result.errors} errors), one uvicorn worker: "
            f"CPU {result.idle_core:.2%} of a core, RSS {result.rss_per_stream_kb:.1f} KB per "
            f"stream; one write delivered to all in {max(result.delivered, default=0):,.0f} ms"
        )
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
