"""The search index's upkeep: a table rebuild on SQLite, the checks, the management command."""

from __future__ import annotations

import importlib
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import connection, models

from auditconsole.activity import textindex
from auditconsole.activity.checks import check_search_index
from auditconsole.activity.textsearch import INDEX, UNINDEXED, TextSearch
from project.demo.models import Customer
from tests.activity.entries import log

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS table is SQLite's")


def ids(needle: str) -> set[int]:
    search = TextSearch(needle, using="default")
    return set(search.narrow(LogEntry.objects.all()).values_list("pk", flat=True))


def object_repr_field(max_length: int) -> models.CharField:
    field = models.CharField(max_length=max_length)
    field.set_attributes_from_name("object_repr")
    field.model = LogEntry
    return field


def rebuild_table(old_length: int, new_length: int) -> None:
    """What an ``AlterField`` on LogEntry does on SQLite: a new table, rows copied, the
    old one dropped with its triggers."""
    with connection.schema_editor() as editor:
        editor.alter_field(LogEntry, object_repr_field(old_length), object_repr_field(new_length))


def restore_btree_indexes() -> None:
    """The rebuild dropped migrations 0002's and 0003's indexes too (they are not in the
    admin's model state either): put them back for the tests that follow."""
    from django.apps import apps

    for name, function in (("0002_logentry_indexes", "add_indexes"),
                           ("0003_logentry_object_indexes", "forwards")):  # fmt: skip
        migration = importlib.import_module(f"auditconsole.migrations.{name}")
        with connection.schema_editor(atomic=False) as editor:
            getattr(migration, function)(apps, editor)


def ids_of(messages: list) -> list[str]:
    return [message.id for message in messages]


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_triggers_rebuilt_after_a_table_rebuild(superuser) -> None:
    before = log(superuser, Customer, 1, name="Acme before")
    try:
        rebuild_table(200, 201)
        found = textindex.state(connection)
        assert found.missing == textindex.TRIGGERS
        messages = check_search_index(databases=["default"])
        assert ids_of(messages) == ["auditconsole.W042"]
        assert "manage.py auditconsole_search_index --database default" in messages[0].hint
        # Until repaired the search scans (the index would miss this row) and is right.
        during = log(superuser, Customer, 2, name="Acme during")
        assert TextSearch("acme", using="default").method == UNINDEXED
        # The next `migrate` (any migration that rebuilt the table runs in one) repairs it.
        out = io.StringIO()
        call_command("migrate", verbosity=1, stdout=out)
        assert "search index's triggers are back" in out.getvalue()
        assert textindex.state(connection).ready
        assert check_search_index(databases=["default"]) == []
        after = log(superuser, Customer, 3, name="Acme after")
        assert TextSearch("acme", using="default").method == INDEX
        assert ids("acme") == {before.pk, during.pk, after.pk}
        # Nothing to do the second time.
        out = io.StringIO()
        call_command("migrate", verbosity=1, stdout=out)
        assert "triggers are back" not in out.getvalue()
    finally:
        rebuild_table(201, 200)
        quiet = io.StringIO()
        call_command("migrate", verbosity=0, stdout=quiet)
        restore_btree_indexes()
    assert textindex.state(connection).ready
    assert quiet.getvalue() == ""


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_the_command_repairs_and_refills(superuser) -> None:
    entry = log(superuser, Customer, 1, name="Acme")
    with connection.cursor() as cursor:
        for name in textindex.TRIGGERS:
            cursor.execute(f'DROP TRIGGER "{name}"')
    missed = log(superuser, Customer, 2, name="Acme missed")
    out = io.StringIO()
    call_command("auditconsole_search_index", stdout=out)
    assert "is ready" in out.getvalue()
    assert textindex.state(connection).ready
    assert ids("acme") == {entry.pk, missed.pk}
    # --rebuild refills an index that is complete but out of step (a bulk load without
    # triggers, say).
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {textindex.FTS_TABLE}_data WHERE id > 1")
    call_command("auditconsole_search_index", "--rebuild", stdout=io.StringIO())
    assert ids("acme") == {entry.pk, missed.pk}


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_without_fts5_trigram(monkeypatch, capsys) -> None:
    """A SQLite before 3.34, or built without FTS5: no index, a warning, and the search scans."""
    migration = importlib.import_module("auditconsole.migrations.0005_logentry_search")
    from django.apps import apps

    monkeypatch.setattr(textindex, "fts5_trigram_available", lambda connection: False)
    try:
        with connection.schema_editor(atomic=False) as editor:
            migration.backwards(apps, editor)
            migration.forwards(apps, editor)
        assert "search index was not built" in capsys.readouterr().out
        found = textindex.state(connection)
        assert (found.applicable, found.possible, found.ready) == (True, False, False)
        messages = check_search_index(databases=["default"])
        assert ids_of(messages) == ["auditconsole.W041"]
        assert "3.34" in messages[0].hint
        with pytest.raises(CommandError, match="no FTS5 trigram tokenizer"):
            call_command("auditconsole_search_index")
        assert TextSearch("acme", using="default").method == UNINDEXED
        textindex.repair_after_migrate(using="default")  # cannot repair either: no error
    finally:
        monkeypatch.undo()
        call_command("auditconsole_search_index", stdout=io.StringIO())
    assert textindex.state(connection).ready


