"""The index behind the free-text search ``q`` (``icontains`` on ``object_repr`` and
``change_message``), which otherwise reads the whole table: 0.4-1.3 s on a million rows.

- PostgreSQL: GIN trigram indexes on ``UPPER(object_repr)`` and ``UPPER(change_message)``,
  the expression Django's ``icontains`` compiles to, built ``CONCURRENTLY``. They need the
  ``pg_trgm`` extension, which this migration creates when the role may (it is a trusted
  extension: the database owner may). When it may not, the indexes are skipped, the
  migration still succeeds, and ``auditconsole.W040`` gives the SQL for a DBA;
  ``manage.py auditconsole_search_index`` builds them afterwards.
- SQLite: an FTS5 ``trigram`` table over the two columns, external content of
  ``django_admin_log``, kept in step by triggers, filled once here. Without FTS5's trigram
  tokenizer (SQLite before 3.34, or built without FTS5) it is skipped and
  ``auditconsole.W041`` says so.
- Other databases: nothing; the search reads the table as before.

Reversing drops the indexes, or the table and its triggers; ``pg_trgm`` stays, since other
indexes may use it. What is already there (an earlier run, or a DBA's) is kept. The
definitions live in :mod:`auditconsole.activity.textindex`, shared with the management
command and the system checks.
"""

from __future__ import annotations

import sys

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from auditconsole.activity import textindex


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    connection = schema_editor.connection
    if not textindex.install(apps, schema_editor) and connection.vendor in ("sqlite", "postgresql"):
        # The checks say it again, with the remedy (W040, W041), at every `migrate` and
        # `check --database`.
        sys.stdout.write(
            "\n  auditconsole: the free-text search index was not built; see "
            f"`manage.py check --database {connection.alias}`.\n"
        )


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    textindex.uninstall(apps, schema_editor)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY refuses to run inside a transaction block.
    atomic = False

    dependencies = [("auditconsole", "0004_manifest_chain_view_access")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
