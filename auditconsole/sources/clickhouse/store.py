"""Talking to the store: one client per DSN, read-only queries, errors a user may read.

Every query goes through :meth:`Store.query`: values travel as server-side parameters
(``{name:Type}`` in the SQL, ``parameters=`` beside it), settings make it read-only and
bound its time, and every driver or network failure becomes
:class:`~auditconsole.sources.errors.SourceUnavailable` with a message that names no
secret and no SQL. The driver's own text is logged, scrubbed of the DSN's password.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditconsole.sources.clickhouse import dsn as dsns
from auditconsole.sources.clickhouse.rows import text
from auditconsole.sources.errors import SourceUnavailable

if TYPE_CHECKING:
    from clickhouse_connect.driver.client import Client

logger = logging.getLogger(__name__)

#: How long the table's columns are trusted before they are read again.
COLUMNS_TTL = 60.0
#: ClickHouse error codes with a message of their own (the rest read "query failed").
UNKNOWN_TABLE = 60
UNKNOWN_DATABASE = 81
TIMEOUT_EXCEEDED = 159
CANNOT_COMPILE_REGEXP = 427
READONLY = 164

_clients: dict[str, Client] = {}
_columns: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}
_lock = threading.Lock()

Params = Mapping[str, object]


@dataclass
class Result:
    names: tuple[str, ...]
    rows: list[Sequence[Any]]
    #: The query stopped on its time limit and returned what it had (facets: "partial").
    partial: bool = False


def _connect(dsn: str, timeout: float) -> Client:
    import clickhouse_connect

    if dsns.is_embedded(dsn):
        return clickhouse_connect.get_client(dsn=dsn)
    return clickhouse_connect.get_client(
        dsn=dsn,
        connect_timeout=min(timeout, 10),
        send_receive_timeout=timeout + 5,
        query_retries=0,
        autogenerate_session_id=False,
    )


class Store:
    """The store behind one source: its DSN, its table and its time limit."""

    def __init__(self, dsn: str, table: str, timeout: float, source: str = "") -> None:
        self.dsn = dsn
        self.table = table
        self.timeout = timeout
        self.source = source

    def client(self) -> Client:
        with _lock:
            client = _clients.get(self.dsn)
            if client is None:
                try:
                    client = _connect(self.dsn, self.timeout)
                except Exception as exc:
                    raise self._unavailable(exc) from None
                _clients[self.dsn] = client
            return client

    def settings(self, *, partial: bool = False, timeout: float | None = None) -> dict[str, str]:
        seconds = self.timeout if timeout is None else timeout
        return {
            # 2, not 1: read-only, yet the per-query settings below may still be sent.
            "readonly": "2",
            "max_execution_time": f"{max(0.1, seconds):g}",
            "timeout_overflow_mode": "break" if partial else "throw",
        }

    def query(
        self, sql: str, params: Params, *, partial: bool = False, timeout: float | None = None
    ) -> Result:
        """Run one SELECT; ``partial``: stop at the time limit (``timeout`` seconds, the
        store's by default) with what was counted so far."""
        client = self.client()
        started = time.monotonic()
        try:
            answer = client.query(
                sql,
                parameters=dict(params),
                settings=self.settings(partial=partial, timeout=timeout),
                # Bytes, decoded by the reader with replacement characters: the driver
                # would otherwise show a string that is not valid UTF-8 as hex digits.
                query_formats={"String": "bytes"},
            )
        except Exception as exc:
            raise self._unavailable(exc) from None
        elapsed = time.monotonic() - started
        return Result(
            names=tuple(answer.column_names),
            rows=list(answer.result_rows),
            partial=partial and elapsed >= (self.timeout if timeout is None else timeout),
        )

    def columns(self) -> dict[str, str]:
        """The table's columns and their types, in table order (cached briefly)."""
        key = (self.dsn, self.table)
        now = time.monotonic()
        cached = _columns.get(key)
        if cached is not None and now - cached[0] < COLUMNS_TTL:
            return cached[1]
        database, _, table = self.table.rpartition(".")
        where = "database = {db:String}" if database else "database = currentDatabase()"
        result = self.query(
            "SELECT name, type FROM system.columns"
            f" WHERE {where} AND table = {{table:String}} ORDER BY position",
            {"db": database, "table": table} if database else {"table": table},
        )
        found = {text(name): text(kind) for name, kind in result.rows}
        if not found:
            raise SourceUnavailable(
                f"The table {self.table} does not exist in the log store.", source=self.source
            )
        _columns[key] = (now, found)
        return found

    def _unavailable(self, exc: BaseException) -> SourceUnavailable:
        text = dsns.scrub(f"{type(exc).__name__}: {exc}", self.dsn)
        logger.warning("Log source %r: %s", self.source, text)
        code = getattr(exc, "code", None)
        if code is None:
            code = _code_in(str(exc))
        if code in (UNKNOWN_TABLE, UNKNOWN_DATABASE):
            message = f"The table {self.table} does not exist in the log store."
        elif code == TIMEOUT_EXCEEDED or "timed out" in str(exc).lower():
            message = "The log store did not answer in time. Narrow the search and try again."
        elif code == CANNOT_COMPILE_REGEXP:
            message = (
                "The log store cannot run this regular expression (it uses RE2: no "
                "backreferences or lookaround)."
            )
        elif code == READONLY:
            message = "The log store refused a read-only query."
        elif code is not None:
            message = f"The log store could not run the query (error {code})."
        else:
            message = f"The log store at {dsns.masked(self.dsn)} cannot be reached."
        return SourceUnavailable(message, source=self.source)


def _code_in(text: str) -> int | None:
    """The ClickHouse error code in a driver message (``Code: 60. DB::Exception...``)."""
    marker = "Code: "
    start = text.find(marker)
    if start < 0:
        return None
    digits = ""
    for char in text[start + len(marker) :]:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else None


def forget(dsn: str) -> None:
    """Drop the client and columns cached for ``dsn`` (tests; a DSN that changed)."""
    with _lock:
        client = _clients.pop(dsn, None)
        for key in [key for key in _columns if key[0] == dsn]:
            del _columns[key]
    if client is not None:
        client.close()
