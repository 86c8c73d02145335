"""CSV export against django-import-export: time and peak memory, one process per export.

    python -m benchmarks.pairs.export --child ours|resource|admin --result out.json [--since ISO]

The child form is what :func:`run` starts (with ``DATABASE_URL`` pointing at the dataset
and ``DJANGO_SETTINGS_MODULE=benchmarks.settings``): a fresh process per export, so its
peak RSS is that export's alone. It warms up on a one-row export of the same kind (imports,
templates, caches), notes the peak RSS so far (the baseline), exports, and writes
``{"seconds", "bytes", "peak_mb", "baseline_mb"}`` to ``--result``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.measure import BenchmarkError, median, peak_rss_mb
from benchmarks.report import Figure

AREA = "export"
VARIANTS = ("ours", "resource", "admin")
ANCHORS = {
    "resource": "import-export `Resource.export()` + `Dataset.csv`",
    "admin": "admin export view (import-export `ExportActionMixin`)",
}
ROOT_USERNAME = "bench-root"
#: Above this many rows each variant runs once: the admin's export of a million rows takes
#: minutes.
LARGE = 200_000

WHY = {
    "time": (
        "import-export renders each cell through `export_resource()` (field lookup, widget, "
        "dehydrate method per cell) and appends rows to a `tablib.Dataset`, then writes it "
        "out; ours renders from a precomputed getter per column and streams."
    ),
    "memory": (
        "Both anchors hold every row (a `tablib.Dataset`, then the whole CSV text) before "
        "anything is sent; ours holds one chunk of about a thousand rows."
    ),
}


def boundary(rows: int) -> tuple[str | None, int]:
    """A ``since`` that selects the newest ``rows`` entries (``None``: all), and their count.

    Generated times are unique to the microsecond, so the count is ``rows`` unless the
    table is smaller.
    """
    from django.contrib.admin.models import LogEntry

    total = LogEntry.objects.count()
    if rows >= total:
        return None, total
    moment = LogEntry.objects.order_by("-action_time", "-id").values_list("action_time", flat=True)[
        rows - 1
    ]
    return moment.isoformat(), LogEntry.objects.filter(action_time__gte=moment).count()


def newest_since() -> str:
    """A ``since`` that selects the newest entry alone: the warm-up export."""
    from django.contrib.admin.models import LogEntry

    return (
        LogEntry.objects.order_by("-action_time", "-id")
        .values_list("action_time", flat=True)[0]
        .isoformat()
    )


# -- the three exports, as a child process runs them ------------------------------------------


def export_ours(client: Any, since: str | None) -> int:
    from django.urls import reverse

    url = reverse("auditconsole:activity_export_csv")
    if since:
        url += "?" + urlencode({"since": since})
    response = client.get(url)
    if response.status_code != 200 or not response.streaming:
        raise BenchmarkError(f"GET {url}: HTTP {response.status_code}")
    # Reading to the end closes the response (the test client's wrapper does), which is
    # when the export is audited. Closing it again would fire request_finished twice.
    return sum(len(chunk) for chunk in response.streaming_content)


def export_resource(client: Any, since: str | None) -> int:
    from django.contrib.admin.models import LogEntry

    from auditconsole.export.resources import LogEntryResource

    queryset = LogEntry.objects.order_by("-action_time", "-id")
    if since:
        queryset = queryset.filter(action_time__gte=since)
    dataset = LogEntryResource().export(queryset=LogEntryResource.values(queryset))
    return len(dataset.csv)


def export_admin(client: Any, since: str | None) -> int:
    from django.urls import reverse

    from benchmarks.admin_anchor import SITE_NAME, export_form_data

    url = reverse(f"{SITE_NAME}:admin_logentry_export")
    if since:
        # The changelist's own filter syntax; the export view exports the changelist's rows.
        url += "?" + urlencode({"action_time__gte": since})
    response = client.post(url, export_form_data())
    if response.status_code != 200 or not response["Content-Type"].startswith("text/csv"):
        raise BenchmarkError(f"POST {url}: HTTP {response.status_code}")
    return len(response.content)


EXPORTS = {"ours": export_ours, "resource": export_resource, "admin": export_admin}


def child(variant: str, since: str | None, result: Path) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=ROOT_USERNAME))
    export = EXPORTS[variant]
    export(client, newest_since())
    baseline = peak_rss_mb()
    started = time.perf_counter()
    size = export(client, since)
    seconds = time.perf_counter() - started
    result.write_text(
        json.dumps(
            {"seconds": seconds, "bytes": size, "peak_mb": peak_rss_mb(), "baseline_mb": baseline}
        )
    )


# -- the parent: alternate the three, in separate processes --------------------------------------


def spawn(variant: str, since: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="auditconsole-bench-export-") as directory:
        result = Path(directory) / "result.json"
        argv = [sys.executable, "-m", "benchmarks.pairs.export", "--child", variant]
        argv += ["--result", str(result)]
        if since:
            argv += ["--since", since]
        # stdout carries the console's JSON log lines (the export's audit record): not ours.
        subprocess.run(argv, env=os.environ, check=True, stdout=subprocess.DEVNULL)
        return json.loads(result.read_text())


def over_why(count: int, seconds: float | None, target_rate: int = 200_000) -> str:
    if not seconds:
        return ""
    rate = count / seconds
    return (
        f"The export is CPU-bound Python in one process (each row's cells rendered, its "
        f"change message parsed, formulas escaped): {rate:,.0f} rows a second here, where "
        f"the target asks for {target_rate:,}, {target_rate / rate:.1f}× as many."
    )


def figures_for(count: int, runs: dict[str, list[dict[str, float]]], database: str) -> list[Figure]:
    """Time and peak RSS of ours against each anchor, from every run of each variant."""

    def med(variant: str, key: str) -> float | None:
        return median([run[key] for run in runs[variant]])

    # The export issue's targets (benchmarks/export.py): rows per second, MB above idle.
    try:
        from benchmarks.export import TARGET_EXTRA_MB, TARGET_ROWS_PER_SECOND
    except ImportError:
        targets: dict[str, float | None] = {"seconds": None, "peak_mb": None}
        rate = 200_000
    else:
        rate = TARGET_ROWS_PER_SECOND
        targets = {
            "seconds": count / TARGET_ROWS_PER_SECOND,
            "peak_mb": (med("ours", "baseline_mb") or 0) + TARGET_EXTRA_MB,
        }
    figures = []
    for key, measure, unit in (("seconds", "time", "s"), ("peak_mb", "peak RSS", "MB")):
        for anchor in ("resource", "admin"):
            if key == "seconds":
                seconds = med("ours", "seconds")
                speed = f"ours {count / seconds:,.0f} rows/s; " if seconds else ""
                note = (
                    f"{speed}CSV: ours {med('ours', 'bytes') / 1e6:,.1f} MB, "
                    f"anchor {med(anchor, 'bytes') / 1e6:,.1f} MB"
                )
            else:
                note = (
                    f"after warm-up: ours {med('ours', 'baseline_mb'):,.0f} MB, "
                    f"anchor {med(anchor, 'baseline_mb'):,.0f} MB"
                )
            figures.append(
                Figure(
                    area=AREA,
                    measure=f"{count:,} rows: {measure}",
                    anchor=ANCHORS[anchor],
                    unit=unit,
                    ours=med("ours", key),
                    theirs=med(anchor, key),
                    database=database,
                    samples=len(runs["ours"]),
                    note=note,
                    why=WHY["time" if key == "seconds" else "memory"],
                    target=targets[key],
                    over_why=over_why(count, med("ours", "seconds"), rate)
                    if key == "seconds"
                    else "",
                )
            )
    return figures


def run(sizes: list[int], repeat: int, database: str) -> list[Figure]:
    figures = []
    for size in sizes:
        since, count = boundary(size)
        runs: dict[str, list[dict[str, float]]] = {variant: [] for variant in VARIANTS}
        rounds = repeat if count <= LARGE else 1
        for round_ in range(rounds):
            for variant in VARIANTS:
                runs[variant].append(spawn(variant, since))
                print(
                    f"  export {count:,} rows, run {round_ + 1}/{rounds}, {variant}: "
                    f"{runs[variant][-1]['seconds']:.1f} s",
                    flush=True,
                )
        figures += figures_for(count, runs, database)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=VARIANTS, required=True)
    parser.add_argument("--since", help="export the entries at or after this ISO time")
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    child(args.child, args.since, args.result)


if __name__ == "__main__":
    main()
