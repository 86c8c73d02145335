"""``make bench``: every benchmark pair, on every database, then ``docs/benchmarks.md``.

    python -m benchmarks                                  # small defaults, under 10 minutes
    python -m benchmarks --rows 1000000 --log-size 1G     # the figures the note quotes
    python -m benchmarks --areas logs --output /tmp/logs.md

Each pass runs in a process of its own (Django is set up once per process, and a pass's
memory must not leak into the next): the LogEntry dataset and its activity and export
pairs once on SQLite and once on PostgreSQL (through ``python -m tests.services
postgres``, which starts a throwaway server), then the log-file pair, then the live-tail
pair. Each pass writes its figures as JSON; this process merges them into one note.
Passes run one after the other, never in parallel: they would disturb each other's
timings.

``--areas scripts`` (or ``all``) also runs the per-area scripts found in ``benchmarks/``:
every module with a ``main()`` that is not part of the harness (activity, export, load,
objects, search, sources, tail and trails today, and any added later), at the harness's
sizes where they take them (the ones with a database on PostgreSQL too), and appends their output to the note.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import datetime
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.machine import describe, load_average
from benchmarks.pairs.export import LARGE as LARGE_EXPORT
from benchmarks.report import PassResult, render

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAIR_AREAS = ("activity", "export", "logs", "tail")
DATABASE_AREAS = ("activity", "export")
DATABASES = ("sqlite", "postgresql")
SCRIPTS = "scripts"
#: Per-area scripts that build a database of their own: run on PostgreSQL as well.
DATABASE_SCRIPTS = frozenset({"activity", "export", "load", "objects", "search", "trails"})
#: Modules of this package that are not per-area scripts.
HARNESS_MODULES = frozenset(
    {
        "__init__",
        "__main__",
        "harness",
        "report",
        "measure",
        "machine",
        "server",
        "settings",
        "urls",
        "admin_anchor",
    }
)


@dataclass
class Pass:
    """One benchmark process: its command line, and where it writes its figures."""

    name: str
    argv: list[str]
    json: Path | None
    #: Environment variables removed for this process.
    unset: tuple[str, ...] = ()


def parse_list(text: str, allowed: tuple[str, ...]) -> list[str]:
    """``"activity,logs"`` -> ``["activity", "logs"]``, in ``allowed``'s order; ``all``: every one."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if "all" in names:
        return list(allowed)
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown: {', '.join(unknown)} (choose from {', '.join(allowed)}, or all)"
        )
    return [name for name in allowed if name in names]


