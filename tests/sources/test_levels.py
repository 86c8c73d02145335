from __future__ import annotations

import pytest

from auditconsole.sources import levels


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("INFO", ("INFO", 20)),
        ("info", ("INFO", 20)),
        ("Warn", ("WARNING", 30)),
        ("warning", ("WARNING", 30)),
        ("FATAL", ("CRITICAL", 50)),
        ("crit", ("CRITICAL", 50)),
        ("err", ("ERROR", 40)),
        ("exception", ("ERROR", 40)),
        ("AUDIT", ("AUDIT", 21)),
        ("api", ("API", 22)),
        ("Login", ("LOGIN", 23)),
        ("trace", ("TRACE", 5)),
        ("notice", ("NOTICE", 25)),
        ("success", ("SUCCESS", 25)),
        ("verbose", ("DEBUG", 10)),
        (30, ("WARNING", 30)),
        (35.0, ("WARNING", 35)),
        ("50", ("CRITICAL", 50)),
        (1, ("1", 1)),
        ("chatty", ("CHATTY", 0)),
        ("  ", ("", 0)),
        (None, ("", 0)),
        (True, ("", 0)),
        (["warn"], ("['WARN']", 0)),
    ],
)
def test_normalize(value, expected) -> None:
    assert levels.normalize(value) == expected


def test_audit_levels_sit_between_info_and_warning() -> None:
    order = [number for _, number in levels.CANONICAL]
    assert order == sorted(order)
    assert levels.INFO < levels.AUDIT < levels.API < levels.LOGIN < levels.WARNING


def test_number_for_name_and_css() -> None:
    assert levels.number_for_name("audit") == 21
    assert levels.number_for_name("nope") is None
    assert levels.css_class("LOGIN") == "login"
    assert levels.css_class("TRACE") == "debug"
    assert levels.css_class("CHATTY") == ""
