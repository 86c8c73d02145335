"""Figures, and the Markdown note (``docs/benchmarks.md``) written from them.

Every figure pairs our measurement with the anchor's, taken in the same run on the same
data. All figures are "lower is better" (milliseconds, seconds, megabytes, CPU time), so
one convention serves every table: the ratio is **anchor ÷ ours**; above 1 we are faster
or leaner, below 1 the anchor wins and the row says so.

Pure functions of their inputs (no Django, no clock): the harness gathers the figures,
this module only formats them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Below this ratio the anchor wins; between it and 1/it the two are level.
LEVEL_BAND = 1.05
LOSS_MARK = "**we lose**"


@dataclass(frozen=True)
class Figure:
    """One row of a table: what was measured, our median, the anchor's median."""

    area: str
    measure: str
    anchor: str
    unit: str
    ours: float | None
    theirs: float | None
    #: "SQLite 3.40.1", "PostgreSQL 15.14", or "" for figures that involve no database.
    database: str = ""
    #: Measurements behind each median (per side).
    samples: int = 0
    note: str = ""
    #: Why the anchor wins, said in "Where we lose" when the ratio is below 1.
    why: str = ""
    #: Our own target for this figure (from the area's issue), when it has one.
    target: float | None = None
    #: Why ours is over that target, said under "Where we lose".
    over_why: str = ""

    @property
    def ratio(self) -> float | None:
        """anchor ÷ ours, or ``None`` when either side is missing or ours is zero."""
        if self.ours is None or self.theirs is None or self.ours <= 0:
            return None
        return self.theirs / self.ours

    @property
    def we_lose(self) -> bool:
        ratio = self.ratio
        return ratio is not None and ratio < 1 / LEVEL_BAND

    @property
    def over_target(self) -> bool:
        return self.target is not None and self.ours is not None and self.ours > self.target


@dataclass
class PassResult:
    """What one benchmark process (a database pass, the log pass, the tail pass) found."""

    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    #: ``meta["facts"]``: short phrases for the table's heading ("1,000,000 LogEntry rows").
    meta: dict[str, Any] = field(default_factory=dict)
    #: Figures that could not be taken, and why (no Chromium, a missing script...).
    skipped: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> PassResult:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PassResult:
        data = {**data, "figures": [Figure(**figure) for figure in data.get("figures", [])]}
        return cls(**data)

    def write(self, path: Path) -> None:
        path.write_text(self.to_json())


@dataclass(frozen=True)
class Area:
    key: str
    #: Short name, for "Where we lose".
    name: str
    title: str
    intro: str


