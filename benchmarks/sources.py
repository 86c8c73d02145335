"""Benchmark of the file log source on a big JSON-lines file.

    python benchmarks/sources.py            # 1 GiB (the figure the docs quote)
    python benchmarks/sources.py --size 200M --repeat 5

Writes a python-json-logger-shaped file of the requested size under a temporary
directory (deleted afterwards) and measures:

* the newest page: median latency of ``FileSource.page()`` in-process, and of a GET of
  the browse page through Django's test client (full stack: view, form, template);
* text-filtered scans: MB/s for a rare needle (one match at the very start, so the whole
  file is read: page() and the export path iter_records()), for a rare field=value, and
  for a common needle (every other line matches and is parsed; first 100 MB);
* a level-filtered scan (no byte prefilter possible): MB/s;
* peak RSS (``resource.getrusage``) after the scans, against the file's size;
* the same questions asked of ``tail -n 50`` and ``grep -F -c``, for scale.

Figures vary with the machine and its page cache; run it twice and keep the second.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

RARE = "needle-7f3a9c"
COMMON = "apps.billing"
LOGGERS = ("apps.billing", "apps.tickets.views", "django.request", "apps.accounts", "worker.jobs")
LEVELS = ("INFO", "INFO", "INFO", "DEBUG", "WARNING", "AUDIT")
#: One line in this many is an ERROR: what "show me the errors" looks for in a healthy log.
ERROR_EVERY = 10_000


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    if text[-1:] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


#: When the generated files' first record was written.
GENERATED_START = datetime(2026, 4, 1, tzinfo=UTC)


def generate(path: Path, size: int) -> int:
    """Write ``size`` bytes of JSON lines; the rare needle only in the very first line."""
    rng = random.Random(42)

    def line(number: int) -> bytes:
        record = {
            "time": _stamp(number),
            "level": "ERROR" if rng.randrange(ERROR_EVERY) == 0 else rng.choice(LEVELS),
            "name": LOGGERS[number % len(LOGGERS)] if number % 2 else "apps.billing",
            "module": "views",
            "message": RARE
            if number == 0
            else f"request {number} handled in {rng.randrange(1, 900)} ms",
            "user_id": rng.randrange(1, 5000),
            "status": rng.choice(("ok", "ok", "ok", "failed")),
            "request_id": f"{rng.getrandbits(64):016x}",
        }
        return orjson.dumps(record) + b"\n"

    return _write(path, size, line)


def _stamp(number: int) -> str:
    """The time of the generated record ``number``: logging's ``asctime``, 7 ms apart."""
    when = GENERATED_START + timedelta(milliseconds=number * 7)
    return when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"


def _write(path: Path, size: int, line: Callable[[int], bytes]) -> int:
    """Write ``line(0)``, ``line(1)``... until ``size`` bytes are written, in batches;
    return how many."""
    written = count = 0
    with path.open("wb", buffering=4 * 1024 * 1024) as handle:
        batch: list[bytes] = []
        while written < size:
            data = line(count)
            batch.append(data)
            written += len(data)
            count += 1
            if len(batch) >= 10_000:
                handle.write(b"".join(batch))
                batch.clear()
        handle.write(b"".join(batch))
    return count


TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/app/apps/billing/views.py", line 214, in charge\n'
    "    invoice = Invoice.objects.get(pk=invoice_id)\n"
    '  File "/venv/lib/python3.11/site-packages/django/db/models/query.py", line 649, in get\n'
    "    raise self.model.DoesNotExist(\n"
    "apps.billing.models.Invoice.DoesNotExist: Invoice matching query does not exist.\n"
)


def generate_text(path: Path, size: int) -> int:
    """Write ``size`` bytes in logging's classic text format (``asctime [LEVEL] name:
    message``), an ERROR with its traceback once in :data:`ERROR_EVERY` records; the rare
    needle only in the very first record. Returns the number of records."""
    rng = random.Random(42)

    def record(number: int) -> bytes:
        error = rng.randrange(ERROR_EVERY) == 0
        level = "ERROR" if error else rng.choice(LEVELS)
        logger = LOGGERS[number % len(LOGGERS)] if number % 2 else "apps.billing"
        message = (
            RARE
            if number == 0
            else f"request {number} handled in {rng.randrange(1, 900)} ms "
            f"user_id={rng.randrange(1, 5000)} request_id={rng.getrandbits(64):016x}"
        )
        text = f"{_stamp(number)} [{level}] {logger}: {message}\n" + (TRACEBACK if error else "")
        return text.encode()

    return _write(path, size, record)


