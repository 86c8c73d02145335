"""One log record, whatever shape its line had on disk.

Every record a source hands out has already been through :mod:`auditconsole.redaction`:
views, exports and the live tail never see an unmasked secret, so none of them can
forget to mask one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import orjson

from auditconsole.sources import exceptions, levels
from auditconsole.sources.cursor import State, is_count

#: Keys whose string value is a traceback, as python-json-logger, structlog and
#: django-activity-audit write them.
TRACEBACK_KEYS: tuple[str, ...] = (
    "exc_info",
    "exception",
    "exc_text",
    "stack_info",
    "traceback",
    "stack",
)

MISSING: Any = object()


@dataclass(frozen=True)
class RecordRef:
    """Where a record lives: enough to read it again, nothing a user could aim elsewhere.

    ``file_id`` is ``(st_dev, st_ino)``: it survives renames by rotation. ``checksum`` is
    the CRC-32 of the record's first line, so a reference into a file that was truncated
    and rewritten since finds nothing rather than the wrong record.
    """

    source: str
    stream: str
    file_id: tuple[int, int]
    offset: int
    checksum: int

    def to_state(self) -> list[str | int]:
        return [self.stream, self.file_id[0], self.file_id[1], self.offset, self.checksum]

    @classmethod
    def from_state(cls, source: str, state: State) -> RecordRef:
        if not isinstance(state, list) or len(state) != 5:
            raise ValueError("malformed record reference")
        stream, dev, ino, offset, checksum = state
        if not (
            isinstance(stream, str)
            and is_count(dev)
            and is_count(ino)
            and is_count(offset)
            and is_count(checksum)
        ):
            raise ValueError("malformed record reference")
        return cls(source, stream, (dev, ino), offset, checksum)


@dataclass(eq=False)
class Record:
    """A parsed, redacted log record.

    ``fields`` holds every key of the JSON object except those that became ``time``,
    ``level``, ``logger`` and ``message``; ``data`` is the whole object as written (still
    redacted) and is what ``field=value`` filters and the detail page look at. ``offset``
    and ``end`` are byte positions in ``file`` (decompressed positions in a ``.gz``).
    """

    time: datetime | None
    level: str
    levelno: int
    logger: str
    message: str
    fields: dict[str, Any]
    raw: str
    source: str = ""
    file: str = ""
    offset: int = 0
    end: int = 0
    stream: str = ""
    file_id: tuple[int, int] = (0, 0)
    malformed: bool = False
    truncated: bool = False
    error: str | None = None
    checksum: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    traceback: str = ""
    #: The source's label, filled in by merged views so each row says where it came from.
    source_label: str = ""

    @property
    def ref(self) -> RecordRef:
        return RecordRef(self.source, self.stream, self.file_id, self.offset, self.checksum)

    @cached_property
    def token(self) -> str:
        """The signed reference used in the detail page's URL."""
        from auditconsole.sources import cursor

        return cursor.dumps(cursor.REF, self.source, self.ref.to_state())

    @property
    def level_css(self) -> str:
        return levels.css_class(self.level)

    @cached_property
    def search_text(self) -> str:
        """What the text filter looks in: the (redacted) line as written, and the message.

        The message is added because JSON writers escape non-ASCII (``caf\\u00e9``), and a
        user searching for ``café`` means the decoded text.
        """
        if self.message and self.message not in self.raw:
            return f"{self.raw}\n{self.message}"
        return self.raw

    @cached_property
    def exception(self) -> str:
        """The exception this record reports, as one short masked line (``KeyError: 'x'``)."""
        return exceptions.summary(self.traceback, self.fields)

    @cached_property
    def summary(self) -> str:
        """A one-line stand-in for an empty message (update-history records have none)."""
        if self.message:
            return self.message
        parts = []
        for key, value in self.fields.items():
            if value in (None, "", [], {}):
                continue
            parts.append(f"{key}={display_value(value)}")
            if len(parts) == 6:
                break
        return " ".join(parts)

    def lookup(self, path: tuple[str, ...] | str) -> Any:
        """The value at a dotted path in ``data``, or :data:`MISSING`.

        A literal dotted key (``"log.level"``) wins over nesting, as ECS writes both.
        """
        parts = tuple(path.split(".")) if isinstance(path, str) else path
        return resolve(self.data, parts)

    def column(self, path: str) -> str:
        value = self.lookup(path)
        return "" if value is MISSING else display_value(value)


def resolve(value: Any, parts: tuple[str, ...]) -> Any:
    if not parts:
        return value
    if isinstance(value, dict):
        for cut in range(len(parts), 0, -1):
            key = ".".join(parts[:cut])
            if key in value:
                found = resolve(value[key], parts[cut:])
                if found is not MISSING:
                    return found
        return MISSING
    if isinstance(value, list) and parts[0].isdigit():
        index = int(parts[0])
        if index < len(value):
            return resolve(value[index], parts[1:])
    return MISSING


def display_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):  # integers beyond 64 bits, read by the stdlib
        return json.dumps(value, ensure_ascii=False)
