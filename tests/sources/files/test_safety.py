"""Only regular files under the configured directory are ever read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditconsole.sources.files.discovery import discover
from auditconsole.sources.files.safety import UnsafePath, check_file, is_within, open_checked


def test_symlink_leaving_the_directory_is_refused(logs: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text('{"message": "root password"}\n')
    (logs / "app.log").symlink_to(secret)
    (stream,) = discover(str(logs / "app.log")).streams
    assert stream.files == []
    assert stream.refused[0].name == "app.log"
    assert "outside the log directory" in stream.refused[0].reason


def test_symlink_inside_the_directory_is_allowed(logs: Path) -> None:
    (logs / "real").mkdir()
    (logs / "real" / "app.log").write_text("{}\n")
    (logs / "app.log").symlink_to(logs / "real" / "app.log")
    (stream,) = discover(str(logs / "app.log")).streams
    assert stream.files[0].path == os.path.realpath(logs / "real" / "app.log")


def test_symlinked_configured_directory_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "app.log").write_text("{}\n")
    (tmp_path / "link").symlink_to(real)
    (stream,) = discover(str(tmp_path / "link" / "app.log")).streams
    assert [f.name for f in stream.files] == ["app.log"]


def test_fifo_is_refused(logs: Path) -> None:
    os.mkfifo(logs / "app.log")
    (stream,) = discover(str(logs / "app.log")).streams
    assert stream.files == []
    assert "not a regular file" in stream.refused[0].reason


def test_dangling_symlink_is_refused(logs: Path) -> None:
    (logs / "app.log.1").symlink_to(logs / "gone")
    (stream,) = discover(str(logs / "app.log")).streams
    assert stream.files == [] and stream.refused[0].name == "app.log.1"


def test_open_checked_verifies_identity_and_type(logs: Path) -> None:
    path = logs / "app.log"
    path.write_text("x\n")
    real, st = check_file(str(path), os.path.realpath(logs))
    fd = open_checked(real, os.path.realpath(logs), (st.st_dev, st.st_ino))
    os.close(fd)
    with pytest.raises(UnsafePath, match="replaced"):
        open_checked(real, os.path.realpath(logs), (st.st_dev, st.st_ino + 1))
    with pytest.raises(UnsafePath, match="outside"):
        open_checked("/etc/hostname", os.path.realpath(logs))
    os.mkfifo(logs / "fifo")
    with pytest.raises(UnsafePath, match="regular"):
        open_checked(str(logs / "fifo"), os.path.realpath(logs))
    (logs / "link").symlink_to(path)
    with pytest.raises(OSError):  # O_NOFOLLOW: a symlink swapped in after the check
        open_checked(str(logs / "link"), os.path.realpath(logs))


def test_is_within() -> None:
    assert is_within("/var/log/app/x.log", "/var/log/app")
    assert not is_within("/var/log/app2/x.log", "/var/log/app")
    assert not is_within("relative/x.log", "/var/log")
