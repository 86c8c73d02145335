"""The index behind the free-text search ``q``, on ``django_admin_log``: what it is on each
database, how it is built, checked and repaired.

``q`` means "contains, ignoring case, in the object's name or the change message"
(``icontains``). Neither database can answer a substring query from a B-tree, so:

- **PostgreSQL**: two GIN trigram indexes (``pg_trgm``) on ``UPPER(object_repr)`` and
  ``UPPER(change_message)``. Django compiles ``icontains`` to ``UPPER(col::text) LIKE
  UPPER(%s)``; an index on that very expression is what the planner can use (one on the
  raw column is not), so the query stays Django's own and the planner chooses between the
  indexes and a newest-first scan by its estimates. ``pg_trgm`` is a trusted extension: the
  database owner may create it. When the role cannot, the indexes are skipped (the
  migration still succeeds), ``auditconsole.W040`` says what a DBA should run, and
  ``manage.py auditconsole_search_index`` builds them afterwards.
- **SQLite**: an FTS5 table with the ``trigram`` tokenizer (SQLite 3.34 or later) over the
  two columns, as *external content* of ``django_admin_log`` (it stores the index, not a
  second copy of the text), kept in step by three triggers. Django's ``LIKE ... ESCAPE``
  cannot use it, ``MATCH`` can: :mod:`auditconsole.activity.textsearch` asks it for ids and
  rechecks them with ``icontains``. Rebuilding the table (what SQLite's schema editor does
  for most ``AlterField``) drops its triggers; ``migrate`` puts them back and refills the
  index (:func:`repair_after_migrate`), ``auditconsole.W042`` reports them missing, and the
  management command repairs them.

Everything here works on a connection (or a migration's schema editor), so the migration,
the management command, the system checks and the search agree on one definition.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from django.apps.registry import Apps
from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Index, Model

from auditconsole.migrations import _logentry_indexes

#: The migration that builds the index; before it is applied nothing is expected.
MIGRATION = ("auditconsole", "0005_logentry_search")
COLUMNS = ("object_repr", "change_message")

FTS_TABLE = "auditconsole_le_search"
TRIGGERS = ("auditconsole_le_search_insert", "auditconsole_le_search_delete",
            "auditconsole_le_search_update")  # fmt: skip
TRIGRAM_INDEX_NAMES = {
    "object_repr": "auditconsole_le_repr_trgm",
    "change_message": "auditconsole_le_message_trgm",
}


@dataclass(frozen=True)
class IndexState:
    """What the database holds of the search index.

    ``applicable``: migration 0005 is applied and the database is one the index exists
    for (SQLite, PostgreSQL); otherwise nothing below is expected. ``possible``: the
    database could hold it (SQLite with FTS5 and the trigram tokenizer; PostgreSQL with
    ``pg_trgm`` installed). ``missing``: the parts (table, trigger or index names) that
    are absent, or invalid on PostgreSQL.
    """

    vendor: str
    applicable: bool
    possible: bool
    missing: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return self.applicable and self.possible and not self.missing


def _quote(connection: BaseDatabaseWrapper, name: str) -> str:
    return connection.ops.quote_name(name)


# --- SQLite ----------------------------------------------------------------------------


def fts5_trigram_available(connection: BaseDatabaseWrapper) -> bool:
    """Whether this SQLite has FTS5 and its trigram tokenizer (both are build options)."""
    probe = _quote(connection, "auditconsole_fts5_probe")
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"CREATE VIRTUAL TABLE temp.{probe} USING fts5(x, tokenize='trigram')")
            cursor.execute(f"DROP TABLE temp.{probe}")
    except DatabaseError:
        return False
    return True


def _sqlite_present(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master "
            "WHERE type IN ('table', 'trigger') AND name IN (%s, %s, %s, %s)",
            [FTS_TABLE, *TRIGGERS],
        )
        return {row[0] for row in cursor.fetchall()}


def sqlite_index_ready(connection: BaseDatabaseWrapper) -> bool:
    """The FTS table and all three triggers exist: the index is complete and kept in step.

    The search asks on every request (one look at the schema, microseconds): ids from an
    index that stopped following the table would silently miss rows.
    """
    return len(_sqlite_present(connection)) == 1 + len(TRIGGERS)


def _sqlite_statements(connection: BaseDatabaseWrapper, table: str) -> dict[str, str]:
    """``CREATE`` statement of the FTS table and of each trigger, by name.

    Every name in them is a constant of this module or Django's, quoted (``S608``).
    """

    def q(name: str) -> str:
        return _quote(connection, name)

    fts, log = q(FTS_TABLE), q(table)
    columns = ", ".join(q(c) for c in COLUMNS)
    new = ", ".join(f"new.{q(c)}" for c in COLUMNS)
    old = ", ".join(f"old.{q(c)}" for c in COLUMNS)
    # An external-content FTS5 table forgets a row by being told its old values.
    forget = f"INSERT INTO {fts} ({fts}, rowid, {columns}) VALUES ('delete', old.{q('id')}, {old});"  # noqa: S608
    learn = f"INSERT INTO {fts} (rowid, {columns}) VALUES (new.{q('id')}, {new});"  # noqa: S608
    return {
        FTS_TABLE: (
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({columns}, "
            f"content={log}, content_rowid={q('id')}, tokenize='trigram')"
        ),
        TRIGGERS[
            0
        ]: f"CREATE TRIGGER IF NOT EXISTS {q(TRIGGERS[0])} AFTER INSERT ON {log} BEGIN {learn} END",
        TRIGGERS[
            1
        ]: f"CREATE TRIGGER IF NOT EXISTS {q(TRIGGERS[1])} AFTER DELETE ON {log} BEGIN {forget} END",
        TRIGGERS[2]: (
            f"CREATE TRIGGER IF NOT EXISTS {q(TRIGGERS[2])} AFTER UPDATE OF {q('id')}, {columns} "
            f"ON {log} BEGIN {forget} {learn} END"
        ),
    }


def repair(
    connection: BaseDatabaseWrapper, *, table: str | None = None, rebuild: bool = False
) -> bool:
    """SQLite: create what is missing of the FTS table and its triggers, and refill the
    index when anything was (or when asked to). ``False``: this SQLite has no FTS5 trigram."""
    if not fts5_trigram_available(connection):
        return False
    present = _sqlite_present(connection)
    if table is None:
        from django.apps import apps

        table = apps.get_model("admin", "LogEntry")._meta.db_table
    statements = _sqlite_statements(connection, table)
    missing = [name for name in statements if name not in present]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for name in missing:
            cursor.execute(statements[name])
        if missing or rebuild:
            # Writes made while a trigger was missing are not in the index: read it all again.
            fts = _quote(connection, FTS_TABLE)
            cursor.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")  # noqa: S608
    return True


def _sqlite_uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(connection, name)}")
        cursor.execute(f"DROP TABLE IF EXISTS {_quote(connection, FTS_TABLE)}")


# --- PostgreSQL --------------------------------------------------------------------------


def pg_trgm_schema(connection: BaseDatabaseWrapper) -> str | None:
    """The schema ``pg_trgm`` is installed in, or ``None`` when it is not installed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def create_pg_trgm(connection: BaseDatabaseWrapper) -> str | None:
    """``CREATE EXTENSION IF NOT EXISTS pg_trgm`` if the role may; its schema, or ``None``."""
    try:
        # A savepoint when called inside a transaction: a refusal must not abort it.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return None
    return pg_trgm_schema(connection)