AREAS: tuple[Area, ...] = (
    Area(
        "activity",
        "Activity list",
        "Activity list (LogEntry) against the Django admin changelist",
        "The anchor is the Django admin's own changelist for `LogEntry`, registered in a "
        "benchmark-only admin site (`benchmarks/admin_anchor.py`, mounted at `bench-admin/`) "
        "with `list_filter` on user, action flag and content type, `date_hierarchy` on "
        "`action_time`, `show_facets = ShowFacets.ALWAYS`, `search_fields` on the object's "
        "name and the change message, `list_select_related` on both foreign keys (without it "
        "the admin fetches each row's content type with a query of its own, since "
        "`LogEntry.content_type` is nullable), and the console's page size (50 rows). Ours is "
        "`auditconsole:activity`. Both are requested as the same superuser through Django's "
        "test client (in-process server time), alternating ours and the admin's after "
        "warm-up; the figures are medians. The admin's page carries its facet counts; ours "
        'loads them from a separate URL after the table, so the row "page 1 with facet '
        'counts" times our page and our facet fragment one after the other. The deep page is '
        "the middle of the table: the admin's `?p=N`, ours the keyset page that starts at "
        "the same row. The gunicorn rows are whole requests over loopback (one sync worker).",
    ),
    Area(
        "export",
        "Export",
        "CSV export against django-import-export",
        "Three ways to write the same rows, newest first, as CSV: ours (`GET "
        "auditconsole:activity_export_csv`, streamed, read to the end); django-import-export's "
        "`Resource.export()` of the same queryset with the console's own `LogEntryResource` "
        "(same columns, same cells; it builds a `tablib.Dataset`, then `Dataset.csv`); and the "
        "admin export view (import-export's `ExportMixin` on the benchmark admin, a POST to "
        "its export view with format CSV, its own `ModelResource` for `LogEntry`). Each run "
        "is a separate process (`python -m benchmarks.pairs.export --child ...`) that warms "
        "up on a one-row export, then exports; time is wall-clock for the export, memory is "
        "the process's peak RSS (`getrusage`). Runs alternate ours, `Resource.export()`, "
        "admin; figures are medians (each variant runs once above 200,000 rows: the admin's "
        "export of a million rows takes minutes).",
    ),
    Area(
        "logs",
        "Log browse",
        "Log browse against tail and grep",
        "A python-json-logger-shaped JSON-lines file generated by `benchmarks/sources.py`'s "
        "generator, page cache warm. Ours is `FileSource` in-process (and the browse page "
        "through Django's test client); the anchors are `tail -n 50` for the newest page and "
        "`grep -F -c` (output piped, so GNU grep cannot stop at the first match) for text "
        "filters. The ratio to grep is our distance from the disk's limit. Filters that parse "
        "every matching line run at a few MB/s, so they read only the start of the file "
        "(its size is in the heading), and grep reads the same bytes. `tail` and `grep` "
        "figures include starting the process from Python (a few ms on a loaded machine).",
    ),
    Area(
        "tail",
        "Live tail",
        "Live tail against tail -f, polled and pushed",
        "The live tail is polled by htmx, every `AUDITCONSOLE_TAIL_POLL_SECONDS` (1 s by "
        "default). Write-to-display latency is measured in headless Chromium on the tail "
        "page served by gunicorn (`benchmarks/tail.py`'s method: lines appended at random "
        "moments, a MutationObserver stamps their arrival). While the browser watches, "
        "`tail -f ---disable-inotify -s 1` (GNU tail polling once a second: the floor any "
        "1 s poller can reach, median 500 ms in theory) and plain `tail -f` (inotify, no "
        "polling) follow the same file and timestamp the same lines. Idle-poll CPU is the "
        "gunicorn worker's CPU time (`/proc/<pid>/stat`) per poll that finds nothing, "
        "against a polling `tail`'s CPU per poll. Then the same page served over ASGI (one "
        "uvicorn process) pushes its lines as Server-Sent Events: the same probe, beside "
        "`tail -f` and the 1 s poller measured earlier in the same run; a thousand streams "
        "are opened on that worker (raw HTTP on loopback, as an EventSource opens them) and "
        "left idle (the worker's CPU and RSS), then one line is written and its arrival "
        "timed on each; the hub's reads and renders for one write followed by a thousand "
        "tabs are counted in-process.",
    ),
)
AREA_BY_KEY = {area.key: area for area in AREAS}


#: Units of things counted one by one: shown as whole numbers.
COUNTS = frozenset({"lines", "calls"})


def format_value(value: float | None, unit: str) -> str:
    """``1,234 ms``, ``45.1 ms``, ``2.35 ms``, ``0.042 ms``; an em dash when missing."""
    if value is None:
        return "—"
    magnitude = abs(value)
    if unit in COUNTS or magnitude >= 100:
        text = f"{value:,.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    elif magnitude >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    return f"{text} {unit}" if unit else text


def format_ratio(ratio: float | None) -> str:
    """``3.2×``, ``12×``, ``0.45× **we lose**``; ``n/a`` when it cannot be computed."""
    if ratio is None:
        return "n/a"
    if ratio >= 10:
        text = f"{ratio:,.0f}×"
    elif ratio >= 0.1:
        text = f"{ratio:.2g}×" if ratio < 1 else f"{ratio:.1f}×"
    else:
        text = f"{ratio:.2g}×"
    if ratio < 1 / LEVEL_BAND:
        return f"{text} {LOSS_MARK}"
    return text


def _cell(text: str) -> str:
    # A "|" inside a cell would end it.
    return text.replace("|", "\\|").replace("\n", " ")


def table(figures: Sequence[Figure]) -> list[str]:
    """One Markdown table: measure, anchor, ours, the anchor's figure, ratio, notes."""
    lines = [
        "| Measure | Anchor | Ours | Anchor's | Ratio (anchor ÷ ours) | Notes |",
        "|---|---|---:|---:|---:|---|",
    ]
    for figure in figures:
        lines.append(
            "| "
            + " | ".join(
                _cell(text)
                for text in (
                    figure.measure,
                    figure.anchor,
                    format_value(figure.ours, figure.unit),
                    format_value(figure.theirs, figure.unit),
                    format_ratio(figure.ratio),
                    figure.note,
                )
            )
            + " |"
        )
    return lines


def group(figures: Iterable[Figure]) -> dict[str, dict[str, list[Figure]]]:
    """area -> database ("" first, then in order of appearance) -> figures, in order."""
    grouped: dict[str, dict[str, list[Figure]]] = {}
    for figure in figures:
        grouped.setdefault(figure.area, {}).setdefault(figure.database, []).append(figure)
    return grouped


