"""Benchmark of the activity browser on a large ``LogEntry`` table.

    .venv/bin/python -m benchmarks.activity [--rows 1000000] [--repeat 15] [--db PATH]
    .venv/bin/python -m tests.services postgres -- .venv/bin/python -m benchmarks.activity

Builds a separate database (a SQLite file in a temporary directory, or a fresh
``auditconsole_bench`` database on the PostgreSQL server that ``DATABASE_URL`` names),
applies the migrations, generates ``--rows`` entries fast (``executemany`` in large batches
on SQLite, one ``INSERT ... SELECT generate_series`` on PostgreSQL), then times each page
in-process with Django's test client: the median of ``--repeat`` requests after warm-up,
as a superuser and as a support agent scoped to some models. Prints a Markdown table.

``--db PATH`` keeps the SQLite file and reuses it when it already has the rows.
Not part of the test suite: timings belong in notes and docs, not in assertions.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DAYS = 365
USERS = 50
EXTRA_MODELS = 30
BATCH = 50_000
BENCH_DB = "auditconsole_bench"

#: Issue 17's targets at 1M rows (issue 12's object page): pages ≤ 50 ms, facets ≤ 200 ms.
TARGETS_MS = {"page": 50, "object": 20, "facets": 200}


def configure(args: argparse.Namespace) -> str:
    """Point Django at the benchmark database before it is set up; return a description."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        with psycopg.connect(url, autocommit=True) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]
            ).fetchone()
            # --reuse keeps a database an earlier run generated on a server kept running
            # (10M rows take a quarter of an hour to generate and index).
            if exists and not getattr(args, "reuse", False):
                admin.execute(f"DROP DATABASE {BENCH_DB}")
                exists = None
            if not exists:
                admin.execute(f"CREATE DATABASE {BENCH_DB}")
        parts = urlsplit(url)
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
        return "PostgreSQL"
    path = (
        Path(args.db)
        if args.db
        else Path(tempfile.mkdtemp(prefix="auditconsole-bench-")) / "bench.sqlite3"
    )
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return f"SQLite ({path})"


def setup_models() -> dict:
    """Users, content types and permissions; return what the generator needs."""
    from django.contrib.auth.models import Permission, User
    from django.contrib.contenttypes.models import ContentType

    from auditconsole.permissions import PERMISSIONS

    root, _ = User.objects.get_or_create(
        username="bench-root", defaults={"is_staff": True, "is_superuser": True}
    )
    agent, _ = User.objects.get_or_create(username="bench-agent", defaults={"is_staff": True})
    users = [root, agent]
    for i in range(USERS - 2):
        user, _ = User.objects.get_or_create(username=f"staff{i:03d}", defaults={"is_staff": True})
        users.append(user)
    # A big project has many models: add content types (and their view permission) for
    # models that do not exist, beside the real ones.
    for i in range(EXTRA_MODELS):
        content_type, _ = ContentType.objects.get_or_create(
            app_label="bench", model=f"model{i:02d}"
        )
        Permission.objects.get_or_create(
            content_type=content_type, codename=f"view_model{i:02d}", defaults={"name": f"view {i}"}
        )
    content_types = list(ContentType.objects.exclude(app_label="auditconsole").order_by("pk"))
    console = Permission.objects.filter(
        content_type__app_label="auditconsole", codename__in=[c for c, _ in PERMISSIONS]
    )
    agent.user_permissions.add(*console)
    # The agent may view half of the models.
    visible = [ct for ct in content_types if ct.pk % 2 == 0]
    agent.user_permissions.add(
        *Permission.objects.filter(content_type__in=visible, codename__startswith="view_")
    )
    return {"users": users, "content_types": content_types, "agent": agent, "root": root}


CHANGE_MESSAGES = (
    '[{"changed": {"fields": ["Name", "Email"]}}]',
    '[{"added": {}}]',
    "Approved access request",
    '[{"changed": {"fields": ["Status"]}}, {"auditconsole": {"message": "Closed by support", '
    '"changes": [{"field": "status", "label": "Status", "old": "open", "new": "closed"}]}}]',
    "",
)


