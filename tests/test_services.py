"""The interpreter search that gives the Django 6.1 pass its Python (tests/services.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.services import newest_python


def fake_python(path: Path, *, works: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\nexit {0 if works else 1}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", str(directory))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    return directory


def test_the_newest_that_runs_wins(bin_dir: Path) -> None:
    fake_python(bin_dir / "python3.11")
    newest_working = fake_python(bin_dir / "python3.12")
    # A pyenv shim for a version that is not selected: on PATH, but it fails.
    fake_python(bin_dir / "python3.13", works=False)
    fake_python(bin_dir / "python3.12-config")
    assert newest_python((3, 12)) == str(newest_working)


def test_pyenv_versions_are_found_behind_failing_shims(bin_dir: Path, tmp_path: Path) -> None:
    fake_python(bin_dir / "python3.13", works=False)
    installed = fake_python(tmp_path / "pyenv" / "versions" / "3.13.0" / "bin" / "python3")
    assert newest_python((3, 12)) == str(installed)


def test_none_when_nothing_is_new_enough(bin_dir: Path, tmp_path: Path) -> None:
    fake_python(bin_dir / "python3.11")
    fake_python(tmp_path / "pyenv" / "versions" / "3.10.13" / "bin" / "python3")
    assert newest_python((3, 12)) is None
