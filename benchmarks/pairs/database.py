"""The LogEntry dataset on one database, and the activity and export pairs measured on it.

    python -m benchmarks.pairs.database --json out.json [--rows 100000] [--db PATH]
    python -m tests.services postgres -- python -m benchmarks.pairs.database --json out.json

Without a PostgreSQL ``DATABASE_URL`` the dataset is a SQLite file (``--db PATH`` keeps it
and reuses it when it already holds the rows); with one, a fresh ``auditconsole_bench``
database on that server. Rows come from ``benchmarks/activity.py``'s generator.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks.report import PassResult

AREAS = ("activity", "export")


def database_title() -> str:
    """ "SQLite 3.40.1" or "PostgreSQL 15.14": the server this process is connected to."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
        return f"PostgreSQL {version}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return connection.display_name


def parse_sizes(text: str) -> list[int]:
    """``"100000,1000000"`` -> ``[100000, 1000000]``, sorted, without duplicates."""
    return sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True, help="write the results here")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per pair")
    parser.add_argument("--areas", default=",".join(AREAS))
    parser.add_argument(
        "--export-rows", default="", help="export sizes, e.g. 100000,1000000 (default: --rows)"
    )
    parser.add_argument("--export-repeat", type=int, default=2)
    parser.add_argument("--db", help="SQLite file to create or reuse (default: a temporary one)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL: keep the benchmark database of an earlier run on the same server",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    areas = [area for area in args.areas.split(",") if area]
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    from benchmarks import activity as dataset

    scratch = None
    if not args.db and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        scratch = tempfile.TemporaryDirectory(prefix="auditconsole-bench-db-")
        args.db = str(Path(scratch.name) / "bench.sqlite3")
    dataset.configure(args)
    import django

    django.setup()
    from django.contrib.admin.models import LogEntry
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.pairs import activity, export

    call_command("migrate", verbosity=0)
    ctx = dataset.setup_models()
    reused = LogEntry.objects.count() >= args.rows
    began = time.perf_counter()
    dataset.ensure_rows(args.rows, ctx)
    generated = time.perf_counter() - began
    title = database_title()
    count = LogEntry.objects.count()
    result = PassResult(name=title.split()[0].lower(), title=title)
    # SQLite keeps its file with --keep; PostgreSQL keeps its database with --reuse.
    flag = "--reuse" if connection.vendor == "postgresql" else "--keep"
    origin = (
        f"reused from an earlier run with {flag}" if reused else f"generated in {generated:.0f} s"
    )
    result.meta["facts"] = [f"{count:,} LogEntry rows, {origin}"]
    sizes = [min(size, count) for size in parse_sizes(args.export_rows or str(count))]
    runners = {
        "activity": lambda: activity.run(ctx, args.repeat, title),
        "export": lambda: export.run(sorted(set(sizes)), args.export_repeat, title),
    }
    for area in areas:
        print(f"{title}: {area}", file=sys.stderr, flush=True)
        began = time.perf_counter()
        try:
            result.figures += runners[area]()
        except Exception as exc:  # one broken pair must not lose the others' figures
            traceback.print_exc()
            result.skipped.append(f"{area} on {title}: failed ({type(exc).__name__}: {exc})")
        result.meta[f"{area}_seconds"] = round(time.perf_counter() - began, 1)
    result.write(args.json)
    if scratch is not None:
        from django.db import connections

        connections.close_all()
        scratch.cleanup()


if __name__ == "__main__":
    main()
