"""Writing real log files for the source tests, in the shapes real formatters write."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditconsole.sources.files import FileSource
from auditconsole.sources.query import Query
from auditconsole.sources.records import Record

FILE_SOURCE = "auditconsole.sources.files.FileSource"
START = datetime(2026, 4, 4, 12, 0, 0, tzinfo=UTC)


def stamp(n: int, *, start: datetime = START) -> str:
    """python-json-logger's asctime for the n-th second after START (UTC, naive)."""
    return (start + timedelta(seconds=n)).strftime("%Y-%m-%d %H:%M:%S,123")


def app_line(n: int, **extra: Any) -> str:
    """A SmallStack / python-json-logger record carrying its sequence number."""
    record = {
        "time": stamp(n),
        "level": ["INFO", "WARNING", "ERROR", "DEBUG"][n % 4],
        "name": "apps.billing" if n % 2 else "apps.tickets.views",
        "module": "views",
        "message": f"event {n}",
        "seq": n,
    }
    record.update(extra)
    return json.dumps(record)


def write(
    path: Path, lines: Iterable[str | bytes], *, gz: bool = False, newline: bool = True
) -> Path:
    parts = [line.encode() if isinstance(line, str) else line for line in lines]
    data = b"\n".join(parts) + (b"\n" if newline and parts else b"")
    if gz:
        with gzip.open(path, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)
    return path


def append(path: Path, *lines: str | bytes) -> None:
    with path.open("ab") as handle:
        for line in lines:
            handle.write((line.encode() if isinstance(line, str) else line) + b"\n")


def source(
    path: Path | str, key: str = "app", label: str | None = None, **options: Any
) -> FileSource:
    config: dict[str, Any] = {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": str(path), **options}}
    if label:
        config["LABEL"] = label
    return FileSource(key, config)


def config(path: Path | str, **extra: Any) -> dict[str, Any]:
    options = extra.pop("OPTIONS", {})
    return {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": str(path), **options}, **extra}


def page_all(log_source: Any, query: Query | None = None, limit: int = 7) -> list[Record]:
    """Every record, by following cursors page after page."""
    records: list[Record] = []
    cursor = None
    for _ in range(10_000):
        page = log_source.page(query or Query(), cursor, limit)
        records.extend(page.records)
        cursor = page.cursor
        if cursor is None:
            return records
    raise AssertionError("paging did not terminate")


def seqs(records: Iterable[Record]) -> list[int]:
    return [record.fields["seq"] for record in records]


def rotated_app_logs(directory: Path, per_file: int = 10) -> int:
    """app.log with rotations .1 .2 .3 and .4.gz, sequence numbers increasing with time."""
    names = ["app.log.4.gz", "app.log.3", "app.log.2", "app.log.1", "app.log"]
    n = 0
    for name in names:
        lines = [app_line(n + i) for i in range(per_file)]
        n += per_file
        write(directory / name, lines, gz=name.endswith(".gz"))
    return n


def as_unprivileged(function: Any) -> Any:
    """Run ``function()`` as an unprivileged user and return its result.

    File permissions do not stop root, and the test suite may run as root (in a
    container): then the call runs in a forked child that has dropped to ``nobody``.
    """
    import os
    import pickle

    if os.geteuid() != 0:
        return function()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its coverage is not collected
        os.close(read_end)
        try:
            os.setgid(65534)
            os.setuid(65534)
            payload = pickle.dumps(("ok", function()))
        except BaseException as exc:
            payload = pickle.dumps(("error", repr(exc)))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        status, value = pickle.loads(pipe.read())
    os.waitpid(pid, 0)
    if status != "ok":
        raise AssertionError(f"unprivileged call failed: {value}")
    return value


def shared_tmp() -> Path:
    """A temporary directory an unprivileged user can traverse (pytest's is 0700)."""
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="auditconsole-perm-"))
    directory.chmod(0o755)
    return directory
