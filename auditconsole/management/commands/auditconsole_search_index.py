"""Build or repair the free-text search's index, as migration 0005 does, at any time.

    manage.py auditconsole_search_index                  # build what is missing
    manage.py auditconsole_search_index --rebuild        # SQLite: also refill the index
    manage.py auditconsole_search_index --database audit

For when the migration could not build it: on PostgreSQL, after a DBA has created the
``pg_trgm`` extension (``auditconsole.W040``); on SQLite, after the table was rebuilt
outside ``migrate`` and lost its triggers (``auditconsole.W042``). Idempotent: what is there
is kept. PostgreSQL indexes are built ``CONCURRENTLY``, so writes go on meanwhile; the
SQLite index is refilled in one transaction (about 40 s per million rows).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from auditconsole.activity import textindex


class Command(BaseCommand):
    help = "Build or repair the index of the activity's free-text search."
    # The index's own state is what this command reports and fixes.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="SQLite: refill the index from the table even when nothing is missing.",
        )

    def handle(self, *args: Any, database: str, rebuild: bool, **options: Any) -> None:
        connection = connections[database]
        if connection.vendor not in ("sqlite", "postgresql"):
            raise CommandError(
                f"The search index exists for SQLite and PostgreSQL, not {connection.vendor}."
            )
        if connection.vendor == "sqlite":
            built = textindex.repair(connection, rebuild=rebuild)
        elif connection.in_atomic_block:
            raise CommandError("Run this outside a transaction (CREATE INDEX CONCURRENTLY).")
        else:
            with connection.schema_editor(atomic=False) as editor:
                built = textindex.install(apps, editor)
        if not built:
            raise CommandError(self.cannot(connection))
        self.stdout.write(self.style.SUCCESS(f"The search index of {database!r} is ready."))

    @staticmethod
    def cannot(connection: BaseDatabaseWrapper) -> str:
        if connection.vendor == "sqlite":
            return "This SQLite has no FTS5 trigram tokenizer (SQLite 3.34 or later, with FTS5)."
        sql = "\n  ".join(textindex.trigram_index_sql(connection, LogEntry._meta.db_table))
        return (
            "This role may not create the pg_trgm extension. As a superuser or the database "
            f"owner, run:\n  {sql}\nor create the extension and run this command again."
        )
