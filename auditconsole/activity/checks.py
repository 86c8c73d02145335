"""System checks for the free-text search's index (:mod:`auditconsole.activity.textindex`).

They read the database, so they are tagged ``database`` and run where Django runs those:
``manage.py migrate`` (before migrating) and ``manage.py check --database default``.
Nothing is expected before migration 0005 is applied. Without the index the search still
works, reading the whole table as before: these are warnings.

- ``auditconsole.W040``: PostgreSQL without the trigram indexes (``pg_trgm`` could not be
  created by the console's role, or an index is missing or INVALID), with the SQL to run.
- ``auditconsole.W041``: SQLite without FTS5's ``trigram`` tokenizer (before 3.34, or built
  without FTS5).
- ``auditconsole.W042``: SQLite's FTS table or one of its triggers is missing (a table
  rebuild outside ``migrate`` drops the triggers), so the index is not used.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.core import checks
from django.db import connections, router

from auditconsole.activity import textindex

COMMAND = "manage.py auditconsole_search_index"


def check_search_index(
    app_configs: Sequence[AppConfig] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[checks.CheckMessage]:
    if not apps.is_installed("django.contrib.admin"):
        return []  # auditconsole.E001 says so
    log_entry = apps.get_model("admin", "LogEntry")
    messages: list[checks.CheckMessage] = []
    for alias in databases or ():
        if router.allow_migrate_model(alias, log_entry):
            messages.extend(_check(alias, log_entry._meta.db_table))
    return messages


def _check(alias: str, table: str) -> list[checks.CheckMessage]:
    connection = connections[alias]
    found = textindex.state(connection)
    if not found.applicable or found.ready:
        return []
    if found.vendor == "postgresql":
        reason = (
            "the pg_trgm extension is not installed"
            if not found.possible
            else f"missing or invalid: {', '.join(found.missing)}"
        )
        sql = " ".join(textindex.trigram_index_sql(connection, table))
        return [
            checks.Warning(
                f"Free-text search reads all of {table} on database {alias!r}: its trigram "
                f"indexes are not there ({reason}).",
                hint=(
                    f"As a superuser or the database owner, run `{sql}`, or run "
                    f"`CREATE EXTENSION IF NOT EXISTS pg_trgm;` and then `{COMMAND} "
                    f"--database {alias}`."
                ),
                id="auditconsole.W040",
            )
        ]
    if not found.possible:
        return [
            checks.Warning(
                f"Free-text search reads all of {table} on database {alias!r}: this SQLite "
                f"({sqlite3.sqlite_version}) has no FTS5 trigram tokenizer.",
                hint=(
                    "Use a Python whose SQLite is 3.34 or later and built with FTS5 (the "
                    f"usual builds are), then run `{COMMAND} --database {alias}`."
                ),
                id="auditconsole.W041",
            )
        ]
    return [
        checks.Warning(
            f"Free-text search reads all of {table} on database {alias!r}: its search "
            f"index is incomplete (missing: {', '.join(found.missing)}), most likely "
            "because the table was rebuilt outside `migrate`.",
            hint=f"Run `{COMMAND} --database {alias}` to recreate and refill it.",
            id="auditconsole.W042",
        )
    ]