class TrigramIndex(Index):
    """``CREATE INDEX ... USING gin ((UPPER(column)) gin_trgm_ops)``, written out.

    Django spells that ``GinIndex(OpClass(Upper(column), ...))``, but ``OpClass`` only
    renders right with ``django.contrib.postgres`` installed, which the console does not
    require. Removal, by name, is Django's own.
    """

    def __init__(self, column: str, name: str, opclass: str = "gin_trgm_ops") -> None:
        super().__init__(fields=[column], name=name)
        self.column = column
        self.opclass = opclass

    def sql(
        self,
        connection: BaseDatabaseWrapper,
        table: str,
        *,
        concurrently: bool,
        if_not_exists: bool,
    ) -> str:
        q = connection.ops.quote_name
        return (
            f"CREATE INDEX{' CONCURRENTLY' if concurrently else ''}"
            f"{' IF NOT EXISTS' if if_not_exists else ''} {q(self.name)} ON {q(table)} "
            f"USING gin ((UPPER({q(self.column)})) {self.opclass})"
        )

    # Django's returns a Statement; the schema editor executes str(sql), so a str does.
    def create_sql(  # type: ignore[override]
        self,
        model: type[Model],
        schema_editor: BaseDatabaseSchemaEditor,
        using: str = "",
        **kwargs: Any,
    ) -> str:
        return self.sql(
            schema_editor.connection,
            model._meta.db_table,
            concurrently=kwargs.get("concurrently", False),
            if_not_exists=False,
        )