def _area_name(figure: Figure) -> str:
    area = AREA_BY_KEY[figure.area].name if figure.area in AREA_BY_KEY else figure.area
    return f"{area} ({figure.database})" if figure.database else area


def _versus(figure: Figure) -> str:
    """``page 1: 870 ms against 100 ms for the admin (0.11×)``."""
    ratio = format_ratio(figure.ratio).removesuffix(f" {LOSS_MARK}")
    return (
        f"{figure.measure}: {format_value(figure.ours, figure.unit)} against "
        f"{format_value(figure.theirs, figure.unit)} for {figure.anchor} ({ratio})"
    )


def losses(figures: Iterable[Figure]) -> list[str]:
    """A bullet per area (and database) and reason, listing every figure the anchor wins.

    Figures that lose for the same reason are listed together, so that each reason is
    said once.
    """
    grouped: dict[tuple[str, str], list[Figure]] = {}
    for figure in figures:
        if figure.we_lose:
            grouped.setdefault((_area_name(figure), figure.why), []).append(figure)
    bullets = []
    for (area, why), lost in grouped.items():
        line = f"- **{area}**: " + "; ".join(_versus(figure) for figure in lost) + "."
        bullets.append(f"{line} {why}" if why else line)
    return bullets


def misses(figures: Iterable[Figure]) -> list[str]:
    """A bullet per measure over our own target where no anchor wins.

    A measure compared with two anchors (an export against ``Resource.export()`` and the
    admin) is one bullet naming both.
    """
    grouped: dict[tuple[str, str], list[Figure]] = {}
    for figure in figures:
        if figure.over_target:
            grouped.setdefault((_area_name(figure), figure.measure), []).append(figure)
    bullets = []
    for (area, measure), found in grouped.items():
        if any(figure.we_lose for figure in found):
            continue  # said under the losses already
        first = found[0]
        anchors = "; ".join(
            f"{figure.anchor}: {format_value(figure.theirs, figure.unit)}" for figure in found
        )
        line = (
            f"- **{area}, {measure}**: {format_value(first.ours, first.unit)}, over our target "
            f"of {format_value(first.target, first.unit)} ({anchors})."
        )
        bullets.append(f"{line} {first.over_why}" if first.over_why else line)
    return bullets


def summary(figures: Iterable[Figure]) -> list[str]:
    """One row per area: how many figures, the range of ratios, how many the anchor wins."""
    by_area: dict[str, list[Figure]] = {}
    for figure in figures:
        by_area.setdefault(figure.area, []).append(figure)
    lines = [
        "| Area | Figures | Ratios (anchor ÷ ours) | Anchor wins | Over our own target |",
        "|---|---:|---|---:|---:|",
    ]
    for key, found in by_area.items():
        name = AREA_BY_KEY[key].name if key in AREA_BY_KEY else key
        ratios = [figure.ratio for figure in found if figure.ratio is not None]
        span = (
            f"{format_ratio(min(ratios)).removesuffix(f' {LOSS_MARK}')} to "
            f"{format_ratio(max(ratios)).removesuffix(f' {LOSS_MARK}')}"
            if ratios
            else "n/a"
        )
        wins = sum(figure.we_lose for figure in found)
        over = sum(figure.over_target for figure in found)
        lines.append(f"| {name} | {len(found)} | {span} | {wins} | {over} |")
    return lines


def _definition_table(rows: dict[str, Any]) -> list[str]:
    lines = ["| | |", "|---|---|"]
    lines.extend(f"| {_cell(str(key))} | {_cell(str(value))} |" for key, value in rows.items())
    return lines


HEADER = """\
# Benchmarks

Written by `make bench` (`python -m benchmarks`, see `benchmarks/harness.py`); re-run it
rather than editing this file. Each table compares one of the console's figures with an
**anchor**, the tool a user would otherwise reach for, measured in the same run, on the
same generated data, alternating ours and the anchor's. Every figure here is "lower is
better" (time, memory, CPU), and the ratio is **anchor ÷ ours**: above 1 we are faster or
leaner, below 1 the anchor wins and the row says **we lose**. The losses are gathered
under [Where we lose](#where-we-lose).

Nothing in `make test` depends on these timings. Datasets are generated by the harness
(sizes are arguments) in a temporary directory, deleted afterwards unless `--keep` names
a directory to keep them in for the next run; none is committed.
"""

