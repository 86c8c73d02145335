"""Log browse against ``tail -n 50`` and ``grep -F -c``, on one generated JSON-lines file.

    python -m benchmarks.pairs.logs --json out.json [--log-size 100M] [--repeat 7]

The file comes from ``benchmarks/sources.py``'s generator (python-json-logger records, a
rare needle in the very first line only, so finding it reads the whole file newest-first).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from benchmarks.measure import (
    BenchmarkError,
    alternate,
    command_peak_rss_mb,
    median,
    peak_rss_mb,
)
from benchmarks.report import Figure, PassResult

AREA = "logs"
KEY = "bench"
#: Whole-file scans are long: fewer rounds than the latency pairs, no warm-up round (the
#: file is in the page cache already, and the code warmed up on the latency pairs).
SCAN_REPEAT = 3
LEVEL_PATTERN = '"level":"(ERROR|CRITICAL)"'

WHY_SCAN = (
    "grep searches raw bytes with a tuned memchr/Boyer-Moore loop in C and never looks "
    "at a line twice. Ours reads blocks newest-first in Python, searches each with RE2 "
    "for the filter's byte conditions, counts the lines it skips (for the page's figures) "
    "and parses (orjson) and redacts only the lines found."
)
WHY_PARSE = (
    "Every matching line becomes a record: parsed, its time and level read, redacted, "
    "about 15-25 µs a line in Python, against grep's counting of bytes. This is the cost "
    "of showing and filtering structured records rather than lines."
)
WHY_WINDOW = (
    "Both answer at once near the start of the file; ours also binary-searches the "
    "file for the window's edges and parses the page's records."
)
TARGET_SCAN = "The issue's target is a ratio to the anchor: shown here as a time."
WHY_TAIL = (
    "`tail` seeks to the end and prints 50 lines; ours also parses and redacts them into records."
)
WHY_PAGE = (
    "The browse page is a whole Django request (session, permissions, form, a 50-row "
    "template with facets), against a process that prints 50 lines."
)
WHY_RSS = (
    "The figure is mostly the Python interpreter with Django loaded (see the baseline); "
    "the scan itself adds a block of a few MiB, whatever the file's size."
)


def prefix_copy(source: Path, target: Path, size: int) -> Path:
    """The first ``size`` bytes of ``source``, cut at a line end (``source`` if smaller)."""
    if source.stat().st_size <= size:
        return source
    with source.open("rb") as handle:
        data = handle.read(size)
    target.write_bytes(data[: data.rfind(b"\n") + 1])
    return target


def command(argv: list[str]) -> Callable[[], bytes]:
    """A subject that runs ``argv`` with its output in a pipe (GNU grep writing to
    /dev/null may stop at the first match) and returns it."""

    def call() -> bytes:
        result = subprocess.run(argv, stdout=subprocess.PIPE, check=False)
        if result.returncode not in (0, 1):  # grep: 1 means no match
            raise BenchmarkError(f"{argv[0]} exited {result.returncode}")
        return result.stdout

    return call


def pair(
    measure: str,
    anchor: str,
    ours: Callable[[], object],
    theirs: Callable[[], object],
    repeat: int,
    *,
    unit: str = "ms",
    note: str = "",
    why: str = "",
) -> Figure:
    ours_ms, theirs_ms = alternate([ours, theirs], repeat, warmup=0 if unit == "s" else 2)
    scale = 1000 if unit == "s" else 1
    print(f"  logs: {measure}: done", flush=True)
    return Figure(
        area=AREA,
        measure=measure,
        anchor=anchor,
        unit=unit,
        ours=median(ours_ms) / scale,
        theirs=median(theirs_ms) / scale,
        samples=repeat,
        note=note,
        why=why,
    )


def long_lines_file(directory: Path, size: int) -> Path:
    """JSON lines of 64 KB each (messages of ``a``), ``size`` bytes in all: the worst case
    for a regular expression such as ``.*[xy]z`` under a backtracking engine."""
    path = directory / f"long-{size}.log"
    if not path.exists():
        line = b'{"time": "2026-04-01 00:00:00,000", "level": "INFO", "message": "'
        line += b"a" * (64 * 1024 - len(line) - 3) + b'"}\n'
        path.write_bytes(line * max(1, size // len(line)))
    return path


def measure_all(path: Path, sample: Path, long_lines: Path, repeat: int) -> list[Figure]:
    """Every pair; Django is set up and the test database holds a superuser ``bench``."""
    from datetime import datetime, timedelta

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from auditconsole.sources import levels
    from auditconsole.sources.files import FileSource
    from auditconsole.sources.query import Query
    from auditconsole.sources.registry import get_source
    from auditconsole.sources.scanning import Budget
    from benchmarks.sources import COMMON, RARE

    source = get_source(KEY)
    sample_source = (
        FileSource(KEY, {"OPTIONS": {"path": str(sample)}}) if sample != path else source
    )
    long_source = FileSource(KEY, {"OPTIONS": {"path": str(long_lines)}})
    file_mb = path.stat().st_size / 1e6
    sample_mb = sample.stat().st_size / 1e6
    long_mb = long_lines.stat().st_size / 1e6
    # A log being written is in the page cache; so is this one.
    for warm in (path, long_lines):
        subprocess.run(["cat", str(warm)], stdout=subprocess.DEVNULL, check=True)
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    browse = f"/audit/logs/{KEY}/"
    baseline = peak_rss_mb()

    def browse_page() -> None:
        response = client.get(browse)
        if response.status_code != 200:
            raise BenchmarkError(f"GET {browse}: HTTP {response.status_code}")

    def count(iterator_factory: Callable[[], object]) -> Callable[[], int]:
        return lambda: sum(1 for _ in iterator_factory())  # type: ignore[attr-defined]

    def whole(query: Query) -> Callable[[], object]:
        """Browse with no budget and a page larger than the matches: the whole file."""
        return lambda: source.page(query, None, 100_000, budget=Budget.unlimited())

    def window(start: datetime) -> Callable[[], object]:
        query = Query(since=start, until=start + timedelta(minutes=15))
        return lambda: source.page(query, None, 50)

    def against(target_ratio: float, figure: Figure, issue: str) -> Figure:
        """The issue's target, a ratio to the anchor, as a time for ``figure``."""
        if figure.theirs is None:
            return figure
        return replace(figure, target=figure.theirs / target_ratio, over_why=issue)

    first = timezone.make_aware(datetime(2026, 4, 1))  # the generator's first line
    tail = command(["tail", "-n", "50", str(path)])
    rare = ["grep", "-F", "-c", RARE, str(path)]
    level = command(["grep", "-E", "-c", LEVEL_PATTERN, str(path)])
    parse_all = r"handled in 1[0-9][0-9] ms"
    figures = [
        pair(
            "newest page (50 records)",
            "`tail -n 50`",
            lambda: source.page(Query(), None, 50),
            tail,
            repeat,
            note="ours: `FileSource.page()` in-process",
            why=WHY_TAIL,
        ),
        pair(
            "newest page, browse view (test client)",
            "`tail -n 50`",
            browse_page,
            tail,
            repeat,
            note="ours: the whole page through Django's test client",
            why=WHY_PAGE,
        ),
    ]
    newest = source.newest_time() or first
    middle = first + (newest - first) / 2
    for label, start in (("oldest end", first), ("middle", middle)):
        minute = (start + timedelta(minutes=7)).strftime("%Y-%m-%d %H:%M")
        figure = pair(
            f"15-minute window at the {label}, first page",
            "`grep -m 50 -F` on a minute of it",
            window(start),
            command(["grep", "-m", "50", "-c", "-F", minute, str(path)]),
            repeat,
            note="ours: `page()` with `since` and `until`, found by binary search",
            why=WHY_WINDOW,
        )
        figures.append(replace(figure, target=50.0))
    figures += [
        against(
            0.5,
            pair(
                "text filter, rare needle: whole file",
                "`grep -F -c`",
                lambda: source.page(Query(text=RARE), None, 50, budget=Budget.unlimited()),
                command(rare),
                SCAN_REPEAT,
                unit="s",
                note=f"{file_mb:,.0f} MB scanned; ours: `page()` with no budget",
                why=WHY_SCAN,
            ),
            TARGET_SCAN,
        ),
        against(
            0.5,
            pair(
                "text filter, rare needle: export path",
                "`grep -F -c`",
                count(lambda: source.iter_records(Query(text=RARE))),
                command(rare),
                SCAN_REPEAT,
                unit="s",
                note=f"{file_mb:,.0f} MB scanned; ours: `iter_records()`",
                why=WHY_SCAN,
            ),
            TARGET_SCAN,
        ),
        against(
            0.25,
            pair(
                "level ≥ ERROR, whole file (1 line in 10,000): browse",
                f"`grep -E -c '{LEVEL_PATTERN}'`",
                whole(Query(min_level=levels.ERROR)),
                level,
                SCAN_REPEAT,
                unit="s",
                note=f"{file_mb:,.0f} MB; ours: `page()` with no budget",
                why=WHY_SCAN,
            ),
            TARGET_SCAN,
        ),
        against(
            0.25,
            pair(
                "level ≥ ERROR, whole file (1 line in 10,000): export path",
                f"`grep -E -c '{LEVEL_PATTERN}'`",
                count(lambda: source.iter_records(Query(min_level=levels.ERROR))),
                level,
                SCAN_REPEAT,
                unit="s",
                note=f"{file_mb:,.0f} MB; ours: `iter_records()`",
                why=WHY_SCAN,
            ),
            TARGET_SCAN,
        ),
        pair(
            "text filter, common needle: every match parsed",
            "`grep -F -c`",
            count(lambda: sample_source.iter_records(Query(text=COMMON))),
            command(["grep", "-F", "-c", COMMON, str(sample)]),
            SCAN_REPEAT,
            unit="s",
            note=f"first {sample_mb:,.0f} MB of the file; every other line matches",
            why=WHY_PARSE,
        ),
    ]
    figures += facet_figures(source, client, path, file_mb, repeat)
    figure = pair(
        "regular expression: every line parsed",
        f"`grep -E -c '{parse_all}'`",
        count(lambda: sample_source.iter_records(Query(text=parse_all, regex=True))),
        command(["grep", "-E", "-c", parse_all, str(sample)]),
        SCAN_REPEAT,
        unit="s",
        note=f"first {sample_mb:,.0f} MB of the file; target 50 MB/s",
        why=WHY_PARSE,
    )
    figures.append(
        replace(
            figure,
            target=sample_mb / 50,
            over_why="Each line is parsed and turned into a record before the regex runs.",
        )
    )
    figure = pair(
        "`.*[xy]z` on 64 KB lines",
        "`grep -E -c '.*[xy]z'`",
        count(lambda: long_source.iter_records(Query(text=".*[xy]z", regex=True))),
        command(["grep", "-E", "-c", ".*[xy]z", str(long_lines)]),
        SCAN_REPEAT,
        unit="s",
        note=f"{long_mb:,.1f} MB of 64 KB lines; target 100 ms per MB",
        why=WHY_PARSE,
    )
    figures.append(replace(figure, target=long_mb * 0.1))
    figures.append(
        Figure(
            area=AREA,
            measure="peak RSS, whole-file text filter",
            anchor="`grep -F -c`",
            unit="MB",
            ours=peak_rss_mb(),
            theirs=command_peak_rss_mb(rare),
            samples=1,
            note=f"ours: this process after every scan above; before them {baseline:,.0f} MB",
            why=WHY_RSS,
        )
    )
    return figures