def median_ms(function, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="1G", help="file size, e.g. 1G, 200M (default 1G)")
    parser.add_argument("--repeat", type=int, default=20, help="runs for the latency medians")
    parser.add_argument("--keep", help="write the file here and keep it (default: a temp dir)")
    args = parser.parse_args()
    size = parse_size(args.size)

    import django

    directory = (
        Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="auditconsole-bench-"))
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "app.log"
    try:
        if not path.exists() or path.stat().st_size < size:
            seconds, lines = timed(lambda: generate(path, size))
            print(
                f"generated {path.stat().st_size / 1e6:,.0f} MB, {lines:,} lines in {seconds:.1f} s"
            )
        file_mb = path.stat().st_size / 1e6
        os.environ["AUDITCONSOLE_LOG_DIR"] = str(directory)
        django.setup()
        from django.conf import settings
        from django.test.utils import override_settings, setup_test_environment

        from auditconsole.sources.query import FieldFilter, Query
        from auditconsole.sources.registry import get_source
        from auditconsole.sources.scanning import Budget, ScanContext

        sources = {
            "bench": {
                "BACKEND": "auditconsole.sources.files.FileSource",
                "OPTIONS": {"path": str(path), "columns": ["status", "user_id"]},
            }
        }
        with override_settings(AUDITCONSOLE_LOG_SOURCES=sources, ALLOWED_HOSTS=["testserver"]):
            source = get_source("bench")
            # Warm the page cache like a log that is being written is warm.
            subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)

            newest = median_ms(lambda: source.page(Query(), None, 50), args.repeat)
            print(f"newest page, in-process:        median {newest:7.2f} ms  ({args.repeat} runs)")

            setup_test_environment()
            from django.test.runner import DiscoverRunner

            runner = DiscoverRunner(verbosity=0)
            old = runner.setup_databases()
            try:
                from django.contrib.auth.models import User
                from django.test import Client

                client = Client()
                client.force_login(User.objects.create_superuser("bench", "b@example.com", "pw"))
                client.get("/audit/logs/bench/")
                http = median_ms(lambda: client.get("/audit/logs/bench/"), args.repeat)
                print(
                    f"newest page, Django test client: median {http:7.2f} ms  ({args.repeat} runs)"
                )
                htmx = median_ms(
                    lambda: client.get("/audit/logs/bench/?level=WARNING", HTTP_HX_REQUEST="true"),
                    args.repeat,
                )
                print(
                    f"filtered fragment (htmx):        median {htmx:7.2f} ms  ({args.repeat} runs)"
                )
            finally:
                runner.teardown_databases(old)

            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak RSS before the scans: {rss_before:,.0f} MB (file {file_mb:,.0f} MB)")
            for name, query in (
                ("rare needle", Query(text=RARE)),
                ("rare field=value", Query(fields=(FieldFilter.parse("request_id=needle"),))),
            ):
                seconds, page = timed(
                    lambda q=query: source.page(q, None, 50, budget=Budget.unlimited())
                )
                scanned = page.scanned_bytes / 1e6
                print(
                    f"page() {name:16}: {len(page.records):2} hit(s), {page.scanned_records:>11,} lines, "
                    f"{scanned:6,.0f} MB in {seconds:6.2f} s = {scanned / seconds:6,.0f} MB/s"
                )
            seconds, count = timed(lambda: sum(1 for _ in source.iter_records(Query(text=RARE))))
            print(
                f"iter_records rare needle (export path): {count:>8,} hit(s), "
                f"{file_mb:6,.0f} MB in {seconds:6.2f} s = {file_mb / seconds:6,.0f} MB/s"
            )
            common_bytes = int(min(file_mb, 100.0) * 1e6)
            ctx = ScanContext(query=Query(text=COMMON), budget=Budget(max_bytes=common_bytes))
            seconds, count = timed(lambda: sum(1 for _ in source.scan(ctx.query, None, ctx)))
            print(
                f"scan common needle (every other line parsed): {count:>8,} hits, "
                f"{ctx.stats.bytes / 1e6 / seconds:6,.1f} MB/s (first {ctx.stats.bytes / 1e6:,.0f} MB)"
            )
            level_bytes = int(min(file_mb, 100.0) * 1e6)
            seconds, page = timed(
                lambda: source.page(
                    Query(min_level=50), None, 50, budget=Budget(max_bytes=level_bytes)
                )
            )
            print(
                f"page() level >= CRITICAL (no byte prefilter, parses every line): "
                f"{page.scanned_bytes / 1e6 / seconds:6,.1f} MB/s "
                f"({page.scanned_records:,} lines in {seconds:.2f} s, then the byte budget stops it)"
            )
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak RSS after the scans:  {rss_after:,.0f} MB (file {file_mb:,.0f} MB)")

        tail = median_ms(
            lambda: subprocess.run(
                ["tail", "-n", "50", str(path)], stdout=subprocess.DEVNULL, check=True
            ),
            5,
        )
        print(f"tail -n 50:                       median {tail:7.2f} ms")
        for needle in (RARE, COMMON):
            # Into a pipe: with stdout on /dev/null GNU grep stops at the first match.
            seconds, found = timed(
                lambda n=needle: subprocess.run(
                    ["grep", "-F", "-c", n, str(path)], stdout=subprocess.PIPE, check=False
                )
            )
            count = int(found.stdout or 0)
            print(f"grep -F -c {needle:14}: {count:>10,} lines, {file_mb / seconds:7,.0f} MB/s")
        del settings
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
