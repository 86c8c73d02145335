"""Benchmark of CSV export: streaming vs django-import-export's ``Resource.export()``.

    .venv/bin/python -m benchmarks.export [--rows 1000000] [--rounds 2] [--db PATH]
    .venv/bin/python -m tests.services postgres -- .venv/bin/python -m benchmarks.export

Builds the same ``LogEntry`` table as ``benchmarks/activity.py`` (its generator is
imported, not copied), then, in one run, alternates two ways of exporting every row as
the superuser, each in a fresh child process:

* **stream**: a GET of ``activity/export.csv`` through Django's test client, its
  ``StreamingHttpResponse`` consumed to the end (view, plan, resource, csv.writer, audit);
* **stream-no-digest**: the same download with the SHA-256 of the manifest switched off
  (``CsvStream.digest_factory`` replaced by a hasher that does nothing), to show what
  hashing every byte while streaming costs (the manifest's signing and chaining happen
  once per export either way). On a shared machine the difference between two runs is
  mostly noise, so the **stream** child also measures the CPU time spent inside the hash
  itself (``hashlib.sha256().update()`` of every chunk), which the noise hardly touches;
* **import-export**: ``LogEntryResource().export(queryset)`` of the same queryset (the
  same resource and rendering, so the difference is import-export's per-cell bookkeeping
  and the ``tablib.Dataset`` it fills), then ``dataset.csv``.

Each child reports rows/s (wall clock, and per CPU-second of the child, which the other
jobs on a shared machine disturb less) and its peak RSS above its own idle baseline
(``resource.getrusage(RUSAGE_SELF).ru_maxrss`` after Django is set up and the client
logged in, before the export). ``--ie-rows`` exports fewer rows with import-export when
a million would not fit. A pure-Python loop is timed too, to compare machines.

``--methods`` runs some of them only (``--methods stream stream-no-digest`` for the cost of
the hash alone). ``--db PATH`` keeps the SQLite file and reuses it when it already has the
rows.
Not part of the test suite: figures belong in docs/export.md, not in assertions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.activity import configure, ensure_rows, setup_models

METHODS = ("stream", "stream-no-digest", "import-export")
STREAMS = ("stream", "stream-no-digest")
#: Issue 17: at least 200,000 rows a second at a million rows.
TARGET_ROWS_PER_SECOND = 200_000
TARGET_EXTRA_MB = 100


def maxrss_mb() -> float:
    import resource

    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TimedDigest:
    """hashlib.sha256, counting the CPU seconds its update() takes."""

    spent = 0.0

    def __init__(self) -> None:
        self._inner = hashlib.sha256()

    def update(self, data: bytes) -> None:
        began = time.process_time()
        self._inner.update(data)
        TimedDigest.spent += time.process_time() - began

    def hexdigest(self) -> str:
        return self._inner.hexdigest()


class NoDigest:
    """Stands in for hashlib.sha256 in the stream: hashes nothing."""

    def update(self, data: bytes) -> None:
        pass

    def hexdigest(self) -> str:
        return ""


def python_speed() -> float:
    """Seconds of CPU for ten million iterations of an empty loop (about 0.15 s on a recent laptop)."""
    began = time.process_time()
    for _ in range(10_000_000):
        pass
    return time.process_time() - began


# -- the child: one export, measured ---------------------------------------------------------


def child(method: str, rows: int, result_path: str) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.http import QueryDict
    from django.test import Client

    from auditconsole.export.plans import ActivityPlan
    from auditconsole.export.resources import LogEntryResource
    from auditconsole.export.streaming import CsvStream

    CsvStream.digest_factory = NoDigest if method == "stream-no-digest" else TimedDigest

    settings.AUDITCONSOLE_EXPORT_MAX_ROWS = rows + 1
    root = User.objects.get(username="bench-root")
    client = Client()
    client.force_login(root)
    queryset = ActivityPlan(QueryDict(), root).queryset()
    list(queryset[:1])  # the connection is open and the query compiled once: still idle
    idle = maxrss_mb()

    wall, cpu = time.perf_counter(), time.process_time()
    if method in STREAMS:
        response = client.get("/audit/activity/export.csv")
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\r\n")
        written = lines - 1  # the header
    else:
        resource = LogEntryResource()
        dataset = resource.export(LogEntryResource.values(queryset[:rows]))
        text = dataset.csv
        size, written = len(text.encode()), len(dataset)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    Path(result_path).write_text(
        json.dumps(
            {
                "method": method,
                "rows": written,
                "bytes": size,
                "wall": wall,
                "cpu": cpu,
                "idle_mb": idle,
                "peak_mb": maxrss_mb(),
                "digest_cpu": TimedDigest.spent,
            }
        )
    )


# -- the parent: data, alternation, table ------------------------------------------------------


def run_child(method: str, rows: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = handle.name
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.export",
                "--child",
                method,
                "--rows",
                str(rows),
                "--result",
                result,
            ],
            check=True,
            stdout=subprocess.DEVNULL,  # the console's own log (the audit record) goes to stdout
            env=os.environ.copy(),
        )
        return json.loads(Path(result).read_text())
    finally:
        os.unlink(result)


def row_line(name: str, result: dict) -> str:
    extra = result["peak_mb"] - result["idle_mb"]
    return (
        f"| {name} | {result['rows']:,} | {result['wall']:.1f} s | {result['rows'] / result['wall']:,.0f} "
        f"| {result['rows'] / result['cpu']:,.0f} | {extra:,.0f} MB | {result['idle_mb']:.0f} MB "
        f"| {result['bytes'] / 1e6:,.0f} MB |"
    )


def parent(args: argparse.Namespace) -> None:
    backend = configure(args)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    ensure_rows(args.rows, setup_models())
    ie_rows = args.ie_rows or args.rows
    methods = args.methods or METHODS
    results: dict[str, list[dict]] = {method: [] for method in methods}
    for round_number in range(args.rounds):
        for method in methods:
            print(f"  round {round_number + 1}: {method} ...", file=sys.stderr, flush=True)
            rows = args.rows if method in STREAMS else ie_rows
            results[method].append(run_child(method, rows))

    speed = python_speed()
    print(f"\n### {backend}, {args.rows:,} LogEntry rows, {args.rounds} alternating rounds\n")
    print(f"Python reference: an empty 10M-iteration loop takes {speed:.2f} s of CPU here.\n")
    print(
        "| Export | Rows | Wall | Rows/s (wall) | Rows/s (CPU) | Peak RSS above idle | Idle RSS | CSV |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for method in methods:
        for number, result in enumerate(results[method], start=1):
            print(row_line(f"{method} #{number}", result))

    def median(method: str, key) -> float:
        return statistics.median(key(r) for r in results[method])

    if "stream" in results and "stream-no-digest" in results:
        with_rate = median("stream", lambda r: r["rows"] / r["wall"])
        without_rate = median("stream-no-digest", lambda r: r["rows"] / r["wall"])
        with_cpu = median("stream", lambda r: r["rows"] / r["cpu"])
        without_cpu = median("stream-no-digest", lambda r: r["rows"] / r["cpu"])
        with_mb = median("stream", lambda r: r["peak_mb"] - r["idle_mb"])
        without_mb = median("stream-no-digest", lambda r: r["peak_mb"] - r["idle_mb"])
        print(
            f"\nThe manifest's SHA-256: {with_rate:,.0f} rows/s wall with it, "
            f"{without_rate:,.0f} without ({(with_rate / without_rate - 1) * 100:+.1f}%); "
            f"{with_cpu:,.0f} rows/CPU-s with it, {without_cpu:,.0f} without "
            f"({(with_cpu / without_cpu - 1) * 100:+.1f}%); peak RSS above idle "
            f"{with_mb:,.0f} MB with it, {without_mb:,.0f} MB without."
        )
    if "stream" in results:
        hashing = median("stream", lambda r: r["digest_cpu"])
        share = median("stream", lambda r: r["digest_cpu"] / r["cpu"])
        print(
            f"Inside the hash (stream runs): {hashing:.2f} s of CPU per export, "
            f"{share * 100:.1f}% of the export's CPU time."
        )
    if "stream" not in results or "import-export" not in results:
        return
    stream_rate = median("stream", lambda r: r["rows"] / r["wall"])
    stream_cpu = median("stream", lambda r: r["rows"] / r["cpu"])
    ie_rate = median("import-export", lambda r: r["rows"] / r["wall"])
    ie_cpu = median("import-export", lambda r: r["rows"] / r["cpu"])
    stream_mb = median("stream", lambda r: r["peak_mb"] - r["idle_mb"])
    ie_mb = median("import-export", lambda r: r["peak_mb"] - r["idle_mb"])
    print(
        f"\nMedians. stream: {stream_rate:,.0f} rows/s wall, {stream_cpu:,.0f} rows/CPU-s, "
        f"{stream_mb:,.0f} MB above idle (targets: >= {TARGET_ROWS_PER_SECOND:,} rows/s, "
        f"< {TARGET_EXTRA_MB} MB). import-export: {ie_rate:,.0f} rows/s wall, {ie_cpu:,.0f} rows/CPU-s, "
        f"{ie_mb:,.0f} MB above idle."
    )
    print(
        f"Ratio stream / import-export: {stream_rate / ie_rate:.1f}x the throughput (wall), "
        f"{stream_cpu / ie_cpu:.1f}x (CPU); peak memory above idle {stream_mb:,.0f} MB "
        f"against {ie_mb:,.0f} MB."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ie-rows", type=int, help="rows for import-export (default: --rows)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--db", help="SQLite file to create or reuse (default: a temporary one)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, help="run only these")
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.rows, args.result)
    else:
        parent(args)


if __name__ == "__main__":
    main()