WHY_FACETS_FIRST = (
    "Counting reads every line's time, level and logger: orjson and a few dict lookups "
    "per line in Python (about 3 µs), against grep's and sort's C. A browse request "
    "stops at its scan budget (3 s) with the counts so far and the page goes on asking; "
    "what was counted is kept, so the work is done once per file."
)
WHY_FACETS_AGAIN = (
    "Ours sums the per-minute tallies kept from the first count (the live file's new "
    "bytes only are read); the pipeline has nothing to keep and reads the file again."
)


def facet_figures(
    source: object, client: object, path: Path, file_mb: float, repeat: int
) -> list[Figure]:
    """Facets and the volume histogram over the whole file: counted, then kept."""
    from auditconsole.sources.files import tally
    from auditconsole.sources.files.facets import count_facets
    from auditconsole.sources.query import Query
    from auditconsole.sources.scanning import Budget

    pipeline = command(["sh", "-c", f"grep -o -E '\"level\":\"[A-Z]+\"' '{path}' | sort | uniq -c"])

    def first() -> object:
        tally.TALLIES.clear()
        return count_facets(source, Query(), Budget.unlimited())  # type: ignore[arg-type]

    facets_url = f"/audit/logs/{KEY}/facets/"

    def again() -> None:
        response = client.get(facets_url, HTTP_HX_REQUEST="true")  # type: ignore[attr-defined]
        if response.status_code != 200 or b"so far" in response.content:
            raise BenchmarkError(f"GET {facets_url}: not a whole count from the kept tallies")

    figures = [
        replace(
            pair(
                "facets and histogram, whole file, first time",
                FACETS_ANCHOR,
                first,
                pipeline,
                SCAN_REPEAT,
                unit="s",
                note=f"{file_mb:,.0f} MB; ours: `count_facets()` with no budget, nothing kept",
                why=WHY_FACETS_FIRST,
            ),
            target=3.0,
            over_why="Every line is decoded in Python; see why.",
        )
    ]
    first()  # kept for the second look
    figures.append(
        replace(
            pair(
                "facets and histogram, whole file, second time",
                FACETS_ANCHOR,
                again,
                pipeline,
                SCAN_REPEAT,
                unit="ms",
                note="ours: the facets fragment through the test client, from the kept tallies",
                why=WHY_FACETS_AGAIN,
            ),
            target=100.0,
        )
    )
    return figures


