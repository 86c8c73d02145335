"""Desk code that fails for real, for genuine tracebacks in the demo logs."""

from __future__ import annotations

import logging
import random

import pytest

from project.demo import incidents


@pytest.mark.parametrize(("message", "scenario"), incidents.SCENARIOS)
def test_every_scenario_fails(message: str, scenario) -> None:
    with pytest.raises(Exception):  # noqa: B017 - each scenario raises its own kind
        scenario(random.Random(1))


def test_capture_starts_the_traceback_at_the_desk_code() -> None:
    rng = random.Random(0)
    seen = {}
    for _ in range(200):
        message, exc_info = incidents.capture(rng)
        seen[message] = logging.Formatter().formatException(exc_info)
    assert set(seen) == {message for message, _ in incidents.SCENARIOS}
    for text in seen.values():
        assert text.startswith("Traceback (most recent call last):\n")
        assert " in capture\n" not in text
    assert "The above exception was the direct cause" in seen["Charging invoice failed"]
    assert "json" in seen["Webhook payload could not be parsed"]
