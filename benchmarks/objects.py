"""The object page when one model holds much of the history, before and after migration 0003.

    .venv/bin/python -m benchmarks.objects [--rows 1000000] [--hot-share 0.3] [--repeat 15]
    .venv/bin/python -m tests.services postgres -- .venv/bin/python -m benchmarks.objects

Builds its own database (as ``benchmarks/activity.py`` does) with ``--rows`` entries over
``EXTRA_MODELS`` models, one of which (the "hot" model) holds ``--hot-share`` of them, then
times the object page and the other one-object and one-user queries in-process, as a
superuser and as a support agent scoped to half of the models:

- with the indexes of migration 0002 (``(content_type_id, object_id)``), then
- with those of migration 0003 (``(content_type_id, object_id, action_time, id)`` and
  ``(object_id, action_time, id)``),

on SQLite without planner statistics (a fresh deployment: nobody runs ``ANALYZE``; the
generator's own ``ANALYZE`` is undone) and, for comparison, after ``ANALYZE``. On
PostgreSQL the table is analysed, as autovacuum would. Prints a Markdown table.
Not part of the test suite: timings belong in notes and docs, not in assertions.
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.activity import (
    configure,
    generate_postgres,
    generate_sqlite,
    measure,
    setup_models,
)

TARGET_MS = 20


def ensure_rows(rows: int, hot_share: float, ctx: dict) -> None:
    from django.contrib.admin.models import LogEntry
    from django.db import connection

    LogEntry.objects.all().delete()
    began = time.perf_counter()
    generate = generate_postgres if connection.vendor == "postgresql" else generate_sqlite
    generate(rows, ctx["users"], ctx["hot_first"], hot_share=hot_share)
    print(f"Generated {rows:,} rows in {time.perf_counter() - began:.1f} s.", file=sys.stderr)


def set_statistics(analysed: bool) -> str:
    """Analyse the table, or (SQLite) forget every statistic; say which."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite" and not analysed:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
            # The planner reads the statistics when a connection opens its schema.
            connection.close()
            return "no statistics"
        cursor.execute("ANALYZE")
    return "analysed"


def migrate_to(name: str) -> None:
    from django.core.management import call_command

    call_command("migrate", "auditconsole", name, verbosity=0)


def scenarios(ctx: dict) -> list[tuple[str, str]]:
    from django.contrib.admin.models import LogEntry
    from django.urls import reverse

    hot = ctx["hot_first"][0]
    # A model the agent may see too (its scope is the even ids), not the hot one.
    cold = next(ct for ct in ctx["hot_first"][1:] if ct.pk % 2 == hot.pk % 2)
    hot_object = LogEntry.objects.filter(content_type_id=hot.pk).order_by("-id").first()
    cold_object = LogEntry.objects.filter(content_type_id=cold.pk).order_by("-id").first()
    activity = reverse("auditconsole:activity")
    return [
        (
            "object page, hot model (30% of rows)",
            reverse("auditconsole:object", args=[hot.pk, hot_object.object_id]),
        ),
        (
            "object page, ordinary model",
            reverse("auditconsole:object", args=[cold.pk, cold_object.object_id]),
        ),
        ("user page", reverse("auditconsole:user", args=[ctx["users"][10].pk])),
        ("filter: object_id, no model", f"{activity}?object_id={hot_object.object_id}"),
    ]


def run(args: argparse.Namespace) -> None:
    backend = configure(args)
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    ctx = setup_models()
    # The hot model: one the scoped agent may view (even id), so both viewers see it.
    hot = ContentType.objects.get(app_label="bench", model="model00")
    if hot.pk % 2:
        hot = ContentType.objects.get(app_label="bench", model="model01")
    ctx["hot_first"] = [hot, *(ct for ct in ctx["content_types"] if ct.pk != hot.pk)]
    ensure_rows(args.rows, args.hot_share, ctx)

    clients = {}
    for name, user in (("superuser", ctx["root"]), ("agent", ctx["agent"])):
        client = Client()
        client.force_login(user)
        clients[name] = client
    pages = scenarios(ctx)

    conditions = [("0002", False), ("0003", False)]
    if connection.vendor == "sqlite":
        conditions += [("0002", True), ("0003", True)]
    else:
        conditions = [("0002", True), ("0003", True)]
    columns: list[str] = []
    results: dict[str, list[str]] = {name: [] for name, _ in pages}
    for migration, analysed in conditions:
        migrate_to(migration)
        stats = set_statistics(analysed)
        for who, client in clients.items():
            columns.append(f"{who}, {migration}, {stats}")
            for name, url in pages:
                ms, status = measure(client, url, args.repeat)
                results[name].append(f"{ms:.1f} ms" if status == 200 else f"HTTP {status}")
    migrate_to("0003")

    share = f"{args.hot_share:.0%}"
    print(
        f"\n### Object page, {backend}, {args.rows:,} rows, one model holding {share}, "
        f"median of {args.repeat} (target ≤ {TARGET_MS} ms)\n"
    )
    print("| Request | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name, cells in results.items():
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--hot-share", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", help="SQLite file to create (default: a temporary one)")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
