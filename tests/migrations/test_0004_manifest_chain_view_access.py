"""Migration 0004: the manifest chain's table, and the view_access permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from auditconsole.models import ManifestChain
from tests.migrations.test_0002_logentry_indexes import migrate_to


def test_the_table_and_the_permission(db) -> None:
    assert ManifestChain._meta.db_table in connection.introspection.table_names()
    assert Permission.objects.filter(
        content_type__app_label="auditconsole", codename="view_access"
    ).exists()
    # The chain's model carries no permissions of its own.
    assert not Permission.objects.filter(content_type__model="manifestchain").exists()


@pytest.mark.django_db(transaction=True)
def test_reversible() -> None:
    try:
        migrate_to([("auditconsole", "0003_logentry_object_indexes")])
        assert ManifestChain._meta.db_table not in connection.introspection.table_names()
    finally:
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert ManifestChain._meta.db_table in connection.introspection.table_names()
