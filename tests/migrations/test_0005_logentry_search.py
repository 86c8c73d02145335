"""Migration 0005: the search index is built, kept when already there, and reversed, on
SQLite and on PostgreSQL; without ``pg_trgm`` it is skipped and the migration succeeds."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from auditconsole.activity import textindex
from auditconsole.activity.checks import check_search_index
from auditconsole.activity.textsearch import INDEX, TextSearch
from tests.migrations.test_0002_logentry_indexes import migrate_to

migration = importlib.import_module("auditconsole.migrations.0005_logentry_search")

BEFORE = ("auditconsole", "0004_manifest_chain_view_access")
AFTER = ("auditconsole", "0005_logentry_search")
TABLE = LogEntry._meta.db_table


def structures() -> set[str]:
    """The index's parts present in the database: FTS table and triggers, or GIN indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE 'auditconsole_le_search%'"
            )
            return {row[0] for row in cursor.fetchall()} & {
                textindex.FTS_TABLE,
                *textindex.TRIGGERS,
            }
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
            [TABLE, "%_trgm"],
        )
        # The schema is named only when it is not on the search path: leave it out.
        return {f"{name}: {definition.replace('public.', '')}" for name, definition in cursor}


def built() -> set[str]:
    if connection.vendor == "sqlite":
        return {textindex.FTS_TABLE, *textindex.TRIGGERS}
    # Exactly the expressions Django's icontains compiles to.
    return {
        "auditconsole_le_repr_trgm: CREATE INDEX auditconsole_le_repr_trgm ON django_admin_log "
        "USING gin (upper((object_repr)::text) gin_trgm_ops)",
        "auditconsole_le_message_trgm: CREATE INDEX auditconsole_le_message_trgm ON "
        "django_admin_log USING gin (upper(change_message) gin_trgm_ops)",
    }


def apps_at(target: tuple[str, str]):
    return MigrationExecutor(connection).loader.project_state(target).apps


def run(function, apps=None) -> None:
    apps = apps or apps_at(AFTER)
    with connection.schema_editor(atomic=False) as editor:
        function(apps, editor)


def test_applied_to_a_new_database(db) -> None:
    assert structures() == built()
    assert textindex.state(connection).ready


@pytest.mark.django_db(transaction=True)
def test_applied_and_reversed(superuser) -> None:
    try:
        migrate_to([BEFORE])
        assert structures() == set()
        assert not textindex.state(connection).applicable
        # Rows written before the index exists are found through it afterwards.
        entry = LogEntry.objects.create(
            user=superuser, object_repr="Zanzibar Quokka", change_message="", action_flag=1
        )
        migrate_to([AFTER])
        assert structures() == built()
        search = TextSearch("quokka", using="default")
        assert search.method == INDEX
        assert set(search.narrow(LogEntry.objects.all()).values_list("pk", flat=True)) == {entry.pk}
        # Again over its own result (or a DBA's): kept, no error.
        run(migration.forwards)
        assert structures() == built()
        # Backwards twice: the second finds nothing to undo.
        run(migration.backwards)
        run(migration.backwards)
        assert structures() == set()
    finally:
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
        run(migration.forwards)
    assert structures() == built()


def test_migration_is_non_atomic() -> None:
    # CREATE INDEX CONCURRENTLY on PostgreSQL cannot run in a transaction. (0004 comes from
    # another branch; the dependency is fixed when both are merged.)
    assert migration.Migration.atomic is False
    assert migration.Migration.dependencies == [BEFORE]


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_without_pg_trgm_the_migration_succeeds_and_the_check_says_what_to_run(
    transactional_db, capsys
) -> None:
    """A role that may not create extensions (not a superuser, not the database owner)."""
    from django.core.management import CommandError, call_command

    role = "auditconsole_limited"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    try:
        run(migration.backwards)
        apps = apps_at(AFTER)  # reading django_migrations needs more than the role has
        with connection.cursor() as cursor:
            cursor.execute("DROP EXTENSION pg_trgm")
            cursor.execute(f"SET ROLE {role}")
        try:
            run(migration.forwards, apps)  # no exception: it goes on without the index
            with pytest.raises(CommandError, match="CREATE EXTENSION IF NOT EXISTS pg_trgm"):
                call_command("auditconsole_search_index")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
        assert "search index was not built" in capsys.readouterr().out
        assert structures() == set()
        found = textindex.state(connection)
        assert (found.applicable, found.possible, found.ready) == (True, False, False)
        messages = check_search_index(databases=["default"])
        assert [m.id for m in messages] == ["auditconsole.W040"]
        assert "pg_trgm extension is not installed" in messages[0].msg
        hint = messages[0].hint
        assert "CREATE EXTENSION IF NOT EXISTS pg_trgm;" in hint
        assert (
            'CREATE INDEX CONCURRENTLY IF NOT EXISTS "auditconsole_le_repr_trgm" ON '
            '"django_admin_log" USING gin ((UPPER("object_repr")) gin_trgm_ops);'
        ) in hint
        assert "manage.py auditconsole_search_index --database default" in hint
        # A DBA creates the extension; the command builds the indexes.
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION pg_trgm")
        call_command("auditconsole_search_index")
        assert structures() == built()
        assert check_search_index(databases=["default"]) == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"DROP ROLE IF EXISTS {role}")
        run(migration.forwards)
    assert structures() == built()
