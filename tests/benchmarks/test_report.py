"""The note's tables, ratios and wording: pure formatting, no timings."""

from __future__ import annotations

import pytest

from benchmarks.report import (
    AREAS,
    LOSS_MARK,
    Figure,
    PassResult,
    format_ratio,
    format_value,
    group,
    losses,
    misses,
    render,
    summary,
    table,
)


def figure(**overrides: object) -> Figure:
    values: dict[str, object] = {
        "area": "activity",
        "measure": "page 1",
        "anchor": "Django admin changelist",
        "unit": "ms",
        "ours": 50.0,
        "theirs": 200.0,
        "database": "SQLite 3.40.1",
        "samples": 7,
    }
    values.update(overrides)
    return Figure(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ours", "theirs", "ratio"),
    [
        (50.0, 200.0, 4.0),
        (200.0, 50.0, 0.25),
        (None, 1.0, None),
        (1.0, None, None),
        (0.0, 1.0, None),
    ],
)
def test_ratio_is_anchor_over_ours(
    ours: float | None, theirs: float | None, ratio: float | None
) -> None:
    assert figure(ours=ours, theirs=theirs).ratio == ratio


@pytest.mark.parametrize(
    ("theirs", "lose"),
    [(200.0, False), (50.0, False), (48.0, False), (47.0, True), (10.0, True), (None, False)],
)
def test_we_lose_only_clearly_below_one(theirs: float | None, lose: bool) -> None:
    # 48/50 = 0.96 is within the 5% band: level, not a loss.
    assert figure(ours=50.0, theirs=theirs).we_lose is lose


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1234.4, "ms", "1,234 ms"),
        (45.12, "ms", "45.1 ms"),
        (2.5, "s", "2.50 s"),
        (0.0421, "ms", "0.042 ms"),
        (None, "ms", "—"),
        (3.0, "", "3.00"),
    ],
)
def test_format_value(value: float | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (3.21, "3.2×"),
        (12.4, "12×"),
        (1234.0, "1,234×"),
        (1.0, "1.0×"),
        (0.97, "0.97×"),
        (0.45, f"0.45× {LOSS_MARK}"),
        (0.0066, f"0.0066× {LOSS_MARK}"),
        (None, "n/a"),
    ],
)
def test_format_ratio(ratio: float | None, text: str) -> None:
    assert format_ratio(ratio) == text


def test_table_has_a_row_per_figure_and_escapes_pipes() -> None:
    lines = table([figure(), figure(measure="deep page", note="a | b", ours=None)])
    assert lines[0].startswith("| Measure | Anchor | Ours | Anchor's | Ratio (anchor ÷ ours) |")
    assert lines[2] == "| page 1 | Django admin changelist | 50.0 ms | 200 ms | 4.0× |  |"
    assert lines[3] == "| deep page | Django admin changelist | — | 200 ms | n/a | a \\| b |"
    assert len(lines) == 4


def test_group_by_area_then_database_in_order() -> None:
    figures = [
        figure(database="SQLite"),
        figure(area="logs", database=""),
        figure(database="PostgreSQL"),
        figure(database="SQLite", measure="deep"),
    ]
    grouped = group(figures)
    assert list(grouped) == ["activity", "logs"]
    assert list(grouped["activity"]) == ["SQLite", "PostgreSQL"]
    assert [f.measure for f in grouped["activity"]["SQLite"]] == ["page 1", "deep"]


def test_losses_lists_the_anchors_wins_once_per_reason() -> None:
    bullets = losses(
        [
            figure(),
            figure(measure="search", ours=500.0, theirs=100.0, why="Both scan the table."),
            figure(measure="search 2", ours=300.0, theirs=100.0, why="Both scan the table."),
            figure(area="logs", database="", measure="scan", unit="s", ours=2.0, theirs=0.5),
            figure(area="custom", database="", measure="x", ours=2.0, theirs=1.0),
        ]
    )
    assert bullets == [
        "- **Activity list (SQLite 3.40.1)**: search: 500 ms against 100 ms for Django admin "
        "changelist (0.2×); search 2: 300 ms against 100 ms for Django admin changelist "
        "(0.33×). Both scan the table.",
        "- **Log browse**: scan: 2.00 s against 0.500 s for Django admin changelist (0.25×).",
        "- **custom**: x: 2.00 ms against 1.00 ms for Django admin changelist (0.5×).",
    ]


