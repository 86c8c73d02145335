"""System checks of a ``ClickHouseSource``'s ``OPTIONS`` (ids E050-E052, W050).

* ``auditconsole.E050``: an option is missing, unknown or malformed (the DSN's scheme, the
  table's name, the schema, the timeout or lag);
* ``auditconsole.E051``: a column the schema names is not in the table, or the table is
  not there: names are only ever taken from settings, and only once they are real;
* ``auditconsole.E052``: the DSN asks for the embedded engine but chdb is not installed,
  or clickhouse-connect is not (``pip install django-auditconsole[clickhouse]``);
* ``auditconsole.W050``: the store could not be reached to check the columns (a warning:
  a store that is down for a minute must not stop the console from starting).

Messages never show the DSN's password.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from django.core import checks

from auditconsole.sources.clickhouse import dsn as dsns
from auditconsole.sources.clickhouse.schema import SchemaError, parse, table_parts
from auditconsole.sources.errors import SourceUnavailable

OPTION_NAMES = frozenset({"dsn", "table", "schema", "columns", "timeout", "facet_timeout", "lag"})


def check_options(key: object, options: Any) -> list[checks.CheckMessage]:
    """Messages for the ``OPTIONS`` of the ClickHouse source ``key``."""
    if not isinstance(options, dict):
        return []
    messages: list[checks.CheckMessage] = []

    def error(text: str, hint: str | None = None, id: str = "auditconsole.E050") -> None:
        messages.append(checks.Error(f"Log source {key!r}: {text}", hint=hint, id=id))

    unknown = sorted(str(name) for name in set(options) - OPTION_NAMES)
    if unknown:
        error(
            f"unknown option(s) {', '.join(map(repr, unknown))}.",
            hint=f"ClickHouseSource options are {', '.join(sorted(OPTION_NAMES))}.",
        )
    dsn = options.get("dsn")
    if not isinstance(dsn, str) or dsns.scheme(dsn) not in dsns.SCHEMES:
        error(
            "OPTIONS['dsn'] must be an http(s):// URL of the server or chdb:///path.",
            hint=f"It is {dsns.masked(dsn) if isinstance(dsn, str) else type(dsn).__name__}.",
        )
        dsn = None
    if table_parts(options.get("table")) is None:
        error("OPTIONS['table'] must be a table name, or database.table (letters, digits, _).")
    try:
        parse(options.get("schema", "otel"))
    except SchemaError as exc:
        error(f"OPTIONS['schema']: {exc}.")
    for name in ("timeout", "facet_timeout", "lag"):
        value = options.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
        ):
            error(f"OPTIONS[{name!r}] must be a positive number of seconds.")
    if messages or dsn is None:
        return messages
    missing = _missing_driver(dsn)
    if missing:
        error(
            f"{missing} is not installed.",
            hint="pip install django-auditconsole[clickhouse] (and chdb for chdb:// DSNs).",
            id="auditconsole.E052",
        )
        return messages
    return _check_columns(key, options)


def _missing_driver(dsn: str) -> str | None:
    if importlib.util.find_spec("clickhouse_connect") is None:
        return "clickhouse-connect"
    if dsns.is_embedded(dsn) and importlib.util.find_spec("chdb") is None:
        return "chdb"
    return None


def _check_columns(key: object, options: dict[str, Any]) -> list[checks.CheckMessage]:
    """The schema's columns against the table's, asked of the store itself."""
    from auditconsole.sources.clickhouse.store import Store

    schema = parse(options.get("schema", "otel"))
    store = Store(options["dsn"], options["table"], float(options.get("timeout") or 10), str(key))
    try:
        columns = store.columns()
    except SourceUnavailable as exc:
        if "does not exist" in str(exc):
            return [checks.Error(f"Log source {key!r}: {exc}", id="auditconsole.E051")]
        return [
            checks.Warning(
                f"Log source {key!r}: its columns could not be checked: {exc}",
                hint="The source's pages say the store is unavailable until it answers.",
                id="auditconsole.W050",
            )
        ]
    missing = [name for name in schema.columns_named() if name not in columns]
    if not missing:
        return []
    return [
        checks.Error(
            f"Log source {key!r}: the table {options['table']} has no column "
            f"{', '.join(map(repr, missing))}.",
            hint=f"Its columns are {', '.join(columns)}.",
            id="auditconsole.E051",
        )
    ]
