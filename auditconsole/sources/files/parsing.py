"""Lines to records: JSON objects in any of the common shapes, and the classic text format.

Nothing is dropped and nothing raises. A line that is not JSON, not an object, or not
UTF-8 becomes a record flagged ``malformed`` that carries its raw text (decoded with
replacement characters); whatever time, level or message can still be picked out of a
broken JSON line is salvaged so the row sorts and reads sensibly.

Field aliases (first present wins):

* time: ``time``, ``timestamp``, ``asctime``, ``@timestamp``, ``ts``
* level: ``level``, ``levelname``, ``severity``, ``log.level`` (dotted, or nested as
  ``{"log": {"level": ...}}``)
* logger: ``logger``, ``logger_name``, ``name``
* message: ``message``, ``msg``, ``event`` (structlog)
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, TypeVar

import orjson
import re2

from auditconsole.redaction import Redactor
from auditconsole.sources import levels
from auditconsole.sources.files.timestamps import parse_timestamp
from auditconsole.sources.minutes import minute_of
from auditconsole.sources.records import TRACEBACK_KEYS, Record, display_value

_T = TypeVar("_T")

TIME_KEYS: tuple[str, ...] = ("time", "timestamp", "asctime", "@timestamp", "ts")
LEVEL_KEYS: tuple[str, ...] = ("level", "levelname", "severity", "log.level")
LOGGER_KEYS: tuple[str, ...] = ("logger", "logger_name", "name")
MESSAGE_KEYS: tuple[str, ...] = ("message", "msg", "event")

JSON = "json"
TEXT = "text"
AUTO = "auto"
FORMATS: tuple[str, ...] = (AUTO, JSON, TEXT)

_LEVEL_WORDS = (
    r"(?i:TRACE|DEBUG|INFO|AUDIT|API|LOGIN|NOTICE|SUCCESS|WARNING|WARN|ERROR|ERR"
    r"|CRITICAL|CRIT|FATAL|EXCEPTION)"
)
_ISO_TIME = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"

#: The text formats recognised out of the box, tried in order. A source can replace them
#: with its own ``pattern`` (named groups ``time`` and ``message``; ``level``, ``logger``
#: and any others optional: the others become fields).
DEFAULT_TEXT_PATTERNS: tuple[str, ...] = (
    # 2026-04-04 12:34:56,789 [INFO] apps.alerts: message   (and without brackets/colon)
    rf"^(?P<time>{_ISO_TIME})\s+\[?(?P<level>{_LEVEL_WORDS})\]?\s+"
    r"(?P<logger>[^\s:\[\]]+):?(?:\s+(?P<message>.*))?$",
    # INFO 2025-04-30 08:51:10,403 /app/x.py utils fn message   (activity-audit console)
    rf"^\[?(?P<level>{_LEVEL_WORDS})\]?\s+(?P<time>{_ISO_TIME})\s+(?P<message>.*)$",
    # 2026-04-04 12:34:56 message   (time only)
    rf"^\[?(?P<time>{_ISO_TIME})\]?\s+(?P<message>.*)$",
    # [04/Apr/2026 12:34:56] "GET / HTTP/1.1" 200 1234   (runserver)
    r"^\[(?P<time>\d{2}/[A-Za-z]{3}/\d{4}[ :]\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?)\]\s+(?P<message>.*)$",
)
_MAIN_GROUPS = frozenset({"time", "level", "logger", "message"})
#: A run of continuation lines longer than this is shown as its own record, so a text
#: file without any recognisable record start cannot grow memory without bound.
MAX_CONTINUATION_LINES = 2000

# Pulls `"key": "value"` / `"key": 12` pairs out of a broken JSON line.
_SALVAGE = re.compile(r'"(?P<key>[@\w.]+)"\s*:\s*(?P<value>"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)')
_SALVAGE_WINDOW = 16 * 1024
# orjson reads an integer beyond 64 bits as a float, silently dropping digits (an id
# 123456789012345678901234567890 would read 1.2345678901234568e+29); the stdlib keeps
# it exact. Such an integer has at least 19 digits, which few lines contain.
_LONG_DIGITS = re.compile(rb"\d{19}")
_LONG_DIGITS_BLOCK = re2.compile(rb"[0-9]{19}")


@dataclass(frozen=True)
class Origin:
    """Where the lines being parsed come from; copied onto every record."""

    source: str
    stream: str
    file: str
    file_id: tuple[int, int]
    label: str = ""


#: Where a record read only for its heading comes from: nowhere it will be shown.
_NOWHERE = Origin("", "", "", (0, 0))


class Parser:
    """Turns lines of one source into records, with the source's options applied."""

    def __init__(
        self,
        *,
        fmt: str = AUTO,
        zone: tzinfo,
        patterns: Sequence[str] = DEFAULT_TEXT_PATTERNS,
        redact_keys: Iterable[str] = (),
        placeholder: str = "********",
    ) -> None:
        self.format = fmt
        self.zone = zone
        self.patterns = tuple(re.compile(p) for p in patterns)
        self.redactor = Redactor(tuple(redact_keys), placeholder)
        #: Local minute -> epoch minute, for :meth:`epoch_minute` (a few thousand a day).
        self._minutes: dict[int, int] = {}

    # -- format detection -------------------------------------------------------------

    def file_format(self, head: bytes) -> str:
        """``json`` or ``text`` for a file whose first bytes are ``head``.

        ``auto`` decides per file, from its first non-blank line: formatters write one
        shape per file, and deciding once keeps the fast JSON path for JSON files.
        """
        if self.format != AUTO:
            return self.format
        for line in head.split(b"\n"):
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith(b"{"):
                return JSON
            return TEXT if self.header_match(_decode(stripped)[0]) else JSON
        return JSON

    def header_match(self, text: str) -> re.Match[str] | None:
        for pattern in self.patterns:
            match = pattern.match(text)
            if match is not None:
                return match
        return None

    def starts_record(self, line: bytes) -> bool:
        """In a text file: does this line begin a record, or continue the one above?"""
        if self.format == AUTO and line[:1] == b"{":
            return True
        return self.header_match(_decode(line)[0]) is not None

    # -- JSON lines ---------------------------------------------------------------------

    def parse_line(
        self,
        line: bytes,
        origin: Origin,
        offset: int,
        end: int,
        *,
        truncated: bool = False,
        length: int | None = None,
        secrets: bool = True,
    ) -> Record:
        """One line of a JSON-lines file (a text line there is parsed as text).

        ``secrets=False`` says the caller already knows the line mentions no sensitive
        key (it checked the whole block it came from), so redaction can be skipped.
        """
        line = line.rstrip(b"\r")
        obj: Any = _MISSING
        error = None
        if not truncated:
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                obj, error = _stdlib_json(line, exc)
            else:
                if _LONG_DIGITS.search(line) is not None:
                    obj = _exact_integers(line, obj)
        if isinstance(obj, dict):
            return self._from_object(obj, line, origin, offset, end, secrets)
        if obj is not _MISSING:
            error = f"not a JSON object but {_json_type(obj)}"
        elif truncated:
            error = f"line of {length} bytes is longer than the limit; only the start is shown"
        elif self.format == AUTO and line[:1] != b"{":
            text = _decode(line)[0]
            if self.header_match(text) is not None:
                return self.parse_group([line], origin, offset, end)
        return self._malformed(line, origin, offset, end, error, truncated=truncated)

    def json_time(self, line: bytes) -> datetime | None:
        """The time :meth:`parse_line` would give ``line``, read cheaply (about 2 µs against
        15-25 µs for a record), or ``None`` when only the whole parse can tell.

        What a time range's edges cost: up to :data:`~.seeking.SKEW` of records past
        ``until`` are read, and most of them are only looked at for their time.
        """
        obj = _json_object(line)
        return None if obj is None else self._first_time(obj, set(), self._aware_time)

    def line_heading(
        self, line: bytes, *, long_digits: bool = True
    ) -> tuple[int | None, str, int, str] | None:
        """:meth:`heading` of a JSON line as :meth:`parse_line` would read it, with the
        time as its epoch minute (what the facets' tallies count by, :mod:`.tally`), or
        ``None`` when only :meth:`parse_line` can tell (not an object, not valid JSON).

        ``long_digits=False`` says the caller found no integer of 19 digits or more in the
        block the line is from (:func:`has_long_digits`), so the line need not be searched.
        """
        line = line.rstrip(b"\r")
        obj = _json_object(line)
        if obj is None:
            return None
        if long_digits and _LONG_DIGITS.search(line) is not None:
            obj = _exact_integers(line, obj)
        used: set[str] = set()
        minute = self._first_time(obj, used, self.epoch_minute)
        return (minute, *self._level_and_logger(obj, used))

    def epoch_minute(self, value: Any) -> int | None:
        """The minute (since the epoch, UTC) of the time :func:`parse_timestamp` reads in
        ``value``. Naive times are put in the source's zone once per distinct minute: a
        zone's ``replace`` and ``timestamp`` per line cost more than the JSON decoding."""
        when = parse_timestamp(value, None)
        if when is None:
            return None
        if when.tzinfo is not None:
            return minute_of(when)
        local = when.toordinal() * 1440 + when.hour * 60 + when.minute
        minute = self._minutes.get(local)
        if minute is None:
            minute = self._minutes[local] = minute_of(
                when.replace(second=0, microsecond=0, tzinfo=self.zone)
            )
        return minute

    def heading(
        self, obj: dict[str, Any], consumed: set[str] | None = None
    ) -> tuple[datetime | None, str, int, str]:
        """A JSON object's ``(time, level, levelno, logger)``, as its record will have them.

        :meth:`_from_object` builds the rest of the record around them, and
        :meth:`line_heading` reads them the same way, so a tally and a record always agree.
        The keys used are added to ``consumed``.
        """
        used = consumed if consumed is not None else set()
        when = self._first_time(obj, used, self._aware_time)
        return (when, *self._level_and_logger(obj, used))

    def _aware_time(self, value: Any) -> datetime | None:
        return parse_timestamp(value, self.zone)

    def _first_time(
        self, obj: dict[str, Any], used: set[str], parse: Callable[[Any], _T | None]
    ) -> _T | None:
        for key in TIME_KEYS:
            if key in obj:
                when = parse(obj[key])
                if when is not None:
                    used.add(key)
                    return when
        return None

    def _level_and_logger(self, obj: dict[str, Any], used: set[str]) -> tuple[str, int, str]:
        level_value: Any = None
        for key in LEVEL_KEYS:
            if obj.get(key) is not None:
                level_value = obj[key]
                used.add(key)
                break
        else:
            nested = obj.get("log")
            if isinstance(nested, dict):
                level_value = nested.get("level")
        level, levelno = levels.normalize(level_value)
        logger = ""
        for key in LOGGER_KEYS:
            value = obj.get(key)
            if isinstance(value, str):
                logger = value
                used.add(key)
                break
        return level, levelno, logger

    def _from_object(
        self,
        obj: dict[str, Any],
        line: bytes,
        origin: Origin,
        offset: int,
        end: int,
        secrets: bool = True,
    ) -> Record:
        consumed: set[str] = set()
        when, level, levelno, logger = self.heading(obj, consumed)
        message_key = next((key for key in MESSAGE_KEYS if key in obj), None)
        if message_key is not None:
            consumed.add(message_key)

        # redact() also masks "password=..." inside every string, the message included.
        # Most lines mention no sensitive key at all: one regex over the bytes says so.
        if secrets and self.redactor.might_contain_secrets(line):
            data = self.redactor.redact(obj)
        else:
            data = obj
        message = ""
        if message_key is not None:
            value = data[message_key]
            message = value if isinstance(value, str) else display_value(value)
        fields = {key: value for key, value in data.items() if key not in consumed}
        raw = line.decode("utf-8") if data is obj else _dumps(data)
        return Record(
            time=when,
            level=level,
            levelno=levelno,
            logger=logger,
            message=message,
            fields=fields,
            raw=raw,
            data=data,
            traceback=_traceback(fields),
            checksum=zlib.crc32(line),
            **_origin(origin, offset, end),
        )

    def _malformed(
        self,
        line: bytes,
        origin: Origin,
        offset: int,
        end: int,
        error: str | None,
        *,
        truncated: bool = False,
    ) -> Record:
        text, _ = _decode(line)
        text = self._mask(text)
        salvaged = _salvage(text, self.zone)
        level, levelno = levels.normalize(salvaged.get("level"))
        return Record(
            time=salvaged.get("time"),
            level=level,
            levelno=levelno,
            logger=salvaged.get("logger", ""),
            message=salvaged.get("message") or text,
            fields={},
            raw=text,
            malformed=True,
            truncated=truncated,
            error=error,
            checksum=zlib.crc32(line),
            **_origin(origin, offset, end),
        )

    # -- classic text -------------------------------------------------------------------

    def parse_group(
        self,
        lines: Sequence[bytes],
        origin: Origin,
        offset: int,
        end: int,
        *,
        truncated: bool = False,
    ) -> Record:
        """A header line and its continuation lines (a traceback) as one record."""
        first = lines[0].rstrip(b"\r")
        if self.format == AUTO and first[:1] == b"{" and len(lines) == 1:
            return self.parse_line(first, origin, offset, end, truncated=truncated)
        text, bad_utf8 = _decode(first)
        rest = [_decode(line.rstrip(b"\r"))[0] for line in lines[1:]]
        match = self.header_match(text)
        if match is None:
            error = "not valid UTF-8" if bad_utf8 else "line does not match the text format"
            raw = self._mask("\n".join([text, *rest]))
            return _unread(
                origin,
                offset,
                end,
                raw,
                raw=raw,
                error=error,
                truncated=truncated,
                checksum=zlib.crc32(first),
            )
        groups = match.groupdict()
        level, levelno = levels.normalize(groups.get("level"))
        message = self._mask(groups.get("message") or "")
        extras = self.redactor.redact(
            {k: v for k, v in groups.items() if k not in _MAIN_GROUPS and v is not None}
        )
        logger = groups.get("logger") or ""
        traceback = self._mask("\n".join(rest))
        return Record(
            time=parse_timestamp(groups["time"], self.zone),
            level=level,
            levelno=levelno,
            logger=logger,
            message=message,
            fields=extras,
            raw=self._mask("\n".join([text, *rest])),
            data={
                "time": groups["time"],
                "level": groups.get("level") or "",
                "logger": logger,
                "message": message,
                **extras,
            },
            traceback=traceback,
            malformed=bad_utf8,
            truncated=truncated,
            error="not valid UTF-8" if bad_utf8 else None,
            checksum=zlib.crc32(first),
            **_origin(origin, offset, end),
        )

    def group_fields(
        self, lines: Sequence[bytes]
    ) -> tuple[datetime | None, int | None, str | None]:
        """The time, level number and logger :meth:`parse_group` would give the record of
        ``lines``, read from its first line alone; ``None`` for what only the whole parse
        can tell (a JSON line's level and logger, a time :meth:`json_time` cannot read)."""
        first = self._json_group_line(lines)
        if first is not None:
            return self.json_time(first), None, None
        header = self._text_header(lines[0])
        if header is None:
            return None, levels.UNKNOWN, ""  # what an unread record has
        time, _, levelno, logger = header
        return parse_timestamp(time, self.zone), levelno, logger

    def group_heading(
        self, lines: Sequence[bytes], *, truncated: bool = False
    ) -> tuple[int | None, str, int, str]:
        """:meth:`parse_group`'s ``(epoch minute, level, levelno, logger)``, read without
        building the record: the facets' tallies (:mod:`.tally`) of text files."""
        first = self._json_group_line(lines)
        if first is not None:
            heading = None if truncated else self.line_heading(first)
            if heading is not None:
                return heading
            record = self.parse_line(first, _NOWHERE, 0, 0, truncated=truncated)
            minute = None if record.time is None else minute_of(record.time)
            return minute, record.level, record.levelno, record.logger
        header = self._text_header(lines[0])
        if header is None:
            return None, "", levels.UNKNOWN, ""
        time, level, levelno, logger = header
        return self.epoch_minute(time), level, levelno, logger

    def _json_group_line(self, lines: Sequence[bytes]) -> bytes | None:
        """The one line of a group :meth:`parse_group` reads as JSON, else ``None``."""
        first = lines[0].rstrip(b"\r")
        if self.format == AUTO and first[:1] == b"{" and len(lines) == 1:
            return first
        return None

    def _text_header(self, line: bytes) -> tuple[str, str, int, str] | None:
        """A text record's first line read by its pattern: ``(time as written, level,
        levelno, logger)``, or ``None`` when no pattern recognises it."""
        match = self.header_match(_decode(line.rstrip(b"\r"))[0])
        if match is None:
            return None
        groups = match.groupdict()
        level, levelno = levels.normalize(groups.get("level"))
        return groups["time"], level, levelno, groups.get("logger") or ""

    def _mask(self, text: str) -> str:
        return self.redactor.redact_text(text)

    def broken(self, origin: Origin, offset: int, error: str) -> Record:
        """A stand-in record saying where a file stopped being readable (a broken .gz)."""
        return _unread(origin, offset, offset, error, raw="", error=error)


