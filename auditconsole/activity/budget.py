"""A time limit on the queries of a block, enforced by the database.

A search the index cannot serve (a needle under three characters) reads the table newest
first until it has a page; a rare short needle reads all of it, seconds on millions of rows.
:func:`query_budget` stops such queries rather than let a request hang:

- SQLite: a progress handler, called every :data:`SQLITE_PROGRESS_STEPS` virtual-machine
  instructions, interrupts the statement once the deadline has passed.
- PostgreSQL: ``statement_timeout``, set for a savepoint (``SET LOCAL``) so a cancelled
  query rolls back only the savepoint, never the request's transaction, and restored
  afterwards.
- Other databases: no limit.

Either way the block ends with :class:`QueryBudgetExceeded`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import OperationalError, connections, transaction

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

#: How often SQLite calls the handler: often enough to stop within milliseconds, rarely
#: enough to cost nothing measurable.
SQLITE_PROGRESS_STEPS = 10_000
#: PostgreSQL's error code for a statement cancelled by ``statement_timeout``.
QUERY_CANCELED = "57014"


class QueryBudgetExceeded(Exception):
    """The block's queries ran past their time budget and were stopped."""


@contextlib.contextmanager
def query_budget(using: str, seconds: float) -> Iterator[None]:
    connection = connections[using]
    if connection.vendor == "sqlite":
        with _sqlite_budget(connection, seconds):
            yield
    elif connection.vendor == "postgresql":
        with _postgres_budget(connection, seconds):
            yield
    else:
        yield


@contextlib.contextmanager
def _sqlite_budget(connection: BaseDatabaseWrapper, seconds: float) -> Iterator[None]:
    deadline = time.monotonic() + seconds

    def past_deadline() -> bool:
        return time.monotonic() >= deadline

    connection.ensure_connection()
    raw = connection.connection
    raw.set_progress_handler(past_deadline, SQLITE_PROGRESS_STEPS)
    try:
        yield
    except OperationalError as exc:
        if str(exc) == "interrupted" and past_deadline():
            raise QueryBudgetExceeded(f"stopped after {seconds:g} s") from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)


@contextlib.contextmanager
def _postgres_budget(connection: BaseDatabaseWrapper, seconds: float) -> Iterator[None]:
    # 0 would mean "no limit": the shortest budget PostgreSQL can enforce is 1 ms.
    milliseconds = max(1, round(seconds * 1000))
    try:
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), "
                    "set_config('statement_timeout', %s, true)",
                    [f"{milliseconds}ms"],
                )
                previous = cursor.fetchone()[0]
            yield
            # Inside a request's transaction the savepoint is released, not committed:
            # SET LOCAL would outlive it until the end of the request.
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED:
            raise QueryBudgetExceeded(f"stopped after {seconds:g} s") from exc
        raise
