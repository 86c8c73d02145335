"""Which columns of a table are a record's time, level, logger, message and host.

Three ways to say it (the ``schema`` option):

``"otel"``
    The OpenTelemetry collector ClickHouse exporter's ``otel_logs``: time ``Timestamp``,
    level ``SeverityText``, logger ``ScopeName``, message ``Body``, host
    ``ResourceAttributes['host.name']``; the ``LogAttributes`` Map's keys are the record's
    fields (``user_id=14`` filters on ``LogAttributes['user_id']``).
``"activity_audit"``
    The tables django-activity-audit's documentation creates for Vector: ``timestamp``,
    ``level``, ``name``, ``message``, ``hostname``, nested objects as JSON text.
a mapping
    ``{"time": ..., "level": ..., "logger": ..., "message": ..., "host": ...,
    "attributes": ..., "json": [...], "coarse_time": ...}`` for any other layout. ``host`` may be a column or
    a dotted path into a Map or JSON-text column (``"resource.host.name"``).

Every name here comes from settings and is checked (:mod:`.checks`) against the table's
real columns; a request can only ever pick among them, never name one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

#: A column or table name as this backend accepts it: quoted with backticks in SQL, and
#: plain enough that quoting cannot be escaped.
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
ROLES: tuple[str, ...] = ("time", "level", "logger", "message")
OPTIONAL_ROLES: tuple[str, ...] = ("host", "attributes", "coarse_time")
MAPPING_KEYS = frozenset({*ROLES, *OPTIONAL_ROLES, "json"})


@dataclass(frozen=True)
class Schema:
    """Column roles. ``host`` is ``(column, key...)``: a column, or a path into one."""

    time: str
    level: str
    logger: str
    message: str
    host: tuple[str, ...] = ()
    #: A Map or JSON-text column whose keys are the record's own fields.
    attributes: str = ""
    #: String columns holding JSON text, readable by dotted path.
    json: tuple[str, ...] = field(default=())
    #: The time truncated to the second (a ``DateTime`` such as OTel's ``TimestampTime``)
    #: that the table is partitioned or keyed by: time bounds are said on it too, so the
    #: engine skips the parts and granules they exclude.
    coarse_time: str = ""

    @property
    def core(self) -> tuple[str, ...]:
        """The columns that become ``time``, ``level``, ``logger`` and ``message``."""
        return (self.time, self.level, self.logger, self.message)

    def columns_named(self) -> list[str]:
        """Every column this schema names (they must all exist)."""
        names = [*self.core, *self.json]
        if self.coarse_time:
            names.append(self.coarse_time)
        if self.host:
            names.append(self.host[0])
        if self.attributes:
            names.append(self.attributes)
        return names


OTEL = Schema(
    time="Timestamp",
    level="SeverityText",
    logger="ScopeName",
    message="Body",
    host=("ResourceAttributes", "host.name"),
    attributes="LogAttributes",
    coarse_time="TimestampTime",
)

ACTIVITY_AUDIT = Schema(
    time="timestamp",
    level="level",
    logger="name",
    message="message",
    host=("hostname",),
    json=("user_info", "extra", "request_repr", "response_repr"),
)

PRESETS: dict[str, Schema] = {"otel": OTEL, "activity_audit": ACTIVITY_AUDIT}


class SchemaError(ValueError):
    """The ``schema`` option cannot be read; the text says why."""


def parse(value: object) -> Schema:
    """The :class:`Schema` the ``schema`` option names or maps (:class:`SchemaError`)."""
    if isinstance(value, str):
        if value not in PRESETS:
            raise SchemaError(f"unknown schema {value!r}: use one of {sorted(PRESETS)} or a dict")
        return PRESETS[value]
    if not isinstance(value, Mapping):
        raise SchemaError("schema must be 'otel', 'activity_audit' or a dict of columns")
    unknown = sorted(str(key) for key in value if key not in MAPPING_KEYS)
    if unknown:
        raise SchemaError(f"unknown schema keys {unknown}")
    roles: dict[str, str] = {}
    for role in ROLES:
        name = value.get(role)
        if not isinstance(name, str) or not IDENTIFIER.match(name):
            raise SchemaError(f"schema[{role!r}] must be a column name, not {name!r}")
        roles[role] = name
    host = value.get("host") or ""
    attributes = value.get("attributes") or ""
    coarse = value.get("coarse_time") or ""
    if not isinstance(coarse, str) or (coarse and not IDENTIFIER.match(coarse)):
        raise SchemaError(f"schema['coarse_time'] must be a column name, not {coarse!r}")
    json_columns = value.get("json") or ()
    if not isinstance(host, str) or (host and not _is_path(host)):
        raise SchemaError(f"schema['host'] must be a column or a dotted path, not {host!r}")
    if not isinstance(attributes, str) or (attributes and not IDENTIFIER.match(attributes)):
        raise SchemaError(f"schema['attributes'] must be a column name, not {attributes!r}")
    if isinstance(json_columns, str) or not isinstance(json_columns, list | tuple):
        raise SchemaError("schema['json'] must be a list of column names")
    for name in json_columns:
        if not isinstance(name, str) or not IDENTIFIER.match(name):
            raise SchemaError(f"schema['json'] holds {name!r}, which is not a column name")
    return Schema(
        time=roles["time"],
        level=roles["level"],
        logger=roles["logger"],
        message=roles["message"],
        host=_split_host(host) if host else (),
        attributes=attributes,
        json=tuple(json_columns),
        coarse_time=coarse,
    )


def _is_path(text: str) -> bool:
    column, _, rest = text.partition(".")
    return bool(IDENTIFIER.match(column)) and (not _ or bool(rest))


def _split_host(text: str) -> tuple[str, ...]:
    """``"resource.host.name"`` is the column ``resource`` and the key ``host.name``:
    OpenTelemetry's attribute keys are themselves dotted."""
    column, _, rest = text.partition(".")
    return (column, rest) if rest else (column,)


def table_parts(table: object) -> tuple[str, ...] | None:
    """``"logs.otel_logs"`` as ``("logs", "otel_logs")``; ``None`` when it is not a name."""
    if not isinstance(table, str):
        return None
    parts = tuple(table.split("."))
    if len(parts) > 2 or not all(IDENTIFIER.match(part) for part in parts):
        return None
    return parts


def quote(name: str) -> str:
    """A checked identifier, backticked (``IDENTIFIER`` admits no backtick to escape)."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"not an identifier: {name!r}")
    return f"`{name}`"
