"""Migration 0002: the LogEntry indexes exist, and the migration reverses and re-applies."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

migration = importlib.import_module("auditconsole.migrations.0002_logentry_indexes")

TABLE = LogEntry._meta.db_table
EXPECTED = {
    "auditconsole_le_time_id": ["action_time", "id"],
    "auditconsole_le_ct_object": ["content_type_id", "object_id"],
    "auditconsole_le_ct_time": ["content_type_id", "action_time"],
    "auditconsole_le_user_time": ["user_id", "action_time"],
    "auditconsole_le_facets": ["content_type_id", "user_id", "action_flag", "action_time"],
}


def indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return {name: info["columns"] for name, info in constraints.items() if name in EXPECTED}


@pytest.mark.django_db(transaction=True)
def test_indexes_exist() -> None:
    # 0003 replaces one of them: 0002's own state is checked at 0002.
    try:
        migrate_to([("auditconsole", "0002_logentry_indexes")])
        assert indexes() == EXPECTED
    finally:
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def migrate_to(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_reversible_and_idempotent() -> None:
    try:
        migrate_to([("auditconsole", "0001_initial")])
        assert indexes() == {}
        migrate_to([("auditconsole", "0002_logentry_indexes")])
        assert indexes() == EXPECTED
        # Applied over indexes that already exist (a DBA made them): kept, no error.
        with connection.schema_editor(atomic=False) as editor:
            migration.add_indexes(_apps(), editor)
        assert indexes() == EXPECTED
    finally:
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_reverse_of_a_missing_index_is_a_no_op(transactional_db) -> None:
    migrate_to([("auditconsole", "0002_logentry_indexes")])
    try:
        try:
            with connection.schema_editor(atomic=False) as editor:
                migration.remove_indexes(_apps(), editor)
                migration.remove_indexes(_apps(), editor)
            assert indexes() == {}
        finally:
            with connection.schema_editor(atomic=False) as editor:
                migration.add_indexes(_apps(), editor)
        assert indexes() == EXPECTED
    finally:
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_migration_is_non_atomic_and_depends_on_admin() -> None:
    assert migration.Migration.atomic is False
    assert ("admin", "0003_logentry_add_action_flag_choices") in migration.Migration.dependencies
    assert ("contenttypes", "0002_remove_content_type_name") in migration.Migration.dependencies


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="CREATE INDEX CONCURRENTLY is PostgreSQL's"
)
def test_postgres_rebuilds_an_invalid_index(transactional_db) -> None:
    migrate_to([("auditconsole", "0002_logentry_indexes")])
    try:
        # What a failed CREATE INDEX CONCURRENTLY leaves behind.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'auditconsole_le_time_id'::regclass"
            )
        with connection.schema_editor(atomic=False) as editor:
            assert migration._invalid_postgres_indexes(editor, list(EXPECTED)) == {
                "auditconsole_le_time_id"
            }
            migration.add_indexes(_apps(), editor)
            assert migration._invalid_postgres_indexes(editor, list(EXPECTED)) == set()
        assert indexes() == EXPECTED
    finally:
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _apps():
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(("auditconsole", "0002_logentry_indexes")).apps