TEXT_LEVEL_PATTERN = r"\[(ERROR|CRITICAL)\]"
FACETS_ANCHOR = "`grep -o -E '\"level\":…' | sort | uniq -c`"
TEXT_FACETS_ANCHOR = r"`grep -o -E '\[[A-Z]+\]' | sort | uniq -c`"
TEXT_OVER_WHY = (
    "Every line is still decoded and matched against the format to find where records "
    "start; only the records whose bytes may match are built."
)
WHY_TEXT = (
    "A text record may span lines (a traceback), so no line can be skipped on its bytes: "
    "each line is decoded and matched against the text format to find where records "
    "start, and each record parsed, in Python."
)


def text_figures(path: Path, repeat: int) -> list[Figure]:
    """The classic text format with tracebacks: the scans, a window and the facets."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from auditconsole.sources import levels
    from auditconsole.sources.files import FileSource, tally
    from auditconsole.sources.files.facets import count_facets
    from auditconsole.sources.query import Query
    from auditconsole.sources.scanning import Budget
    from benchmarks.sources import RARE

    source = FileSource(f"{KEY}-text", {"OPTIONS": {"path": str(path)}})
    file_mb = path.stat().st_size / 1e6
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)
    label = f"text format ({file_mb:,.0f} MB, tracebacks)"
    pipeline = command(["sh", "-c", f"grep -o -E '\\[[A-Z]+\\]' '{path}' | sort | uniq -c"])

    def first() -> object:
        tally.TALLIES.clear()
        return count_facets(source, Query(), Budget.unlimited())

    first_time = timezone.make_aware(datetime(2026, 4, 1))
    newest = source.newest_time() or first_time
    middle = first_time + (newest - first_time) / 2
    minute = (middle + timedelta(minutes=7)).strftime("%Y-%m-%d %H:%M")
    window = Query(since=middle, until=middle + timedelta(minutes=15))
    figures = [
        replace(
            pair(
                f"{label}: 15-minute window in the middle, first page",
                "`grep -m 50 -F` on a minute of it",
                lambda: source.page(window, None, 50),
                command(["grep", "-m", "50", "-c", "-F", minute, str(path)]),
                repeat,
                note="ours: `page()` with `since` and `until`, found by binary search",
                why=WHY_WINDOW,
            ),
            target=50.0,
        ),
        *(
            replace(
                pair(
                    f"{label}: {measure}, whole file",
                    anchor,
                    lambda query=query, limit=limit: source.page(
                        query, None, limit, budget=Budget.unlimited()
                    ),
                    command(grep),
                    1,
                    unit="s",
                    note="ours: `page()` with no budget; one round (a whole-file scan)",
                    why=WHY_TEXT,
                ),
                over_why=TEXT_OVER_WHY,
            )
            for measure, anchor, query, limit, grep in (
                (
                    "rare needle",
                    "`grep -F -c`",
                    Query(text=RARE),
                    50,
                    ["grep", "-F", "-c", RARE, str(path)],
                ),
                (
                    "level ≥ ERROR",
                    f"`grep -E -c '{TEXT_LEVEL_PATTERN}'`",
                    Query(min_level=levels.ERROR),
                    100_000,
                    ["grep", "-E", "-c", TEXT_LEVEL_PATTERN, str(path)],
                ),
            )
        ),
        replace(
            pair(
                f"{label}: facets and histogram, whole file, first time",
                TEXT_FACETS_ANCHOR,
                first,
                pipeline,
                1,
                unit="s",
                note="ours: `count_facets()` with no budget, nothing kept; one round",
                why=WHY_FACETS_FIRST,
            ),
            target=3.0,
            over_why="Every line is decoded and matched against the format in Python.",
        ),
    ]
    first()
    figures.append(
        replace(
            pair(
                f"{label}: facets and histogram, whole file, second time",
                TEXT_FACETS_ANCHOR,
                lambda: count_facets(source, Query(), Budget.unlimited()),
                pipeline,
                SCAN_REPEAT,
                unit="ms",
                note="ours: `count_facets()` in-process, from the kept tallies",
                why=WHY_FACETS_AGAIN,
            ),
            target=100.0,
        )
    )
    return figures


def main(argv: list[str] | None = None) -> None:
    from benchmarks.sources import parse_size

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True, help="write the results here")
    parser.add_argument("--log-size", default="100M", help="file size: 100M, 1G...")
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per pair")
    parser.add_argument(
        "--sample-size",
        default="20M",
        help="bytes that the parse-every-line filters read (they run at a few MB/s)",
    )
    parser.add_argument(
        "--long-lines-size",
        default="4M",
        help="size of the file of 64 KB lines for the `.*[xy]z` regex",
    )
    parser.add_argument(
        "--text-size",
        default=None,
        help="size of the text-format file with tracebacks (default: --log-size; 0: none)",
    )
    parser.add_argument("--keep", help="write the file here and reuse it (default: a temp dir)")
    args = parser.parse_args(argv)
    size = parse_size(args.log_size)
    text_size = parse_size(args.text_size) if args.text_size else size
    directory = Path(args.keep or tempfile.mkdtemp(prefix="auditconsole-bench-logs-"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "app.log"
    result = PassResult(name="logs", title="Log file")
    try:
        os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
        os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
        from benchmarks.sources import generate

        began = time.perf_counter()
        origin = "reused from an earlier run with --keep"
        if not path.exists() or path.stat().st_size < size:
            lines = generate(path, size)
            origin = f"{lines:,} lines generated in {time.perf_counter() - began:.0f} s"
        sample = prefix_copy(path, directory / "sample.log", parse_size(args.sample_size))
        result.meta["facts"] = [
            f"{path.stat().st_size / 1e6:,.0f} MB JSON-lines file, {origin}",
            f"parse-every-line filters on its first {sample.stat().st_size / 1e6:,.0f} MB",
        ]
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test.utils import override_settings

        call_command("migrate", verbosity=0)
        get_user_model().objects.filter(username="bench").delete()
        get_user_model().objects.create_superuser("bench", "bench@example.com", "bench")
        sources = {
            KEY: {
                "BACKEND": "auditconsole.sources.files.FileSource",
                "OPTIONS": {"path": str(path), "columns": ["status", "user_id"]},
            }
        }
        began = time.perf_counter()
        with override_settings(AUDITCONSOLE_LOG_SOURCES=sources):
            long_lines = long_lines_file(directory, parse_size(args.long_lines_size))
            result.figures = measure_all(path, sample, long_lines, args.repeat)
            if text_size:
                from benchmarks.sources import generate_text

                text_path = directory / "text.log"
                if not text_path.exists() or text_path.stat().st_size < text_size:
                    generate_text(text_path, text_size)
                result.meta["facts"].append(
                    f"{text_path.stat().st_size / 1e6:,.0f} MB text-format file "
                    "(`asctime [LEVEL] name: message`, a traceback with each ERROR)"
                )
                result.figures += text_figures(text_path, args.repeat)
        result.meta["logs_seconds"] = round(time.perf_counter() - began, 1)
    except Exception as exc:  # the note says so, rather than losing the other passes
        traceback.print_exc()
        result.skipped.append(f"log browse: failed ({type(exc).__name__}: {exc})")
    finally:
        result.write(args.json)
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