def export_sizes(text: str, rows: int) -> str:
    """The export sizes for the database pass: 100,000 and the whole table by default."""
    if text:
        return text
    return ",".join(str(size) for size in sorted({min(100_000, rows), rows}))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--rows", type=int, default=100_000, help="LogEntry rows generated")
    parser.add_argument("--log-size", default="100M", help="size of the generated log file")
    parser.add_argument(
        "--sample-size", default="20M", help="bytes read by the log filters that parse every line"
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per latency pair")
    parser.add_argument(
        "--export-rows", default="", help="export sizes (default: 100000 and --rows)"
    )
    parser.add_argument(
        "--export-repeat",
        type=int,
        default=2,
        help="runs per export variant (one above 200,000 rows)",
    )
    parser.add_argument("--tail-lines", type=int, default=30, help="probe lines per latency run")
    parser.add_argument("--tail-polls", type=int, default=300, help="idle polls for CPU per poll")
    parser.add_argument(
        "--areas",
        type=lambda text: parse_list(text, (*PAIR_AREAS, SCRIPTS)),
        default=list(PAIR_AREAS),
        help=f"comma-separated: {', '.join(PAIR_AREAS)}, {SCRIPTS}, or all",
    )
    parser.add_argument(
        "--databases",
        type=lambda text: parse_list(text, DATABASES),
        default=list(DATABASES),
        help="comma-separated: sqlite, postgresql",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--keep", type=Path, help="keep the generated data here and reuse it (SQLite, log file)"
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=ROOT / "var" / "benchmarks" / "last-run.json",
        help="also save every figure here, as JSON",
    )
    parser.add_argument(
        "--from-results",
        type=Path,
        metavar="PATH",
        help="measure nothing: write the note again from a run saved by --results",
    )
    return parser


def plan(args: argparse.Namespace, work: Path) -> list[Pass]:
    """The processes to run, in order."""
    python = sys.executable
    passes = []
    database_areas = [area for area in args.areas if area in DATABASE_AREAS]
    if database_areas:
        common = [
            "--rows", str(args.rows),
            "--repeat", str(args.repeat),
            "--areas", ",".join(database_areas),
            "--export-rows", export_sizes(args.export_rows, args.rows),
            "--export-repeat", str(args.export_repeat),
        ]  # fmt: skip
        for database in args.databases:
            out = work / f"{database}.json"
            argv = [python, "-m", "benchmarks.pairs.database", "--json", str(out), *common]
            if database == "sqlite":
                if args.keep:
                    argv += ["--db", str(args.keep / "bench.sqlite3")]
                # A DATABASE_URL in the caller's environment would turn this pass into a
                # second PostgreSQL pass.
                passes.append(Pass(database, argv, out, unset=("DATABASE_URL",)))
            else:
                wrapped = [python, "-m", "tests.services", "postgres", "--", *argv]
                passes.append(Pass(database, wrapped, out))
    if "logs" in args.areas:
        out = work / "logs.json"
        argv = [python, "-m", "benchmarks.pairs.logs", "--json", str(out)]
        argv += ["--log-size", args.log_size, "--sample-size", args.sample_size]
        argv += ["--repeat", str(args.repeat)]
        if args.keep:
            argv += ["--keep", str(args.keep / "logs")]
        passes.append(Pass("logs", argv, out, unset=("DATABASE_URL",)))
    if "tail" in args.areas:
        out = work / "tail.json"
        argv = [python, "-m", "benchmarks.pairs.tail", "--json", str(out)]
        argv += ["--lines", str(args.tail_lines), "--polls", str(args.tail_polls)]
        passes.append(Pass("tail", argv, out, unset=("DATABASE_URL",)))
    if SCRIPTS in args.areas:
        passes += script_passes(args)
    return passes


def has_main(path: Path) -> bool:
    """Whether a module defines a top-level ``main()`` (read, not imported)."""
    try:
        tree = ast.parse(path.read_text())
    except (OSError, SyntaxError):
        return False
    return any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body)


def area_scripts(directory: Path = HERE) -> list[str]:
    """The per-area scripts present in ``benchmarks/``, by module name."""
    return sorted(
        path.stem
        for path in directory.glob("*.py")
        if path.stem not in HARNESS_MODULES and has_main(path)
    )


def script_argv(name: str, args: argparse.Namespace) -> list[str]:
    """Each known script at the harness's sizes; others with their own defaults."""
    known = {
        "activity": ["--rows", str(args.rows), "--repeat", str(args.repeat)],
        "export": ["--rows", str(args.rows), "--rounds", str(args.export_repeat)],
        "objects": ["--rows", str(args.rows), "--repeat", str(args.repeat)],
        "search": ["--rows", str(args.rows), "--repeat", str(args.repeat)],
        "sources": ["--size", args.log_size, "--repeat", str(args.repeat)],
        "tail": ["--quick"],
        "trails": ["--rows", str(args.rows), "--repeat", str(args.repeat)],
    }
    return [sys.executable, "-m", f"benchmarks.{name}", *known.get(name, [])]


def script_passes(args: argparse.Namespace) -> list[Pass]:
    passes = []
    for name in area_scripts():
        argv = script_argv(name, args)
        passes.append(Pass(f"script:{name}", argv, None, unset=("DATABASE_URL",)))
        if name in DATABASE_SCRIPTS and "postgresql" in args.databases:
            wrapped = [sys.executable, "-m", "tests.services", "postgres", "--", *argv]
            passes.append(Pass(f"script:{name} (PostgreSQL)", wrapped, None))
    return passes