def test_fts5_trigram_is_detected(db) -> None:
    # Python's SQLite has it; PostgreSQL, trying the same, has not.
    assert textindex.fts5_trigram_available(connection) is (connection.vendor == "sqlite")


@pytest.mark.django_db
def test_the_check_is_a_database_check() -> None:
    # Not run by every command (runserver, collectstatic): only with a database.
    assert check_search_index() == []
    assert check_search_index(databases=["default"]) == []
    registered = checks.registry.registry.get_checks(include_deployment_checks=False)
    assert check_search_index in registered
    assert "database" in check_search_index.tags


@pytest.mark.django_db
def test_nothing_is_expected_before_the_migration(monkeypatch) -> None:
    monkeypatch.setattr(textindex, "MIGRATION", ("auditconsole", "9999_not_yet"))
    assert not textindex.state(connection).applicable
    assert check_search_index(databases=["default"]) == []
    textindex.repair_after_migrate(using="default")


@pytest.mark.django_db
def test_other_databases_have_no_index(monkeypatch) -> None:
    from types import SimpleNamespace

    from django.apps import apps

    monkeypatch.setattr(connection, "vendor", "mysql")
    found = textindex.state(connection)
    assert (found.vendor, found.applicable, found.ready) == ("mysql", False, False)
    # The migration builds nothing there, and drops nothing.
    editor = SimpleNamespace(connection=connection)
    assert textindex.install(apps, editor) is False
    textindex.uninstall(apps, editor)
    monkeypatch.undo()
    assert textindex.state(connection).ready
    monkeypatch.setattr(connection, "vendor", "mysql")
    with pytest.raises(CommandError, match="not mysql"):
        call_command("auditconsole_search_index")


@pytest.mark.django_db
def test_a_database_the_router_keeps_logentry_off_is_skipped(settings) -> None:
    class Elsewhere:
        def allow_migrate(self, db, app_label, model_name=None, **hints):
            return app_label != "admin"

    settings.DATABASE_ROUTERS = [Elsewhere()]
    assert check_search_index(databases=["default"]) == []


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN indexes are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_postgres_reports_a_missing_or_invalid_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false "
            "WHERE indexrelid = 'auditconsole_le_message_trgm'::regclass"
        )
    try:
        found = textindex.state(connection)
        assert found.missing == ("auditconsole_le_message_trgm",)
        messages = check_search_index(databases=["default"])
        assert ids_of(messages) == ["auditconsole.W040"]
        assert "missing or invalid: auditconsole_le_message_trgm" in messages[0].msg
        # The command rebuilds an INVALID index (what a failed concurrent build leaves).
        call_command("auditconsole_search_index", stdout=io.StringIO())
        assert textindex.state(connection).ready
    finally:
        call_command("auditconsole_search_index", stdout=io.StringIO())


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN indexes are PostgreSQL's")
@pytest.mark.django_db
def test_postgres_command_refuses_to_run_in_a_transaction() -> None:
    with pytest.raises(CommandError, match="outside a transaction"):
        call_command("auditconsole_search_index")


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_postgres_extension_in_a_schema_of_its_own() -> None:
    """Hosts that keep extensions out of ``public``: the operator class is named with its schema."""
    from django.apps import apps

    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS auditconsole_ext")
    try:
        with connection.schema_editor(atomic=False) as editor:
            textindex.uninstall(apps, editor)
        with connection.cursor() as cursor:
            cursor.execute("ALTER EXTENSION pg_trgm SET SCHEMA auditconsole_ext")
        assert textindex.pg_trgm_schema(connection) == "auditconsole_ext"
        call_command("auditconsole_search_index", stdout=io.StringIO())
        assert textindex.state(connection).ready
    finally:
        with connection.schema_editor(atomic=False) as editor:
            textindex.uninstall(apps, editor)
        with connection.cursor() as cursor:
            cursor.execute("ALTER EXTENSION pg_trgm SET SCHEMA public")
            cursor.execute("DROP SCHEMA auditconsole_ext")
        call_command("auditconsole_search_index", stdout=io.StringIO())
    assert textindex.state(connection).ready


@pytest.mark.django_db
def test_without_the_admin_the_check_leaves_it_to_e001(settings) -> None:
    from django.test import override_settings

    # The project installs the admin through its own AdminConfig.
    without = [app for app in settings.INSTALLED_APPS if "admin" not in app.split(".")]
    with override_settings(INSTALLED_APPS=without):
        assert check_search_index(databases=["default"]) == []