def test_misses_lists_measures_over_our_target_that_no_anchor_wins() -> None:
    slow = figure(measure="search", ours=870.0, theirs=4695.0, target=100.0, over_why="A scan.")
    assert slow.over_target and not slow.we_lose
    assert not figure(target=100.0).over_target
    assert not figure(target=None).over_target
    losing = figure(measure="x", ours=500.0, theirs=100.0, target=100.0)
    export = [
        figure(area="export", measure="1M rows", unit="s", ours=20.0, theirs=80.0, target=10.0),
        figure(
            area="export", measure="1M rows", unit="s", ours=20.0, theirs=250.0, target=10.0,
            anchor="admin",
        ),
    ]  # fmt: skip
    assert misses([slow, losing, figure(target=100.0), *export]) == [
        "- **Activity list (SQLite 3.40.1), search**: 870 ms, over our target of 100 ms "
        "(Django admin changelist: 4,695 ms). A scan.",
        "- **Export (SQLite 3.40.1), 1M rows**: 20.0 s, over our target of 10.0 s "
        "(Django admin changelist: 80.0 s; admin: 250 s).",
    ]


def test_summary_has_a_row_per_area() -> None:
    lines = summary(
        [
            figure(),
            figure(ours=100.0, theirs=50.0, target=80.0),
            figure(area="logs", ours=None),
        ]
    )
    assert lines[2:] == [
        "| Activity list | 2 | 0.5× to 4.0× | 1 | 1 |",
        "| Log browse | 1 | n/a | 0 | 0 |",
    ]


def test_pass_result_round_trips_through_json(tmp_path) -> None:
    result = PassResult(name="sqlite", title="SQLite 3.40.1", figures=[figure()])
    result.meta["facts"] = ["1,000 LogEntry rows"]
    result.skipped.append("nothing")
    path = tmp_path / "r.json"
    result.write(path)
    assert PassResult.from_json(path.read_text()) == result


def test_render_writes_every_section() -> None:
    sqlite = PassResult(
        name="sqlite",
        title="SQLite 3.40.1",
        figures=[figure(), figure(measure="search", ours=500.0, theirs=100.0)],
        meta={"facts": ["1,000 LogEntry rows"]},
    )
    logs = PassResult(
        name="logs",
        title="Log file",
        figures=[figure(area="logs", database="", measure="newest page", anchor="`tail -n 50`")],
        meta={"facts": ["100 MB JSON-lines file"]},
        skipped=["a reason"],
    )
    text = render(
        [sqlite, logs],
        command="python -m benchmarks --rows 1000",
        machine={"CPU": "2 cores"},
        run={"LogEntry rows": "1,000"},
        scripts={"script:tail": "idle poll: 3 ms\n"},
    )
    assert text.startswith("# Benchmarks\n")
    assert "Command: `python -m benchmarks --rows 1000`" in text
    assert "| CPU | 2 cores |" in text
    assert "## Summary\n\n| Area | Figures |" in text
    assert "| Activity list | 2 | 0.2× to 4.0× | 1 | 0 |" in text
    assert "| LogEntry rows | 1,000 |" in text
    activity, logs_title = AREAS[0].title, AREAS[2].title
    assert text.index(f"## {activity}") < text.index(f"## {logs_title}")
    assert "### SQLite 3.40.1 (1,000 LogEntry rows)" in text
    assert "### Log file (100 MB JSON-lines file)" in text
    assert "## Not measured in this run\n\n- Log file: a reason" in text
    assert "- **Activity list (SQLite 3.40.1)**: search: 500 ms against 100 ms" in text
    assert "## Output of script:tail\n\n```text\nidle poll: 3 ms\n```" in text
    assert "over our own target" not in text
    assert AREAS[1].title not in text  # no export figures, no export section
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_render_says_so_when_we_lose_nowhere() -> None:
    text = render(
        [PassResult(name="x", title="X", figures=[figure()])],
        command="python -m benchmarks",
        machine={},
        run={},
    )
    assert "## Where we lose\n\nThe anchors won nowhere in this run." in text
    assert "Not measured" not in text
    text = render(
        [PassResult(name="x", title="X", figures=[figure(target=10.0)])],
        command="python -m benchmarks",
        machine={},
        run={},
    )
    assert "Ahead of the anchor, but over our own target (from the area's issue):" in text
    assert (
        "- **Activity list (SQLite 3.40.1), page 1**: 50.0 ms, over our target of 10.0 ms" in text
    )