def trigram_indexes(connection: BaseDatabaseWrapper, schema: str | None) -> list[TrigramIndex]:
    """The GIN indexes; the operator class is named with its schema, which need not be on
    the ``search_path`` (some hosts install extensions in a schema of their own)."""
    opclass = "gin_trgm_ops" if schema is None else f"{_quote(connection, schema)}.gin_trgm_ops"
    return [TrigramIndex(column, name, opclass) for column, name in TRIGRAM_INDEX_NAMES.items()]


def trigram_index_sql(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    """What a DBA runs when the console's role may not create ``pg_trgm``."""
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
        *(
            index.sql(connection, table, concurrently=True, if_not_exists=True) + ";"
            for index in trigram_indexes(connection, None)
        ),
        f"ANALYZE {_quote(connection, table)};",
    ]


def pg_index_ready(connection: BaseDatabaseWrapper) -> bool:
    """Whether both GIN trigram indexes exist and are valid (one catalog query)."""
    return not _pg_missing(connection)


def _pg_missing(connection: BaseDatabaseWrapper) -> tuple[str, ...]:
    names = list(TRIGRAM_INDEX_NAMES.values())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indisvalid AND c.relname = ANY(%s)",
            [names],
        )
        valid = {row[0] for row in cursor.fetchall()}
    return tuple(name for name in names if name not in valid)


# --- Both --------------------------------------------------------------------------------


def install(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> bool:
    """Build whatever of the index is missing; ``False`` when the database cannot hold it.

    Idempotent: what exists (made by an earlier run, or by a DBA) is kept. On PostgreSQL
    the indexes are built ``CONCURRENTLY`` (the caller must not be in a transaction) and
    an INVALID one left by a failed build is rebuilt.
    """
    connection = schema_editor.connection
    table = apps.get_model("admin", "LogEntry")._meta.db_table
    if connection.vendor == "sqlite":
        return repair(connection, table=table)
    if connection.vendor == "postgresql":
        schema = create_pg_trgm(connection)
        if schema is None:
            return False
        _logentry_indexes.add(apps, schema_editor, trigram_indexes(connection, schema))
        # The planner estimates LIKE from statistics on the indexed expressions, which
        # only ANALYZE gathers; until then it takes common needles for rare ones and
        # sorts half the table (2 s instead of 3 ms on a million rows). ANALYZE reads a
        # fixed sample, about a second whatever the size.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_quote(connection, table)}")
        return True
    return False


def uninstall(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Drop the index (never ``pg_trgm``, which other indexes may use); nothing missing is an error."""
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        _sqlite_uninstall(connection)
    elif connection.vendor == "postgresql":
        _logentry_indexes.remove(apps, schema_editor, trigram_indexes(connection, None))


def is_applied(connection: BaseDatabaseWrapper) -> bool:
    recorder = MigrationRecorder(connection)
    return recorder.has_table() and MIGRATION in recorder.applied_migrations()


def state(connection: BaseDatabaseWrapper) -> IndexState:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql") or not is_applied(connection):
        return IndexState(vendor, applicable=False, possible=False)
    if vendor == "sqlite":
        if not fts5_trigram_available(connection):
            return IndexState(vendor, applicable=True, possible=False)
        present = _sqlite_present(connection)
        missing = tuple(name for name in (FTS_TABLE, *TRIGGERS) if name not in present)
        return IndexState(vendor, applicable=True, possible=True, missing=missing)
    possible = pg_trgm_schema(connection) is not None
    return IndexState(vendor, applicable=True, possible=possible, missing=_pg_missing(connection))


def repair_after_migrate(using: str = "default", verbosity: int = 1, **kwargs: Any) -> None:
    """``post_migrate``: put SQLite's triggers back after a migration rebuilt the table.

    SQLite's schema editor rebuilds ``django_admin_log`` for most ``AlterField`` (a new
    table, the rows copied, the old one dropped with its triggers), so the index would
    stop following the table from then on. Only SQLite, and only once 0005 is applied;
    PostgreSQL indexes survive ``ALTER TABLE``.
    """
    connection = connections[using]
    if connection.vendor != "sqlite" or not is_applied(connection):
        return
    if sqlite_index_ready(connection) or not repair(connection):
        return
    if verbosity:
        stdout = kwargs.get("stdout") or sys.stdout
        stdout.write(
            f"auditconsole: django_admin_log was rebuilt: the search index's triggers are "
            f"back and {FTS_TABLE} was refilled.\n"
        )