_MISSING: Any = object()


def _unread(
    origin: Origin, offset: int, end: int, message: str, *, raw: str, error: str, **extra: Any
) -> Record:
    """A malformed record with nothing read out of it: no time, level, logger or fields."""
    return Record(
        time=None,
        level="",
        levelno=levels.UNKNOWN,
        logger="",
        message=message,
        fields={},
        raw=raw,
        malformed=True,
        error=error,
        **extra,
        **_origin(origin, offset, end),
    )


def _origin(origin: Origin, offset: int, end: int) -> dict[str, Any]:
    return {
        "source": origin.source,
        "stream": origin.stream,
        "file": origin.file,
        "file_id": origin.file_id,
        "offset": offset,
        "end": end,
        "source_label": origin.label,
    }


def _dumps(data: dict[str, Any]) -> str:
    try:
        return orjson.dumps(data).decode()
    except (TypeError, orjson.JSONEncodeError):  # NaN or huge integers, read by the stdlib
        return json.dumps(data, ensure_ascii=False)


def _decode(line: bytes) -> tuple[str, bool]:
    """Text of a line and whether it was invalid UTF-8 (then decoded with U+FFFD)."""
    try:
        return line.decode("utf-8"), False
    except UnicodeDecodeError:
        return line.decode("utf-8", "replace"), True


