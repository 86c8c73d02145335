from __future__ import annotations

import os
import shutil
from pathlib import Path

from auditconsole.sources.files.discovery import configured_root, discover
from tests.sources.helpers import as_unprivileged, shared_tmp


def touch(directory: Path, *names: str) -> None:
    for name in names:
        (directory / name).write_bytes(b"x\n")


def names(path: Path | str) -> list[str]:
    (stream,) = discover(str(path)).streams
    return [f.name for f in stream.files]


def test_rotation_order_newest_first(logs: Path) -> None:
    touch(
        logs,
        "app.log",
        "app.log.1",
        "app.log.2",
        "app.log.10",
        "app.log.3.gz",
        "app.log-20260401",
        "app.log-20260403.gz",
        "app.log-2026040212",
        "app.log.2026-03-30",
        "app.log.2026-03-31_12-00-00",
        "other.log",
        "app.log.bak",
        "app.logx",
        "app.log.1.2",
    )
    assert names(logs / "app.log") == [
        "app.log",
        "app.log.1",
        "app.log.2",
        "app.log.3.gz",
        "app.log.10",
        "app.log-20260403.gz",
        "app.log-2026040212",
        "app.log-20260401",
        "app.log.2026-03-31_12-00-00",
        "app.log.2026-03-30",
    ]


def test_flags_and_identity(logs: Path) -> None:
    touch(logs, "app.log", "app.log.1.gz")
    (stream,) = discover(str(logs / "app.log")).streams
    live, rotated = stream.files
    assert live.live and not live.compressed and stream.live is live
    assert rotated.compressed and not rotated.live
    assert stream.index_of(rotated.identity) == 1
    assert stream.index_of((0, 0)) is None
    assert live.size == 2 and live.path == os.path.realpath(logs / "app.log")


def test_half_compressed_rotation_reads_the_plain_copy(logs: Path) -> None:
    touch(
        logs,
        "app.log",
        "app.log.3",
        "app.log.3.gz",
        "app.log-20260401",
        "app.log-20260401.gz",
        "app.log.gz",
    )
    assert names(logs / "app.log") == ["app.log", "app.log.gz", "app.log.3", "app.log-20260401"]


def test_missing_live_file_keeps_rotations(logs: Path) -> None:
    touch(logs, "app.log.1")
    (stream,) = discover(str(logs / "app.log")).streams
    assert stream.live is None
    assert [f.name for f in stream.files] == ["app.log.1"]


def test_missing_directory(tmp_path: Path) -> None:
    found = discover(str(tmp_path / "nope" / "app.log"))
    assert not found.directory_exists and found.streams == []


def test_glob_groups_rotations_into_streams(logs: Path) -> None:
    (logs / "svc").mkdir()
    touch(logs, "a.log", "a.log.1", "b.log", "c.log.2.gz", "notes.txt")
    touch(logs / "svc", "x.log")
    found = discover(str(logs / "*.log*"))
    assert [s.name for s in found.streams] == ["a.log", "b.log", "c.log"]
    assert [f.name for f in found.streams[0].files] == ["a.log", "a.log.1"]
    assert found.streams[2].live is None
    nested = discover(str(logs / "*" / "*.log"))
    assert [s.name for s in nested.streams] == ["svc/x.log"]
    assert nested.root == os.path.realpath(logs)
    assert configured_root(str(logs / "*" / "*.log")) == str(logs)
    assert configured_root(str(logs / "app.log")) == str(logs)


def test_glob_ignores_directories(logs: Path) -> None:
    (logs / "dir.log").mkdir()
    assert discover(str(logs / "*.log")).streams == []


def test_unlistable_directory_yields_empty_stream() -> None:
    base = shared_tmp()
    try:
        sub = base / "sub"
        sub.mkdir()
        touch(sub, "app.log")
        sub.chmod(0o000)
        streams = as_unprivileged(
            lambda: [len(s.files) for s in discover(str(sub / "app.log")).streams]
        )
        assert streams == [0]
    finally:
        (base / "sub").chmod(0o755)
        shutil.rmtree(base)
