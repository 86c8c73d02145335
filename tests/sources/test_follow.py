"""follow(): what a live tail shows, without HTTP: the last matches, and what came since."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditconsole.sources.follow import latest, since
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from tests.sources.helpers import app_line, append, config, seqs, write


@pytest.fixture
def sources(settings: Any, logs: Path) -> Path:
    write(logs / "app.log", [app_line(i) for i in range(10)])
    settings.AUDITCONSOLE_LOG_SOURCES = {"app": config(logs / "app.log", LABEL="Application")}
    return logs


def test_latest_without_position_takes_the_last_matches(sources: Path) -> None:
    source = get_source("app")
    snapshot = latest(source, Query(), lines=3)
    assert seqs(snapshot.records) == [7, 8, 9] and snapshot.fresh is None
    assert latest(source, Query(), lines=0).records == []
    error = Query(min_level=40, level_name="ERROR")
    assert seqs(latest(source, error, lines=1).records) == [6]
    assert seqs(latest(source, error, lines=5, window=4).records) == [6]


def test_latest_with_a_position_never_repeats_a_record(sources: Path) -> None:
    source = get_source("app")
    state = source.tail(None, 1).cursor
    append(sources / "app.log", *[app_line(i) for i in range(10, 14)])
    snapshot = latest(source, Query(), state, lines=6)
    assert seqs(snapshot.records) == [8, 9, 10, 11, 12, 13] and snapshot.fresh == 4
    assert snapshot.state == source.tail(None, 1).cursor
    assert seqs(latest(source, Query(), state, lines=2).records) == [10, 11, 12, 13]


def test_latest_leaves_out_context_when_the_batch_was_cut_short(sources: Path) -> None:
    source = get_source("app")
    state = source.tail(None, 1).cursor
    append(sources / "app.log", *[app_line(i) for i in range(10, 20)])
    snapshot = latest(source, Query(), state, lines=8, batch=4)
    assert seqs(snapshot.records) == [10, 11, 12, 13] and snapshot.more
    rest = since(source, Query(), snapshot.state, limit=4)
    assert seqs(rest.records) == [14, 15, 16, 17] and rest.more