def _json_object(line: bytes) -> dict[str, Any] | None:
    """``line`` decoded by orjson when it is a JSON object, else ``None`` (only the whole
    parse, with its fallbacks, can say what the line is)."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) else None


def has_long_digits(data: bytes) -> bool:
    """Whether ``data`` holds a run of 19 digits, which orjson may read inexactly.

    RE2 runs this at memory speed over a whole block; ``re`` (no literal to look for
    first) at about 100 MB/s."""
    return _LONG_DIGITS_BLOCK.search(data) is not None


def _stdlib_json(line: bytes, exc: orjson.JSONDecodeError) -> tuple[Any, str]:
    """The stdlib also reads NaN, Infinity and numbers beyond a double, which orjson refuses."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as err:
        return _MISSING, f"not valid UTF-8 (byte {err.start})"
    if not text.lstrip().startswith(("{", "[")):
        return _MISSING, "not JSON"
    try:
        return json.loads(text), ""
    except (ValueError, RecursionError):
        return _MISSING, f"not valid JSON: {exc}"


def _exact_integers(line: bytes, parsed: Any) -> Any:
    """``line`` read again by the stdlib, whose integers are exact; else ``parsed``."""
    try:
        return json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError):  # pragma: no cover - orjson has read it already
        return parsed


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None or isinstance(value, bool):
        return "a literal"
    return "a number"


def _traceback(fields: dict[str, Any]) -> str:
    for key in TRACEBACK_KEYS:
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _salvage(text: str, zone: tzinfo) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for match in _SALVAGE.finditer(text[:_SALVAGE_WINDOW]):
        key = match.group("key")
        try:
            value = orjson.loads(match.group("value"))
        except orjson.JSONDecodeError:
            continue
        if key in TIME_KEYS and "time" not in found:
            when = parse_timestamp(value, zone)
            if when is not None:
                found["time"] = when
        elif key in LEVEL_KEYS and "level" not in found:
            found["level"] = value
        elif key in LOGGER_KEYS and "logger" not in found and isinstance(value, str):
            found["logger"] = value
        elif key in MESSAGE_KEYS and "message" not in found and isinstance(value, str):
            found["message"] = value
    return found
