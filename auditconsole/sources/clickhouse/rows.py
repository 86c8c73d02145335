"""A row of the store as a :class:`~auditconsole.sources.records.Record`, masked.

The row's columns become the record's ``data`` (Maps as objects, JSON-text columns
parsed); the attributes column's keys are lifted to the top, so ``user_id`` reads the same
in a ClickHouse record as in a JSON line. Its reference is ``(time in ns, hash)`` and its
rank among identical rows: enough to read it again, nothing a user could aim elsewhere.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson

from auditconsole.redaction import Redactor
from auditconsole.sources import levels
from auditconsole.sources.clickhouse.schema import Schema
from auditconsole.sources.clickhouse.sql import HASH, HOST, HOST_FIELD, TIME_NS
from auditconsole.sources.records import Record

#: A record's ``stream``: the whole table is one ordered stream.
STREAM = "table"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def plain(value: Any) -> Any:
    """A driver value as JSON-able data (what ``data``, the raw text and filters read)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {text(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, bytes):
        return text(value)
    if isinstance(value, Decimal | UUID | ipaddress.IPv4Address | ipaddress.IPv6Address):
        return str(value)
    return str(value)


def text(value: object) -> str:
    """A string the driver handed over as bytes, with replacement characters if need be."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def from_json_text(value: Any) -> Any:
    """A JSON-text column's object or list; anything else stays the text it was."""
    if not isinstance(value, str) or value[:1] not in ("{", "["):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


class RowReader:
    """Turns result rows of one query into records of one source."""

    def __init__(self, schema: Schema, names: Sequence[str], source: str, table: str) -> None:
        self.schema = schema
        self.names = tuple(names)
        self.source = source
        self.table = table
        self.redactor = Redactor()
        self.json = frozenset(schema.json) | (
            {schema.attributes} if schema.attributes else frozenset()
        )

    def key(self, row: Sequence[Any]) -> tuple[int, int]:
        values = dict(zip(self.names, row, strict=True))
        return int(values[TIME_NS]), int(values[HASH])

    def record(self, row: Sequence[Any], rank: int) -> Record:
        schema = self.schema
        values = dict(zip(self.names, row, strict=True))
        time_ns, digest = int(values.pop(TIME_NS)), int(values.pop(HASH))
        host = text(values.pop(HOST))
        data: dict[str, Any] = {}
        for name, value in values.items():
            converted = plain(value)
            data[name] = from_json_text(converted) if name in self.json else converted
        attributes = data.pop(schema.attributes, None) if schema.attributes else None
        if isinstance(attributes, dict):
            for name, value in attributes.items():
                data.setdefault(name, from_json_text(value))
        if host and HOST_FIELD not in data:
            data[HOST_FIELD] = host
        raw_bytes = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
        # Most rows name no secret: their bytes say so at C speed, and masking is skipped.
        if self.redactor.might_contain_secrets(raw_bytes):
            data = self.redactor.redact(data)
            raw_bytes = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
        level_name, level_number = levels.normalize(data.get(schema.level))
        message = data.get(schema.message)
        message = self.redactor.redact_text(
            message if isinstance(message, str) else plain_text(message)
        )
        logger = data.get(schema.logger)
        core = set(schema.core)
        fields = {name: value for name, value in data.items() if name not in core}
        raw = raw_bytes.decode()
        return Record(
            time=EPOCH + timedelta(microseconds=time_ns // 1000),
            level=level_name,
            levelno=level_number,
            logger=logger if isinstance(logger, str) else plain_text(logger),
            message=message,
            fields=fields,
            raw=raw,
            source=self.source,
            file=self.table,
            stream=STREAM,
            file_id=(time_ns, digest),
            checksum=rank,
            data=data,
        )


def plain_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else orjson.dumps(value).decode()