METHOD = """\
## Method and caveats

- **Server time** is measured in-process: Django's test client (the whole Django stack:
  middleware, session, view, template) as a logged-in superuser, after warm-up requests,
  the median of N. **Whole-request** figures over loopback go through gunicorn (one sync
  worker), requested with `urllib`. **Memory** is the peak RSS of a separate process
  (`resource.getrusage(RUSAGE_SELF).ru_maxrss`; GNU `/usr/bin/time -f %M` for `grep`,
  since a child forked from Python is charged Python's memory until it execs).
- Each pair is measured in the same run, on the same data, alternating ours and the
  anchor's (ours, anchor, ours, anchor...), so a burst of load elsewhere on the machine
  touches both sides. The live tail's anchors are not alternated but simultaneous: they
  follow the same file, and time the same lines, while the browser watches.
- **The machine is shared**: it is a 2-core VM on which other jobs (other agents'
  builds and tests) ran during the run, so absolute figures are noisier and slower than
  on a quiet machine; the ratios, taken side by side, are the figures to read. The load
  average at the start and end of the run is recorded above.
- The PostgreSQL server is a throwaway one started by `tests/services.py` on loopback,
  with default memory settings and `fsync`/`synchronous_commit` off (this speeds up
  writing the dataset, not reading it).
- The log file is read with a warm page cache (as a log being written is), so the log
  figures measure CPU, not the disk.
- The activity and export datasets come from `benchmarks/activity.py`'s generator (50
  users, 39 content types, a year of activity, a few heavy users and models); the log file
  from `benchmarks/sources.py`'s. The per-area scripts measure more of each area against
  its issue's targets, without anchors: `python -m benchmarks.activity`
  (`docs/activity.md`), `python -m benchmarks.export` (`docs/export.md`), `python
  benchmarks/sources.py` (`docs/sources.md`), `python benchmarks/tail.py` (`docs/tail.md`,
  including how many tabs one worker sustains) and `python -m benchmarks.load`
  (`docs/security.md`, many clients at once).

## Running it

```sh
make bench                                         # small defaults: about 10 minutes on 2 cores
make bench BENCH_ARGS="--rows 1000000 --log-size 1G --repeat 3"
.venv/bin/python -m benchmarks --areas logs,tail --output /tmp/note.md
.venv/bin/python -m benchmarks --from-results var/benchmarks/last-run.json  # re-render only
.venv/bin/python -m benchmarks --help
```

`--areas` picks among `activity`, `export`, `logs`, `tail` (and `scripts`, which also runs
each per-area script and appends its output); `--databases` among `sqlite`, `postgresql`.
The PostgreSQL pass needs PostgreSQL's server binaries (`python -m tests.services ensure`
installs them); without them it is reported as not measured. `--keep DIR` keeps the
generated SQLite file and log file and reuses them on the next run. Every run also saves
its figures to `var/benchmarks/last-run.json` (`--results`), from which `--from-results`
writes the note again without measuring.
"""


def render(
    results: Sequence[PassResult],
    *,
    command: str,
    machine: dict[str, str],
    run: dict[str, Any],
    scripts: dict[str, str] | None = None,
) -> str:
    """The whole note; ``scripts`` maps a per-area script's name to its output."""
    out = [HEADER, "## This run", "", f"Command: `{command}`", ""]
    out += _definition_table(run)
    out += ["", "## Machine", ""]
    out += _definition_table(machine)
    out.append("")
    figures = [figure for result in results for figure in result.figures]
    if figures:
        out += ["## Summary", ""]
        out += summary(figures)
        out.append("")
    grouped = group(figures)
    titles = {}
    for result in results:
        for figure in result.figures:
            titles.setdefault((figure.area, figure.database), result)
    for area in AREAS:
        if area.key not in grouped:
            continue
        out += [f"## {area.title}", "", area.intro, ""]
        for database, rows in grouped[area.key].items():
            result = titles[(area.key, database)]
            facts = ", ".join(result.meta.get("facts", []))
            heading = database or result.title
            if facts:
                heading += f" ({facts})"
            out += [f"### {heading}", ""]
            out += table(rows)
            out.append("")
    skipped = [f"- {result.title}: {reason}" for result in results for reason in result.skipped]
    if skipped:
        out += ["## Not measured in this run", "", *skipped, ""]
    out += ["## Where we lose", ""]
    lost = losses(figures)
    if lost:
        out += ["Every figure the anchor wins, grouped by reason:", ""]
    out += lost or ["The anchors won nowhere in this run."]
    missed = misses(figures)
    if missed:
        out += ["", "Ahead of the anchor, but over our own target (from the area's issue):", ""]
        out += missed
    out += ["", METHOD]
    for name, output in (scripts or {}).items():
        out += [f"## Output of {name}", "", "```text", output.rstrip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"
