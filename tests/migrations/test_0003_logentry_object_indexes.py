"""Migration 0003: the object indexes replace ``(content_type_id, object_id)``, reversibly."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.migrations.test_0002_logentry_indexes import EXPECTED as AFTER_0002
from tests.migrations.test_0002_logentry_indexes import TABLE, migrate_to

migration = importlib.import_module("auditconsole.migrations.0003_logentry_object_indexes")

ADDED = {
    "auditconsole_le_object": ["content_type_id", "object_id", "action_time", "id"],
    "auditconsole_le_object_id": ["object_id", "action_time", "id"],
}
AFTER_0003 = {
    **{
        name: columns for name, columns in AFTER_0002.items() if name != "auditconsole_le_ct_object"
    },
    **ADDED,
}


def indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    wanted = AFTER_0002.keys() | ADDED.keys()
    return {name: info["columns"] for name, info in constraints.items() if name in wanted}


def test_indexes_after_every_migration(db) -> None:
    assert indexes() == AFTER_0003


def _apps():
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(("auditconsole", "0003_logentry_object_indexes")).apps


@pytest.mark.django_db(transaction=True)
def test_reversible_and_idempotent() -> None:
    try:
        migrate_to([("auditconsole", "0002_logentry_indexes")])
        assert indexes() == AFTER_0002
        migrate_to([("auditconsole", "0003_logentry_object_indexes")])
        assert indexes() == AFTER_0003
        # Run again over its own result (a DBA made the indexes already): no error, no change.
        with connection.schema_editor(atomic=False) as editor:
            migration.forwards(_apps(), editor)
        assert indexes() == AFTER_0003
        # And backwards twice: the second finds nothing to undo.
        with connection.schema_editor(atomic=False) as editor:
            migration.backwards(_apps(), editor)
            migration.backwards(_apps(), editor)
        assert indexes() == AFTER_0002
    finally:
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
        with connection.schema_editor(atomic=False) as editor:
            migration.forwards(_apps(), editor)
    assert indexes() == AFTER_0003


def test_migration_is_non_atomic() -> None:
    # CREATE INDEX CONCURRENTLY on PostgreSQL cannot run in a transaction.
    assert migration.Migration.atomic is False
    assert migration.Migration.dependencies == [("auditconsole", "0002_logentry_indexes")]
