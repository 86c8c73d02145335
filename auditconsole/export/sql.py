"""Formatting times in the database, where it costs nothing.

On SQLite, turning each stored ``action_time`` text into an aware ``datetime`` (Django's
converter) and back into ISO 8601 text (the widget) is the most expensive thing an export
of LogEntry rows does: about half of its time. Both databases the console supports can
write the ISO 8601 UTC text themselves, in C. Other backends get the ``datetime`` and the
widget formats it in Python; the output is the same.

The format strings travel as query parameters, never inside the SQL text. A literal ``%``
in emitted SQL has to survive every path a query takes through the backend: the cursor's
``%s`` substitution, and Django's debug logging (``last_executed_query``), which applies
``%`` formatting to the SQL a second time whenever ``DEBUG`` is on. ``strftime('%Y', ...)``
inlined survives the first and breaks the second (``unsupported format character 'Y'``):
every export under ``make run`` answered 500.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Func

SQLITE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
POSTGRESQL_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'


class UTCTimestamp(Func):
    """``action_time`` as ``2026-11-22T10:30:00Z`` (UTC, whole seconds)."""

    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores aware datetimes in SQLite as naive UTC text.
        sql, params = self.as_sql(
            compiler, connection, template="strftime(%%s, %(expressions)s)", **extra
        )
        return sql, (SQLITE_FORMAT, *params)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = self.as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s AT TIME ZONE 'UTC', %%s)",
            **extra,
        )
        return sql, (*params, POSTGRESQL_FORMAT)

    # template= and the others come as keywords, as Func's own callers pass them.
    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        if "template" not in extra:
            # Any other database: the column itself; the widget formats the datetime.
            return compiler.compile(self.source_expressions[0])
        return super().as_sql(compiler, connection, **extra)