def generate_sqlite(
    rows: int, users: list, content_types: list, hot_share: float | None = None
) -> None:
    """``hot_share``: the first content type gets that share of the rows and the others the
    rest evenly (``benchmarks/objects.py``); by default a gentle skew across all of them."""
    from django.db import connection, transaction

    rng = random.Random(42)
    user_ids = [u.pk for u in users]
    # A few heavy users, like real support teams.
    weights = [1 / (i + 1) for i in range(len(user_ids))]
    ct_ids = [ct.pk for ct in content_types]
    ct_weights = [1 / (i + 1) ** 0.5 for i in range(len(ct_ids))]
    if hot_share is not None:
        rest = (1 - hot_share) / (len(ct_ids) - 1)
        ct_weights = [hot_share] + [rest] * (len(ct_ids) - 1)
    start = time.time() - DAYS * 86400
    step = DAYS * 86400 / rows
    sql = (
        "INSERT INTO django_admin_log (action_time, user_id, content_type_id, object_id, "
        "object_repr, action_flag, change_message) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    import datetime

    done = 0
    while done < rows:
        batch = []
        for i in range(done, min(rows, done + BATCH)):
            moment = datetime.datetime.fromtimestamp(
                start + i * step + rng.random() * step, datetime.UTC
            )
            object_id = str(rng.randrange(1, 20_000))
            batch.append(
                (
                    moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
                    rng.choices(user_ids, weights)[0],
                    rng.choices(ct_ids, ct_weights)[0],
                    object_id,
                    f"Object {object_id}",
                    rng.choices((1, 2, 3), (2, 7, 1))[0],
                    rng.choice(CHANGE_MESSAGES),
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
        done += len(batch)
        print(f"  {done:,} rows", file=sys.stderr, end="\r", flush=True)
    print(file=sys.stderr)


def generate_postgres(
    rows: int, users: list, content_types: list, hot_share: float | None = None
) -> None:
    """``hot_share`` as for :func:`generate_sqlite`."""
    from django.db import connection

    user_ids = [u.pk for u in users]
    ct_ids = [ct.pk for ct in content_types]
    # Skewed picks from arrays: a few heavy users and models, like the SQLite generator.
    ct_pick = "(%(cts)s::int[])[1 + floor(power(random(), 1.5) * %(ncts)s)::int]"
    if hot_share is not None:
        ct_pick = (
            "CASE WHEN random() < %(hot_share)s THEN (%(cts)s::int[])[1] "
            "ELSE (%(cts)s::int[])[2 + floor(random() * (%(ncts)s - 1))::int] END"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO django_admin_log
                (action_time, user_id, content_type_id, object_id, object_repr, action_flag,
                 change_message)
            SELECT now() - make_interval(days => %(days)s)
                       + (g * %(step)s + random() * %(step)s) * interval '1 second',
                   (%(users)s::int[])[1 + floor(power(random(), 2) * %(nusers)s)::int],
                   {ct_pick},
                   o::text,
                   'Object ' || o,
                   CASE WHEN r < 0.2 THEN 1 WHEN r < 0.9 THEN 2 ELSE 3 END,
                   (%(messages)s::text[])[1 + floor(random() * %(nmessages)s)::int]
            FROM generate_series(0, %(rows)s - 1) AS g,
                 LATERAL (SELECT random() AS r, 1 + floor(random() * 19999)::int AS o
                          WHERE g >= 0) AS pick
            """.replace("{ct_pick}", ct_pick),
            {
                "days": DAYS,
                "step": DAYS * 86400 / rows,
                "users": user_ids,
                "nusers": len(user_ids),
                "cts": ct_ids,
                "ncts": len(ct_ids),
                "hot_share": hot_share,
                "messages": list(CHANGE_MESSAGES),
                "nmessages": len(CHANGE_MESSAGES),
                "rows": rows,
            },
        )


def ensure_rows(rows: int, ctx: dict) -> None:
    from django.contrib.admin.models import LogEntry
    from django.db import connection

    existing = LogEntry.objects.count()
    if existing >= rows:
        print(f"Reusing {existing:,} existing rows.", file=sys.stderr)
        return
    LogEntry.objects.all().delete()
    began = time.perf_counter()
    # PostgreSQL: what autovacuum does after a bulk insert (the benchmark's server runs
    # without it). VACUUM sets the visibility map, without which no index-only scan (the
    # facets' GROUP BY) can skip reading the table. It cannot run in a transaction (a
    # test's): there, statistics only. The throwaway server commits asynchronously, and
    # VACUUM cannot mark a page all-visible before the commit that wrote its rows is on
    # disk (it marked none of them): this session's commits wait for it.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    if vacuum:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = on")
    if connection.vendor == "postgresql":
        generate_postgres(rows, ctx["users"], ctx["content_types"])
    else:
        generate_sqlite(rows, ctx["users"], ctx["content_types"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE django_admin_log" if vacuum else "ANALYZE")
        if vacuum:
            cursor.execute(
                "SELECT relallvisible, relpages FROM pg_class WHERE relname = 'django_admin_log'"
            )
            visible, pages = cursor.fetchone()
            print(f"Visibility map: {visible:,} of {pages:,} pages all-visible.", file=sys.stderr)
    print(f"Generated {rows:,} rows in {time.perf_counter() - began:.1f} s.", file=sys.stderr)


def measure(
    client: object, url: str, repeat: int, headers: dict | None = None
) -> tuple[float, int]:
    """Median milliseconds of ``repeat`` GETs after three warm-ups, and the status code."""
    headers = headers or {}
    for _ in range(3):
        response = client.get(url, **headers)
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url, **headers)
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings), response.status_code


def scenarios(ctx: dict) -> list[tuple[str, str, str, dict]]:
    """(name, target kind, url, headers) for every page the issue sets a target for."""
    from django.contrib.admin.models import LogEntry
    from django.db.models import Count
    from django.urls import reverse

    from auditconsole.activity.fields import content_type_key
    from auditconsole.activity.pagination import Cursor

    activity = reverse("auditconsole:activity")
    facets = reverse("auditconsole:activity_facets")
    heavy_user = ctx["users"][0].pk
    some_user = ctx["users"][10].pk
    # Content types both users may see (the agent's scope is the even ids), the most and
    # the least written.
    visible = [c for c in ctx["content_types"] if c.pk % 2 == 0]
    counts = dict(
        LogEntry.objects.filter(content_type__in=visible)
        .values_list("content_type_id")
        .annotate(n=Count("pk"))
        .values_list("content_type_id", "n")
    )
    ct = max(visible, key=lambda c: counts.get(c.pk, 0))
    rare_ct = min(visible, key=lambda c: counts.get(c.pk, 0))
    newest = LogEntry.objects.order_by("-action_time", "-id").first()
    # A deep page: the cursor of a row half-way through the table.
    middle = LogEntry.objects.order_by("-action_time", "-id")[LogEntry.objects.count() // 2 :][
        :1
    ].get()
    obj = LogEntry.objects.filter(content_type_id=ct.pk).order_by("-id").first()
    htmx = {"HTTP_HX_REQUEST": "true"}
    return [
        ("first page", "page", activity, {}),
        ("first page (htmx fragment)", "page", activity, htmx),
        ("filter: user (heaviest)", "page", f"{activity}?user={heavy_user}", {}),
        ("filter: user (light)", "page", f"{activity}?user={some_user}", {}),
        ("filter: action=deletion", "page", f"{activity}?action=deletion", {}),
        (
            "filter: content_type (common)",
            "page",
            f"{activity}?content_type={content_type_key(ct)}",
            {},
        ),
        (
            "filter: content_type (rare)",
            "page",
            f"{activity}?content_type={content_type_key(rare_ct)}",
            {},
        ),
        ("filter: period=7d", "page", f"{activity}?period=7d", {}),
        (
            "filter: since/until (one month, a year ago)",
            "page",
            f"{activity}?since={(newest.action_time.date().replace(day=1)).replace(year=newest.action_time.year - 1).isoformat()}"
            f"&until={(newest.action_time.date().replace(day=28)).replace(year=newest.action_time.year - 1).isoformat()}",
            {},
        ),
        ("filter: object_id (no model)", "page", f"{activity}?object_id={obj.object_id}", {}),
        ("filter: q (free text)", "page", f"{activity}?q=Object+1234", {}),
        ("sort: by user (offset paging)", "page", f"{activity}?sort=user", {}),
        (
            "deep page (keyset, middle of table)",
            "page",
            f"{activity}?after={Cursor.of(middle).encode()}",
            {},
        ),
        (
            "object page",
            "object",
            reverse("auditconsole:object", args=[obj.content_type_id, obj.object_id]),
            {},
        ),
        ("user page", "page", reverse("auditconsole:user", args=[some_user]), {}),
        ("chart fragment", "facets", reverse("auditconsole:activity_chart"), htmx),
        ("facets fragment", "facets", facets, htmx),
        ("facets fragment, action=deletion", "facets", f"{facets}?action=deletion", htmx),
        (
            "user facets fragment",
            "facets",
            reverse("auditconsole:user_facets", args=[some_user]),
            htmx,
        ),
    ]


def run(args: argparse.Namespace) -> None:
    backend = configure(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    ctx = setup_models()
    ensure_rows(args.rows, ctx)

    clients: dict[str, Callable[[], object]] = {}
    for name, user in (("superuser", ctx["root"]), ("agent (scoped)", ctx["agent"])):
        client = Client()
        client.force_login(user)
        clients[name] = client

    print(f"\n### {backend}, {args.rows:,} LogEntry rows, median of {args.repeat}\n")
    print("| Request | Target | " + " | ".join(clients) + " |")
    print("|---|---:|" + "---:|" * len(clients))
    for name, kind, url, headers in scenarios(ctx):
        cells = []
        for client in clients.values():
            ms, status = measure(client, url, args.repeat, headers)
            flag = "" if ms <= TARGETS_MS[kind] else " ⚠"
            cells.append(f"{ms:.1f} ms{flag}" if status == 200 else f"HTTP {status}")
        print(f"| {name} | ≤ {TARGETS_MS[kind]} ms | " + " | ".join(cells) + " |", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", help="SQLite file to create or reuse (default: a temporary one)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL: keep the benchmark database of an earlier run on the same server",
    )
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