def execute(step: Pass) -> tuple[PassResult | None, str, float]:
    """Run one pass; its results (``None`` for a script), its output, its duration."""
    env = {key: value for key, value in os.environ.items() if key not in step.unset}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    print(f"== {step.name}: {shlex.join(step.argv[1:])}", file=sys.stderr, flush=True)
    began = time.perf_counter()
    if step.json is None:
        # A script: its output is the result; show it as it comes and keep it.
        process = subprocess.run(
            step.argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False
        )
        sys.stderr.write(process.stdout)
        output = process.stdout + (
            f"\n(exit status {process.returncode})" if process.returncode else ""
        )
        return None, output, time.perf_counter() - began
    process = subprocess.run(step.argv, env=env, cwd=ROOT, check=False)
    seconds = time.perf_counter() - began
    if step.json.exists():
        return PassResult.from_json(step.json.read_text()), "", seconds
    failed = PassResult(name=step.name, title=step.name)
    failed.skipped.append(
        f"the {step.name} pass produced no figures (exit status {process.returncode}; "
        "for PostgreSQL, a server could not be started: see the output above)"
    )
    return failed, "", seconds


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def command_line(argv: list[str]) -> str:
    return shlex.join(["python", "-m", "benchmarks", *argv])


def run_table(
    args: argparse.Namespace, durations: dict[str, float], loads: tuple[str, str]
) -> dict[str, str]:
    rows = {
        "Date": now(),
        "Areas": ", ".join(args.areas),
        "LogEntry rows": f"{args.rows:,}",
        "Export sizes": ", ".join(
            f"{int(size):,}" for size in export_sizes(args.export_rows, args.rows).split(",")
        ),
        "Log file": f"{args.log_size} (parse-every-line filters: first {args.sample_size})",
        "Rounds": f"{args.repeat} per latency pair after warm-up; {args.export_repeat} per "
        f"export variant up to {LARGE_EXPORT:,} rows, 1 above; {args.tail_lines} probe lines "
        f"per tail run, {args.tail_polls} idle polls",
    }
    for name, seconds in durations.items():
        rows[f"Duration: {name}"] = f"{seconds / 60:.1f} min"
    rows["Load average at start"] = loads[0]
    rows["Load average at end"] = loads[1]
    return rows


def save_run(path: Path, run: dict[str, Any]) -> None:
    """The run (command, machine, run table, results, script outputs) as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**run, "results": [dataclasses.asdict(result) for result in run["results"]]}
    path.write_text(json.dumps(data, indent=1))


def load_run(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    data["results"] = [PassResult.from_dict(result) for result in data["results"]]
    return data


def write_note(output: Path, run: dict[str, Any]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(**run))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.from_results:
        # Re-rendering only: the note keeps the command that measured the figures, and
        # says that its text was written again later.
        run = load_run(args.from_results)
        run["run"]["Note written again"] = (
            f"{now()} from the saved figures (`--from-results {args.from_results}`)"
        )
        write_note(args.output, run)
        print(f"Wrote {args.output} from {args.from_results}.", file=sys.stderr)
        return 0
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_start = load_average()
    machine = describe()
    results: list[PassResult] = []
    outputs: dict[str, str] = {}
    durations: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="auditconsole-bench-") as work:
        for step in plan(args, Path(work)):
            result, output, seconds = execute(step)
            durations[step.name] = seconds
            if result is not None:
                results.append(result)
            else:
                outputs[step.name] = output
    durations["total"] = time.perf_counter() - started
    postgres = [r.title for r in results if r.title.startswith("PostgreSQL")]
    machine["PostgreSQL"] = postgres[0] if postgres else "not measured in this run"
    run = {
        "results": results,
        "command": command_line(argv),
        "machine": machine,
        "run": run_table(args, durations, (load_start, load_average())),
        "scripts": outputs,
    }
    save_run(args.results, run)
    write_note(args.output, run)
    print(
        f"Wrote {args.output} (figures: {args.results}) in {durations['total'] / 60:.1f} min.",
        file=sys.stderr,
    )
    return 0
