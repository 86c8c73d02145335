"""TailResult: one result for a stream, a source, several merged and the live tail."""

from __future__ import annotations

from auditconsole.sources.tails import TailResult


def test_snapshot_events_read_like_tail_f() -> None:
    snapshot = TailResult([], None, rotated=True, truncated=True, gap=True, notices=["x"])
    assert [event.split(":")[0] for event in snapshot.events] == [
        "The log was rotated",
        "The log was truncated in place",
        "The file being followed disappeared before it was read to the end",
        "x",
    ]
