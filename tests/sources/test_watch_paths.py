"""What a source asks the pushed tail to watch (``LogSource.watch_paths()``)."""

from __future__ import annotations

from pathlib import Path

from auditconsole.sources.base import LogSource
from auditconsole.sources.merged import MergedSource
from tests.sources.helpers import app_line, source, write


def test_a_file_source_names_its_directory(tmp_path: Path) -> None:
    write(tmp_path / "app.log", [app_line(0)])
    assert source(tmp_path / "app.log").watch_paths() == [str(tmp_path)]


def test_a_glob_names_each_directory_it_matched_in(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        write(tmp_path / name / "app.log", [app_line(0)])
    paths = source(tmp_path / "*" / "app.log").watch_paths()
    assert paths == [str(tmp_path), str(tmp_path / "one"), str(tmp_path / "two")]


def test_a_missing_directory_names_nothing(tmp_path: Path) -> None:
    assert source(tmp_path / "nowhere" / "app.log").watch_paths() == []


def test_a_merged_source_names_its_members_directories_once(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    write(tmp_path / "app.log", [app_line(0)])
    write(tmp_path / "other.log", [app_line(0)])
    write(tmp_path / "api" / "api.log", [app_line(0)])
    merged = MergedSource(
        [
            source(tmp_path / "app.log"),
            source(tmp_path / "other.log", key="other"),
            source(tmp_path / "api" / "api.log", key="api"),
        ]
    )
    assert merged.watch_paths() == [str(tmp_path), str(tmp_path / "api")]


def test_by_default_a_source_names_nothing_and_is_polled(tmp_path: Path) -> None:
    write(tmp_path / "app.log", [app_line(0)])
    assert LogSource.watch_paths(source(tmp_path / "app.log")) == []
