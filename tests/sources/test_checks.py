"""System checks of log sources: every id (E007-E015, W001-W003) and the budget settings."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from auditconsole import checks as ac_checks
from tests.sources.helpers import FILE_SOURCE, as_unprivileged, config, shared_tmp


def ids(settings, sources: dict) -> list[str]:
    settings.AUDITCONSOLE_LOG_SOURCES = sources
    return [message.id for message in ac_checks.check_log_sources()]


def test_a_good_source_is_clean(settings, logs: Path) -> None:
    (logs / "app.log").write_text("{}\n")
    assert (
        ids(
            settings,
            {
                "app": config(
                    logs / "app.log",
                    LABEL="App",
                    PERMISSION="demo.view_customer",
                    OPTIONS={
                        "format": "json",
                        "timezone": "Europe/Paris",
                        "columns": ["a.b"],
                        "pattern": r"(?P<time>\S+) (?P<message>.*)",
                    },
                )
            },
        )
        == []
    )


def test_a_missing_file_in_an_existing_directory_is_not_a_warning(settings, logs: Path) -> None:
    # A fresh deployment: the handler has not written yet.
    assert ids(settings, {"app": config(logs / "app.log"), "g": config(logs / "*.log")}) == []


def test_w001_directory_missing(settings, tmp_path: Path) -> None:
    assert ids(settings, {"app": config(tmp_path / "nope" / "app.log")}) == ["auditconsole.W001"]
    assert ids(settings, {"app": config(tmp_path / "nope" / "*.log")}) == ["auditconsole.W001"]


def test_w002_unreadable_file_and_directory(settings) -> None:
    base = shared_tmp()
    try:
        (base / "app.log").write_text("{}\n")
        (base / "app.log").chmod(0o000)
        settings.AUDITCONSOLE_LOG_SOURCES = {"app": config(base / "app.log")}
        assert as_unprivileged(lambda: [m.id for m in ac_checks.check_log_sources()]) == [
            "auditconsole.W002"
        ]
        locked = base / "locked"
        locked.mkdir()
        locked.chmod(0o311)  # can traverse, cannot list
        settings.AUDITCONSOLE_LOG_SOURCES = {"app": config(locked / "app.log")}
        assert as_unprivileged(lambda: [m.id for m in ac_checks.check_log_sources()]) == [
            "auditconsole.W002"
        ]
    finally:
        shutil.rmtree(base)


def test_w003_refused_files(settings, logs: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere.log").write_text("{}\n")
    (logs / "app.log").symlink_to(tmp_path / "elsewhere.log")
    os.mkfifo(logs / "app.log.1")
    assert ids(settings, {"app": config(logs / "app.log")}) == [
        "auditconsole.W003",
        "auditconsole.W003",
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"BACKEND": FILE_SOURCE, "OPTIONS": "path"}, ["auditconsole.E007"]),
        ({"BACKEND": FILE_SOURCE, "OPTIONS": {}}, ["auditconsole.E007"]),
        ({"BACKEND": FILE_SOURCE, "OPTIONS": {"path": ""}}, ["auditconsole.E007"]),
        (
            {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": "{logs}/a.log", "format": "xml"}},
            ["auditconsole.E008"],
        ),
        (
            {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": "{logs}/a.log", "timezone": "Mars/Base"}},
            ["auditconsole.E009"],
        ),
        (
            {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": "{logs}/a.log", "timezone": 5}},
            ["auditconsole.E009"],
        ),
        (
            {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": "{logs}/a.log", "columns": "status"}},
            ["auditconsole.E010"],
        ),
        (
            {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": "{logs}/a.log", "columns": ["ok", ""]}},
            ["auditconsole.E010"],
        ),
        (
            {
                "BACKEND": FILE_SOURCE,
                "PERMISSION": "view_logs",
                "OPTIONS": {"path": "{logs}/a.log"},
            },
            ["auditconsole.E011"],
        ),
        (
            {"BACKEND": FILE_SOURCE, "PERMISSION": ["a.b"], "OPTIONS": {"path": "{logs}/a.log"}},
            ["auditconsole.E011"],
        ),
        (
            {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": "{logs}/a.log", "pattern": "(?P<time>"}},
            ["auditconsole.E012"],
        ),
        (
            {
                "BACKEND": FILE_SOURCE,
                "OPTIONS": {"path": "{logs}/a.log", "pattern": r"(?P<when>\S+)"},
            },
            ["auditconsole.E012"],
        ),
        (
            {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": "{logs}/a.log", "pattern": 3}},
            ["auditconsole.E012"],
        ),
        (
            {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": "{logs}/a.log", "formt": "json"}},
            ["auditconsole.E014"],
        ),
        ({"BACKEND": "auditconsole.sources.query.Query"}, ["auditconsole.E015"]),
    ],
)
def test_option_errors(settings, logs: Path, source: dict, expected: list[str]) -> None:
    options = source.get("OPTIONS")
    if isinstance(options, dict) and "path" in options:
        source = {**source, "OPTIONS": {**options, "path": options["path"].format(logs=logs)}}
    assert ids(settings, {"app": source}) == expected


@pytest.mark.parametrize("key", ["merged", "has space", "dots.bad", "ünïcode"])
def test_e013_key_must_be_a_url_slug(settings, logs: Path, key: str) -> None:
    assert ids(settings, {key: config(logs / "app.log")}) == ["auditconsole.E013"]


def test_e004_still_reported_and_other_sources_still_checked(settings, logs: Path) -> None:
    result = ids(
        settings,
        {
            "bad": {"BACKEND": "nowhere.X"},
            "good": config(logs / "a.log", OPTIONS={"format": "csv"}),
        },
    )
    assert result == ["auditconsole.E004", "auditconsole.E008"]


@pytest.mark.parametrize("value", [0, -1, "3", True])
def test_scan_budget_seconds_is_checked(settings, value) -> None:
    settings.AUDITCONSOLE_SCAN_BUDGET_SECONDS = value
    assert "auditconsole.E005" in [m.id for m in ac_checks.check_settings()]


def test_scan_budget_bytes_is_checked(settings) -> None:
    settings.AUDITCONSOLE_SCAN_BUDGET_BYTES = 0
    assert "auditconsole.E005" in [m.id for m in ac_checks.check_settings()]
    settings.AUDITCONSOLE_SCAN_BUDGET_BYTES = 10
    settings.AUDITCONSOLE_SCAN_BUDGET_SECONDS = 0.5
    assert [m.id for m in ac_checks.check_settings()] == []
