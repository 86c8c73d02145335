from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from auditconsole.sources.merged import MergedSource
from auditconsole.sources.query import Query
from tests.sources.helpers import START, app_line, append, page_all, seqs, source, write


def timed(n: int, **extra) -> str:
    return json.dumps(
        {
            "timestamp": (START + timedelta(seconds=n)).isoformat(),
            "message": f"m{n}",
            "seq": n,
            **extra,
        }
    )


@pytest.fixture
def merged(logs: Path) -> MergedSource:
    (logs / "a").mkdir()
    (logs / "b").mkdir()
    write(logs / "a" / "app.log", [timed(n) for n in range(0, 30, 3)])
    write(
        logs / "b" / "api.log", [timed(n, level="API") for n in range(1, 30, 3)] + ["broken line"]
    )
    write(logs / "b" / "api.log.1", [timed(n) for n in (-5, -2)])
    return MergedSource(
        [
            source(logs / "a" / "app.log", "app", "Application"),
            source(logs / "b" / "api.log", "api", "API"),
        ]
    )


def test_records_interleave_by_time_each_labelled(merged: MergedSource) -> None:
    records = page_all(merged, limit=4)
    expected = sorted([*range(0, 30, 3), *range(1, 30, 3)], reverse=True)
    assert [r.fields.get("seq") for r in records] == [None, *expected, -2, -5]
    labels = {r.fields.get("seq"): (r.source, r.source_label) for r in records}
    assert labels[27] == ("app", "Application") and labels[28] == ("api", "API")
    assert records[0].malformed and records[0].source == "api"  # untimed: stays at its file's end


def test_key_label_scope_and_cursor_shape(merged: MergedSource) -> None:
    assert (
        merged.key == "app+api"
        and merged.label == "Application + API"
        and merged.scope == "merged:app+api"
    )
    page = merged.page(Query(), None, 3)
    assert set(page.cursor) == {"app", "api"} and set(page.cursor["api"]) == {"api.log"}
    with pytest.raises(ValueError):
        merged.page(Query(), ["bad"])
    finished = merged.page(Query(), {"app": None, "api": None})
    assert finished.records == [] and finished.cursor is None


def test_filters_apply_to_every_source(merged: MergedSource) -> None:
    assert seqs(merged.page(Query(min_level=22)).records) == list(range(28, 0, -3))


def test_get_around_files_and_visibility(merged: MergedSource, superuser) -> None:
    record = merged.page(Query(), None, 3).records[2]
    assert merged.get(record.ref).message == record.message
    assert merged.around(record.ref, 1).record.message == record.message
    foreign = replace(record.ref, source="zzz")
    assert merged.get(foreign) is None and merged.around(foreign, 1) is None
    assert [f.name for f in merged.files()] == ["app.log", "api.log", "api.log.1"]
    assert merged.visible_to(superuser)


def test_tail_merges_every_source(merged: MergedSource, logs: Path) -> None:
    first = merged.tail(None, 2)
    assert [r.fields.get("seq") for r in first.records] == [24, 27, 28, None]
    assert set(first.cursor) == {"app", "api"}
    append(logs / "a" / "app.log", timed(40))
    append(logs / "b" / "api.log", timed(39), timed(41))
    later = merged.tail(first.cursor, 10)
    assert seqs(later.records) == [39, 40, 41]
    assert not (later.rotated or later.truncated or later.gap or later.more)
    with pytest.raises(ValueError):
        merged.tail(["bad"])


def test_a_single_source_can_be_merged(logs: Path) -> None:
    write(logs / "app.log", [app_line(i) for i in range(3)])
    alone = MergedSource([source(logs / "app.log")])
    assert seqs(page_all(alone)) == [2, 1, 0]


def test_a_source_says_what_it_is_and_how_it_appears_in_urls(merged: MergedSource) -> None:
    single = merged.sources[0]
    assert (single.is_merged, single.scope, single.member_keys) == (False, "app", ["app"])
    assert (single.url_kwargs, single.url_params) == ({"key": "app"}, {})
    assert (merged.is_merged, merged.member_keys) == (True, ["app", "api"])
    assert (merged.url_kwargs, merged.url_params) == ({}, {"sources": ["app", "api"]})
