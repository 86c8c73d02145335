"""Finding a source's files: the live file and its rotations, newest first.

A *stream* is one logical log: ``app.log`` and what rotation made of it over time.
Rotations are recognised in the shapes Python's handlers and logrotate produce::

    app.log            the live file (newest)
    app.log.1 ...      RotatingFileHandler / logrotate numbering; .1 is the newest rotation
    app.log.4.gz       the same, compressed
    app.log-20260401   logrotate ``dateext`` (also -2026040112), newest date first
    app.log.2026-04-01 TimedRotatingFileHandler (also _12-00-00)

Numbered rotations come before dated ones. When both ``app.log.3`` and ``app.log.3.gz``
exist (logrotate is compressing right now), the plain one is read and the other skipped.

A configured ``path`` that is a glob (``/var/log/app/*.log``) yields one stream per
matched base name; its rotations are found next to it even when the glob does not match
them. A glob's allowed directory is the part of the pattern before the first wildcard.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field

from auditconsole.sources.files.safety import UnsafePath, check_file, resolve_root

_SUFFIX = (
    r"(?:\.(?P<num>\d{1,6})"
    r"|(?P<date>[-.]\d{8}(?:\d{2}){0,3}|[-.]\d{4}-\d{2}-\d{2}(?:[_T]\d{2}(?:-\d{2}){0,2})?))?"
    r"(?P<gz>\.gz)?"
)
_BASE = re.compile(r"(?P<base>.+?)" + _SUFFIX)


@dataclass(frozen=True)
class LogFile:
    """One file of a stream. ``path`` is canonical and internal: it never leaves the server."""

    path: str
    name: str
    stream: str
    dev: int
    ino: int
    size: int
    mtime: float
    compressed: bool
    live: bool

    @property
    def identity(self) -> tuple[int, int]:
        return (self.dev, self.ino)


@dataclass(frozen=True)
class Refused:
    name: str
    reason: str


@dataclass
class Stream:
    name: str
    root: str
    base: str
    files: list[LogFile] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    @property
    def live(self) -> LogFile | None:
        return self.files[0] if self.files and self.files[0].live else None

    def index_of(self, identity: tuple[int, int]) -> int | None:
        for index, log_file in enumerate(self.files):
            if log_file.identity == identity:
                return index
        return None


@dataclass
class Discovery:
    root: str
    streams: list[Stream]
    directory_exists: bool


def has_magic(path: str) -> bool:
    return glob.has_magic(path)


def configured_root(path: str) -> str:
    """The directory a configured path or glob allows reading under."""
    if not has_magic(path):
        return os.path.dirname(os.path.abspath(path))
    parts = os.path.abspath(path).split(os.sep)
    first_magic = next(index for index, part in enumerate(parts) if glob.has_magic(part))
    return os.sep.join(parts[:first_magic]) or os.sep


def discover(path: str) -> Discovery:
    root = configured_root(path)
    real_root = resolve_root(root)
    exists = os.path.isdir(real_root)
    if not exists:
        return Discovery(root=real_root, streams=[], directory_exists=False)
    if has_magic(path):
        bases: dict[str, None] = {}
        for match in sorted(glob.glob(path)):
            if os.path.isdir(match):
                continue
            directory, name = os.path.split(os.path.abspath(match))
            found = _BASE.fullmatch(name)
            base_name = found.group("base") if found else name
            bases.setdefault(os.path.join(directory, base_name), None)
        base_paths = list(bases)
    else:
        base_paths = [os.path.abspath(path)]
    streams = [_stream(base, root, real_root) for base in base_paths]
    return Discovery(root=real_root, streams=streams, directory_exists=True)


def _stream(base: str, root: str, real_root: str) -> Stream:
    directory, base_name = os.path.split(base)
    name = os.path.relpath(base, root)
    stream = Stream(name=name, root=real_root, base=base)
    pattern = re.compile(re.escape(base_name) + _SUFFIX)
    numbered: list[tuple[int, bool, str]] = []
    dated: list[tuple[str, bool, str]] = []
    live: str | None = None
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return stream
    for entry in entries:
        match = pattern.fullmatch(entry)
        if match is None:
            continue
        gz = match.group("gz") is not None
        if match.group("num") is not None:
            numbered.append((int(match.group("num")), gz, entry))
        elif match.group("date") is not None:
            dated.append((re.sub(r"\D", "", match.group("date")).ljust(14, "0"), gz, entry))
        elif gz:
            numbered.append((0, True, entry))
        else:
            live = entry
    numbered.sort()
    dated.sort(key=lambda item: (item[0], not item[1]), reverse=True)
    ordered: list[tuple[str, bool, bool]] = []
    if live is not None:
        ordered.append((live, False, True))
    seen_numbers: set[int] = set()
    for number, gz, entry in numbered:
        if number in seen_numbers:  # .3 and .3.gz: compression in progress, keep the plain one
            continue
        seen_numbers.add(number)
        ordered.append((entry, gz, False))
    seen_dates: set[str] = set()
    for key, gz, entry in dated:
        if key in seen_dates:
            continue
        seen_dates.add(key)
        ordered.append((entry, gz, False))
    for entry, gz, is_live in ordered:
        full = os.path.join(directory, entry)
        display = os.path.relpath(full, root)
        try:
            real, st = check_file(full, real_root)
        except UnsafePath as exc:
            stream.refused.append(Refused(display, str(exc)))
            continue
        except OSError as exc:
            stream.refused.append(Refused(display, exc.strerror or str(exc)))
            continue
        stream.files.append(
            LogFile(
                path=real,
                name=display,
                stream=name,
                dev=st.st_dev,
                ino=st.st_ino,
                size=st.st_size,
                mtime=st.st_mtime,
                compressed=gz,
                live=is_live,
            )
        )
    return stream
