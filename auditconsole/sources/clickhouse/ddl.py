"""The DDL of the two built-in schemas' tables, as the docs print it and the tests run it."""

from __future__ import annotations

from importlib import resources

TABLES: dict[str, str] = {"otel": "otel_logs.sql", "activity_audit": "activity_audit.sql"}


def statement(schema: str) -> str:
    """The ``CREATE TABLE`` for ``schema`` (``"otel"`` or ``"activity_audit"``)."""
    return (resources.files("auditconsole.sources.clickhouse") / "ddl" / TABLES[schema]).read_text(
        encoding="utf-8"
    )
