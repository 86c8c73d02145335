"""Positions inside page cursors: a well-formed state only (even a signed one is checked)."""

from __future__ import annotations

import pytest

from auditconsole.sources.files.positions import InvalidState, ScanPosition


def parse_state(state: list) -> list:
    """A state read as a position and written back, as a resumed cursor carries it."""
    return ScanPosition.from_state(state).to_state()


@pytest.mark.parametrize("when", [None, 0, -1.5, 1_775_304_000.25, 253_402_000_000])
def test_times_a_datetime_can_hold_are_accepted(when) -> None:
    state = ["app.log", 1, 2, 10, when, None, None]
    assert parse_state(state)[4] == when


@pytest.mark.parametrize("when", [1e300, -1e300, float("inf"), float("nan"), 2**80, True, "12"])
def test_times_beyond_datetime_are_refused(when) -> None:
    """``datetime.fromtimestamp`` would raise OverflowError/OSError: a 500, not a refusal."""
    with pytest.raises(InvalidState):
        parse_state(["app.log", 1, 2, None, when, None, None])
