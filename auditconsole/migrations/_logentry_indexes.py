"""Adding and removing indexes on ``django_admin_log``, for this app's migrations.

The table belongs to ``django.contrib.admin``, so these are not ``AddIndex`` operations
(which can only touch this app's models) but ``RunPython`` through the schema editor,
leaving the admin's migration state alone.

On PostgreSQL the indexes are built ``CONCURRENTLY`` so a deploy does not lock a table of
millions of rows against writes; that cannot run in a transaction, so the migrations using
this are ``atomic = False``. A concurrent build that fails half-way leaves an INVALID index
behind; re-running the migration drops and rebuilds it. Elsewhere (SQLite, MySQL...) the
schema editor builds a plain index. An index of the same name that already exists (a DBA
created it by hand) is kept, so a migration can be applied to a database tuned by hand, and
removing an index that is not there is not an error.

The module name starts with ``_`` so the migration loader does not take it for a migration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps.registry import Apps
from django.db import models

# The schema editors are Any: PostgreSQL's takes ``concurrently=``, the base class does not.


def _model(apps: Apps) -> type[models.Model]:
    return apps.get_model("admin", "LogEntry")


def existing(schema_editor: Any, table: str) -> set[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def invalid_postgres_indexes(schema_editor: Any, names: list[str]) -> set[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE NOT i.indisvalid AND c.relname = ANY(%s)",
            [names],
        )
        return {row[0] for row in cursor.fetchall()}


def add(apps: Apps, schema_editor: Any, indexes: Iterable[models.Index]) -> None:
    log_entry = _model(apps)
    indexes = list(indexes)
    postgres = schema_editor.connection.vendor == "postgresql"
    present = existing(schema_editor, log_entry._meta.db_table)
    if postgres:
        for name in invalid_postgres_indexes(schema_editor, [i.name for i in indexes]):
            index = next(i for i in indexes if i.name == name)
            schema_editor.remove_index(log_entry, index, concurrently=True)
            present.discard(name)
    for index in indexes:
        if index.name in present:
            continue
        if postgres:
            schema_editor.add_index(log_entry, index, concurrently=True)
        else:
            schema_editor.add_index(log_entry, index)


def remove(apps: Apps, schema_editor: Any, indexes: Iterable[models.Index]) -> None:
    log_entry = _model(apps)
    present = existing(schema_editor, log_entry._meta.db_table)
    for index in indexes:
        if index.name not in present:
            continue
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(log_entry, index, concurrently=True)
        else:
            schema_editor.remove_index(log_entry, index)
