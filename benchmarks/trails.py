"""The pages merged across trails, with LogEntry and simple-history both large.

    .venv/bin/python -m benchmarks.trails [--rows 1000000] [--repeat 15]
    .venv/bin/python -m tests.services postgres -- .venv/bin/python -m benchmarks.trails

Builds its own database (as ``benchmarks/activity.py`` does) with ``--rows`` LogEntry rows
and ``--rows`` simple-history records of the test project's ``Supplier`` (its
``HistoricalSupplier`` table, with the package's own indexes), the trails being
LogEntry and simple-history, then times in-process, as a superuser and as a support agent
scoped to half of the models: the merged object page of a supplier both trails recorded,
the merged activity page 1 (``activity/trails/``, its trail facet included), a user's
merged page, and the trail facet on its own. Prints a Markdown table. ``--db PATH`` keeps
the SQLite file and reuses it when it already has the rows.
Not part of the test suite: timings belong in notes and docs, not in assertions.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import time

from benchmarks.activity import (
    BATCH,
    DAYS,
    configure,
    generate_postgres,
    generate_sqlite,
    measure,
    setup_models,
)

TARGETS_MS = {"object": 30, "page": 100, "facet": 500}
OBJECTS = 20_000


def generate_history_sqlite(rows: int, users: list) -> None:
    from django.db import connection, transaction

    rng = random.Random(7)
    user_ids = [u.pk for u in users]
    start = time.time() - DAYS * 86400
    step = DAYS * 86400 / rows
    sql = (
        "INSERT INTO trailapp_historicalsupplier (id, name, email, api_token, history_date, "
        "history_change_reason, history_type, history_user_id) "
        "VALUES (%s, %s, %s, '', %s, NULL, %s, %s)"
    )
    done = 0
    while done < rows:
        batch = []
        for i in range(done, min(rows, done + BATCH)):
            moment = datetime.datetime.fromtimestamp(
                start + i * step + rng.random() * step, datetime.UTC
            )
            pk = rng.randrange(1, OBJECTS)
            batch.append(
                (
                    pk,
                    f"Supplier {pk} v{i}",
                    f"s{pk}@example.com",
                    moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
                    rng.choices(("+", "~", "-"), (1, 8, 1))[0],
                    rng.choice(user_ids),
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
        done += len(batch)


def generate_history_postgres(rows: int, users: list) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO trailapp_historicalsupplier
                (id, name, email, api_token, history_date, history_change_reason,
                 history_type, history_user_id)
            SELECT o, 'Supplier ' || o || ' v' || g, 's' || o || '@example.com', '',
                   now() - make_interval(days => %(days)s)
                       + (g * %(step)s + random() * %(step)s) * interval '1 second',
                   NULL,
                   CASE WHEN r < 0.1 THEN '+' WHEN r < 0.9 THEN '~' ELSE '-' END,
                   (%(users)s::int[])[1 + floor(random() * %(nusers)s)::int]
            FROM generate_series(0, %(rows)s - 1) AS g,
                 LATERAL (SELECT random() AS r, 1 + floor(random() * %(objects)s)::int AS o
                          WHERE g >= 0) AS pick
            """,
            {
                "days": DAYS,
                "step": DAYS * 86400 / rows,
                "users": [u.pk for u in users],
                "nusers": len(users),
                "rows": rows,
                "objects": OBJECTS - 1,
            },
        )


def generate(rows: int, ctx: dict) -> None:
    from django.contrib.admin.models import LogEntry
    from django.db import connection

    from tests.trailapp.models import Supplier

    history = Supplier.history.model  # type: ignore[attr-defined]
    if LogEntry.objects.count() >= rows and history.objects.count() >= rows:
        print(f"Reusing the existing 2 × {rows:,} rows.", file=sys.stderr)
        return
    LogEntry.objects.all().delete()
    history.objects.all().delete()
    began = time.perf_counter()
    if connection.vendor == "postgresql":
        generate_postgres(rows, ctx["users"], ctx["content_types"])
        generate_history_postgres(rows, ctx["users"])
    else:
        generate_sqlite(rows, ctx["users"], ctx["content_types"])
        generate_history_sqlite(rows, ctx["users"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Generated 2 × {rows:,} rows in {time.perf_counter() - began:.1f} s.", file=sys.stderr)


def facet_ms(user: object, repeat: int) -> float:
    """The trail facet alone, as the page computes it."""
    from django.http import QueryDict

    from auditconsole.activity.scoping import scope_for
    from auditconsole.trails.base import TrailQuery
    from auditconsole.trails.registry import trails_for_user
    from auditconsole.trails.search import trail_facet

    trails = trails_for_user(user)
    scope = scope_for(user)
    timings = []
    for _ in range(repeat + 3):
        began = time.perf_counter()
        trail_facet(trails, TrailQuery(), scope, selected=trails, path="/", params=QueryDict())
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings[3:])


def run(args: argparse.Namespace) -> None:
    backend = configure(args)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    settings.AUDITCONSOLE_TRAILS = {
        "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"},
        "history": {"BACKEND": "auditconsole.trails.simple_history.SimpleHistoryTrail"},
    }
    call_command("migrate", verbosity=0)
    ctx = setup_models()
    supplier = ContentType.objects.get(app_label="trailapp", model="supplier")
    # Both viewers see suppliers.
    ctx["agent"].user_permissions.add(
        Permission.objects.get(content_type=supplier, codename="view_supplier")
    )
    generate(args.rows, ctx)
    entry = LogEntry.objects.filter(content_type=supplier).order_by("-action_time").first()
    object_id = entry.object_id if entry is not None else "1"
    pages = [
        (
            "merged object page",
            "object",
            reverse("auditconsole:object", args=[supplier.pk, object_id]),
        ),
        ("merged activity page 1", "page", reverse("auditconsole:activity_trails")),
        (
            "merged user page 1",
            "page",
            reverse("auditconsole:user_trails", args=[ctx["users"][10].pk]),
        ),
    ]
    columns = []
    results: dict[str, list[str]] = {name: [] for name, _, _ in pages}
    results["trail facet (both trails counted)"] = []
    for who, user in (("superuser", ctx["root"]), ("agent", ctx["agent"])):
        client = Client()
        client.force_login(user)
        columns.append(who)
        for name, _, url in pages:
            ms, status = measure(client, url, args.repeat)
            results[name].append(f"{ms:.1f} ms" if status == 200 else f"HTTP {status}")
        results["trail facet (both trails counted)"].append(f"{facet_ms(user, args.repeat):.1f} ms")
    targets = {
        "merged object page": TARGETS_MS["object"],
        "merged activity page 1": TARGETS_MS["page"],
        "merged user page 1": TARGETS_MS["page"],
        "trail facet (both trails counted)": TARGETS_MS["facet"],
    }
    print(
        f"\n### Trails, {backend}, {args.rows:,} LogEntry rows + {args.rows:,} simple-history "
        f"records, median of {args.repeat}\n"
    )
    print("| Request | target | " + " | ".join(columns) + " |")
    print("|---|---:|" + "---:|" * len(columns))
    for name, cells in results.items():
        print(f"| {name} | ≤ {targets[name]} ms | " + " | ".join(cells) + " |", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", help="SQLite file to create (default: a temporary one)")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
