"""Object indexes whose plan does not depend on planner statistics.

The object page asks for one object's entries, newest first. With only
``(content_type_id, object_id)`` (0002), SQLite without statistics (every fresh deployment:
nobody runs ``ANALYZE``) preferred ``(content_type_id, action_time)``, which gives the order
for free, and walked every entry of the model to find one object's rows: 48-51 ms per object
page on 200,000 rows, growing with the model's history, against 0.3 ms after ``ANALYZE``.

- ``(content_type_id, object_id, action_time, id)`` replaces ``(content_type_id, object_id)``
  (its prefix, so nothing loses an index): both equalities and the order ``-action_time,
  -id`` come from one index, so every planner takes it, with statistics or without, and an
  object with a long history is never sorted.
- ``(object_id, action_time, id)``: the ``object_id`` filter without a model ("anything with
  key 42"), which otherwise scans the whole table in time order on both databases. It also
  carries the object page when scoping adds ``content_type_id IN (...)``, which SQLite then
  weighs differently.

The id is spelled out for PostgreSQL: SQLite ends every index with the rowid anyway.
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from auditconsole.migrations import _logentry_indexes

ADDED = (
    models.Index(
        fields=["content_type", "object_id", "action_time", "id"], name="auditconsole_le_object"
    ),
    models.Index(fields=["object_id", "action_time", "id"], name="auditconsole_le_object_id"),
)
#: Made redundant by ``auditconsole_le_object``, whose first two columns it is.
REPLACED = (models.Index(fields=["content_type", "object_id"], name="auditconsole_le_ct_object"),)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _logentry_indexes.add(apps, schema_editor, ADDED)
    _logentry_indexes.remove(apps, schema_editor, REPLACED)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _logentry_indexes.add(apps, schema_editor, REPLACED)
    _logentry_indexes.remove(apps, schema_editor, ADDED)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY refuses to run inside a transaction block.
    atomic = False

    dependencies = [("auditconsole", "0002_logentry_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
