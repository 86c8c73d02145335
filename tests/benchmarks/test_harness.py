"""The harness's plan, command lines and discovery; one small end-to-end pass."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from benchmarks import harness
from benchmarks.harness import Pass, build_parser, plan


def args_for(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def test_parse_list_keeps_the_canonical_order() -> None:
    assert harness.parse_list("tail, activity", harness.PAIR_AREAS) == ["activity", "tail"]
    assert harness.parse_list("all", harness.DATABASES) == ["sqlite", "postgresql"]
    with pytest.raises(argparse.ArgumentTypeError, match="unknown: mysql"):
        harness.parse_list("sqlite,mysql", harness.DATABASES)


def test_unknown_area_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit):
        args_for("--areas", "activity,nonsense")
    assert "unknown: nonsense" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "rows", "sizes"),
    [("", 1_000_000, "100000,1000000"), ("", 5000, "5000"), ("10,20", 5000, "10,20")],
)
def test_export_sizes(given: str, rows: int, sizes: str) -> None:
    assert harness.export_sizes(given, rows) == sizes


def test_defaults_plan_every_pass_sqlite_then_postgresql(tmp_path: Path) -> None:
    args = args_for()
    assert args.areas == list(harness.PAIR_AREAS)
    passes = plan(args, tmp_path)
    assert [p.name for p in passes] == ["sqlite", "postgresql", "logs", "tail"]
    sqlite, postgresql, logs, tail = passes
    assert sqlite.argv[1:4] == ["-m", "benchmarks.pairs.database", "--json"]
    assert sqlite.unset == ("DATABASE_URL",)
    assert "--db" not in sqlite.argv
    # PostgreSQL: the same command, run inside a throwaway server.
    assert postgresql.argv[1:5] == ["-m", "tests.services", "postgres", "--"]
    assert postgresql.argv[5:8] == [sys.executable, "-m", "benchmarks.pairs.database"]
    assert postgresql.json == tmp_path / "postgresql.json"
    assert postgresql.unset == ()
    for option, value in (("--rows", "100000"), ("--export-rows", "100000"), ("--repeat", "7")):
        assert sqlite.argv[sqlite.argv.index(option) + 1] == value
    assert logs.argv[logs.argv.index("--log-size") + 1] == "100M"
    assert tail.argv[tail.argv.index("--lines") + 1] == "30"


def test_plan_follows_areas_databases_and_keep(tmp_path: Path) -> None:
    keep = tmp_path / "keep"
    args = args_for(
        "--areas", "export,logs", "--databases", "sqlite", "--rows", "1000000", "--keep", str(keep)
    )
    passes = plan(args, tmp_path)
    assert [p.name for p in passes] == ["sqlite", "logs"]
    sqlite, logs = passes
    assert sqlite.argv[sqlite.argv.index("--areas") + 1] == "export"
    assert sqlite.argv[sqlite.argv.index("--export-rows") + 1] == "100000,1000000"
    assert sqlite.argv[sqlite.argv.index("--db") + 1] == str(keep / "bench.sqlite3")
    assert logs.argv[logs.argv.index("--keep") + 1] == str(keep / "logs")
    assert plan(args_for("--areas", "tail"), tmp_path)[0].name == "tail"


def test_area_scripts_are_modules_with_a_main(tmp_path: Path) -> None:
    (tmp_path / "activity.py").write_text("def main():\n    pass\n")
    (tmp_path / "helpers.py").write_text("def helper():\n    pass\n")
    (tmp_path / "broken.py").write_text("def main(:\n")
    (tmp_path / "harness.py").write_text("def main():\n    pass\n")
    assert harness.area_scripts(tmp_path) == ["activity"]
    assert {"activity", "sources", "tail"} <= set(harness.area_scripts())
    assert not set(harness.area_scripts()) & harness.HARNESS_MODULES


def test_scripts_area_runs_each_script_at_the_harness_sizes(tmp_path: Path) -> None:
    args = args_for("--areas", "scripts", "--rows", "5000", "--log-size", "10M", "--repeat", "3")
    passes = {p.name: p for p in plan(args, tmp_path)}
    assert passes["script:activity"].argv[1:] == [
        "-m", "benchmarks.activity", "--rows", "5000", "--repeat", "3",
    ]  # fmt: skip
    assert passes["script:activity (PostgreSQL)"].argv[1:4] == ["-m", "tests.services", "postgres"]
    assert passes["script:sources"].argv[3:] == ["--size", "10M", "--repeat", "3"]
    assert passes["script:tail"].argv[3:] == ["--quick"]
    assert passes["script:export"].argv[3:] == ["--rows", "5000", "--rounds", "2"]
    assert "script:export (PostgreSQL)" in passes
    assert passes["script:objects"].argv[3:] == ["--rows", "5000", "--repeat", "3"]
    assert "script:objects (PostgreSQL)" in passes
    assert "script:sources (PostgreSQL)" not in passes
    assert all(p.json is None for p in passes.values())


def test_execute_reads_a_pass_results_and_reports_a_pass_without(tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    writer = (
        "import sys; from benchmarks.report import PassResult; "
        "PassResult(name='x', title='X', meta={'facts': ['ok']}).write(__import__('pathlib').Path(sys.argv[1]))"
    )
    result, output, seconds = harness.execute(
        Pass("x", [sys.executable, "-c", writer, str(out)], out)
    )
    assert result is not None and result.title == "X" and result.meta == {"facts": ["ok"]}
    assert output == "" and seconds > 0
    missing = tmp_path / "missing.json"
    result, _, _ = harness.execute(Pass("postgresql", [sys.executable, "-c", "pass"], missing))
    assert result is not None and result.figures == []
    assert "the postgresql pass produced no figures (exit status 0" in result.skipped[0]
    result, output, _ = harness.execute(
        Pass("script:x", [sys.executable, "-c", "print('figure: 1'); raise SystemExit(3)"], None)
    )
    assert result is None
    assert output == "figure: 1\n\n(exit status 3)"


def test_execute_removes_unset_variables(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://nowhere/db")
    code = "import os; print(os.environ.get('DATABASE_URL', 'unset'))"
    _, output, _ = harness.execute(
        Pass("script:env", [sys.executable, "-c", code], None, unset=("DATABASE_URL",))
    )
    assert output == "unset\n"


def test_command_line_and_run_table() -> None:
    assert harness.command_line(["--rows", "1000", "--areas", "logs,tail"]) == (
        "python -m benchmarks --rows 1000 --areas logs,tail"
    )
    rows = harness.run_table(
        args_for("--rows", "1000000"), {"sqlite": 90.0, "total": 600.0}, ("1", "2")
    )
    assert rows["LogEntry rows"] == "1,000,000"
    assert rows["Export sizes"] == "100,000, 1,000,000"
    assert rows["Duration: sqlite"] == "1.5 min" and rows["Duration: total"] == "10.0 min"
    assert (rows["Load average at start"], rows["Load average at end"]) == ("1", "2")


def test_main_runs_the_log_pass_and_writes_the_note(tmp_path: Path) -> None:
    output, saved = tmp_path / "benchmarks.md", tmp_path / "run.json"
    argv = ["--areas", "logs", "--log-size", "300K", "--sample-size", "100K", "--repeat", "1"]
    assert harness.main([*argv, "--output", str(output), "--results", str(saved)]) == 0
    text = output.read_text()
    assert "Command: `python -m benchmarks --areas logs --log-size 300K" in text
    assert "## Log browse against tail and grep" in text
    assert "| newest page (50 records) | `tail -n 50` |" in text
    assert "| PostgreSQL | not measured in this run |" in text
    assert "## Activity list" not in text
    assert "lines generated in" in text
    # The saved figures write the same note again, without measuring.
    again = tmp_path / "again.md"
    assert harness.main(["--from-results", str(saved), "--output", str(again)]) == 0
    rewritten = again.read_text()
    assert "| Note written again | " in rewritten
    assert f"from the saved figures (`--from-results {saved}`) |" in rewritten
    without = "\n".join(line for line in rewritten.splitlines() if "Note written again" not in line)
    assert without + "\n" == text
