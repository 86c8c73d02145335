"""Free-text search (``q``) on a large ``LogEntry`` table, before and after migration 0005.

    .venv/bin/python -m benchmarks.search [--rows 1000000] [--repeat 7] [--db PATH]
    .venv/bin/python -m tests.services postgres -- .venv/bin/python -m benchmarks.search

Builds its own database (as ``benchmarks/activity.py`` does) with ``--rows`` entries whose
names and change messages read like a support desk's (customers, tickets, invoices, and
before/after values), with needles planted at known frequencies. Then, on the indexes of
migration 0003 ("before": ``icontains`` reads the table) and on those of migration 0005
("after": trigram indexes on PostgreSQL, an FTS5 trigram table on SQLite), it times the
activity page for each needle in-process with Django's test client, as a superuser and as
a support agent scoped to half of the models: the median of ``--repeat`` requests after a
warm-up. It also times building the index (the migration). Prints a Markdown table.

Not part of the test suite: timings belong in notes and docs, not in assertions.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import sys
import time
from collections.abc import Iterator
from itertools import islice
from urllib.parse import urlencode

from benchmarks.activity import BATCH, DAYS, configure, setup_models

TARGET_MS = 100
BEFORE, AFTER = "0003_logentry_object_indexes", "0005_logentry_search"

VOCABULARY = (
    "acme globex initech umbrella hooli stark wayne wonka soylent cyberdyne tyrell oscorp "
    "massive dynamic vandelay aperture black mesa monarch gringotts nakatomi virtucon "
    "printer fire refund login password reset invoice overdue shipping delayed broken "
    "screen billing address upgrade downgrade cancel renewal contract trial export "
    "report dashboard access denied timeout error slow sync calendar mobile android ios "
    "laptop keyboard license seat onboarding training webinar migration backup restore"
)
FIRST_NAMES = "anna ben carla david emma felix greta hugo ines jonas karl lena mia noah olga"
SURNAMES = "smith meyer garcia rossi dubois novak kowalski jensen silva murphy tanaka"
WORDS, FIRST, LAST = (tuple(text.split()) for text in (VOCABULARY, FIRST_NAMES, SURNAMES))
FIELDS = ("status", "priority", "email", "phone", "plan", "name", "subject", "amount")
STATUSES = ("open", "pending", "closed")

#: (label, needle, how many rows of a million carry it), in names or change messages.
PLANTED = (
    ("rare", "Zanzibar-Quokka", 5),
    ("uncommon", "Fjordland", 2_000),
    ("medium", "Moravia", 20_000),
)
#: Needles frequent in the generated text, and short ones (no trigram).
NATURAL = (
    ("a surname", "smith"),
    ("a field name", "Status"),
    ("most entries", "changed"),
    ("short, common", "ed"),
    ("short, rare", "qx"),
)


def entry_text(rng: random.Random, i: int) -> tuple[str, str]:
    """An object name and a change message, as the admin and auditconsole.audit write them."""
    kind = rng.random()
    if kind < 0.4:
        name = f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()} ({rng.choice(WORDS).title()} Ltd)"
    elif kind < 0.75:
        name = f"#{rng.randrange(1, 200_000)} {' '.join(rng.sample(WORDS, 3)).capitalize()}"
    else:
        name = f"INV-{rng.randrange(2020, 2027)}-{rng.randrange(1, 999_999):06d}"
    shape = rng.random()
    if shape < 0.3:
        field = rng.choice(FIELDS)
        old, new = (
            rng.sample(STATUSES, 2) if field == "status" else (rng.choice(WORDS), rng.choice(WORDS))
        )
        message = json.dumps(
            [
                {"changed": {"fields": [field.title()]}},
                {
                    "auditconsole": {
                        "changes": [
                            {"field": field, "label": field.title(), "old": old, "new": new}
                        ]
                    }
                },
            ]
        )
    elif shape < 0.6:
        message = json.dumps([{"changed": {"fields": rng.sample([f.title() for f in FIELDS], 2)}}])
    elif shape < 0.8:
        message = json.dumps([{"added": {}}])
    elif shape < 0.9:
        message = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} by support"
    else:
        message = ""
    return name, message


def rows_of(count: int, users: list, content_types: list) -> Iterator[tuple]:
    """The rows, generated as they are written (a million of them would take 0.5 GB)."""
    rng = random.Random(17)
    user_ids = [u.pk for u in users]
    weights = [1 / (i + 1) for i in range(len(user_ids))]
    ct_ids = [ct.pk for ct in content_types]
    ct_weights = [1 / (i + 1) ** 0.5 for i in range(len(ct_ids))]
    planted: dict[int, str] = {}
    for _label, needle, per_million in PLANTED:
        times = min(count, max(5, per_million * count // 1_000_000))
        for index in rng.sample(range(count), times):
            planted[index] = needle
    start = time.time() - DAYS * 86400
    step = DAYS * 86400 / count
    for i in range(count):
        name, message = entry_text(rng, i)
        if i in planted:
            if rng.random() < 0.5:
                name = f"{name} {planted[i]}"[:200]
            else:
                message = f"{message} {planted[i].lower()}"
        moment = datetime.datetime.fromtimestamp(
            start + i * step + rng.random() * step, datetime.UTC
        )
        yield (
            moment,
            rng.choices(user_ids, weights)[0],
            rng.choices(ct_ids, ct_weights)[0],
            str(rng.randrange(1, 20_000)),
            name,
            rng.choices((1, 2, 3), (2, 7, 1))[0],
            message,
        )


def generate(count: int, users: list, content_types: list) -> None:
    from django.db import connection, transaction

    rows = rows_of(count, users, content_types)
    columns = (
        "action_time, user_id, content_type_id, object_id, object_repr, action_flag, change_message"
    )
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(
                f"COPY django_admin_log ({columns}) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO django_admin_log ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    while batch := [
        (row[0].strftime("%Y-%m-%d %H:%M:%S.%f"), *row[1:]) for row in islice(rows, BATCH)
    ]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)


def ensure_rows(count: int, ctx: dict) -> None:
    from django.contrib.admin.models import LogEntry
    from django.db import connection

    existing = LogEntry.objects.count()
    if existing >= count:
        print(f"Reusing {existing:,} existing rows.", file=sys.stderr)
        return
    LogEntry.objects.all().delete()
    began = time.perf_counter()
    generate(count, ctx["users"], ctx["content_types"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Generated {count:,} rows in {time.perf_counter() - began:.1f} s.", file=sys.stderr)


def migrate_to(name: str) -> float:
    """Seconds the migration took (building or dropping the index)."""
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", "auditconsole", name, verbosity=0)
    return time.perf_counter() - began


def needles() -> list[tuple[str, str, int]]:
    """(label, needle, matching rows), the matches counted with plain ``icontains``."""
    from django.contrib.admin.models import LogEntry
    from django.db.models import Q

    found = []
    for label, needle in [(label, needle) for label, needle, _ in PLANTED] + list(NATURAL):
        matches = LogEntry.objects.filter(
            Q(object_repr__icontains=needle) | Q(change_message__icontains=needle)
        ).count()
        found.append((label, needle, matches))
    return found


def measure(client: object, url: str, repeat: int) -> float:
    """Median milliseconds of ``repeat`` GETs after one warm-up."""
    client.get(url)
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings)


def timings(clients: dict, cases: list, repeat: int) -> dict[tuple[str, str], float]:
    from django.urls import reverse

    activity = reverse("auditconsole:activity")
    result = {}
    for _label, needle, _matches in cases:
        for name, client in clients.items():
            url = f"{activity}?{urlencode({'q': needle})}"
            result[needle, name] = measure(client, url, repeat)
            print(f"  {needle!r} {name}: {result[needle, name]:.1f} ms", file=sys.stderr)
    return result


def run(args: argparse.Namespace) -> None:
    backend = configure(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    migrate_to(BEFORE)
    ctx = setup_models()
    ensure_rows(args.rows, ctx)
    clients = {}
    for name, user in (("superuser", ctx["root"]), ("agent", ctx["agent"])):
        client = Client()
        client.force_login(user)
        clients[name] = client
    cases = needles()
    print("Before (migration 0003):", file=sys.stderr)
    before = timings(clients, cases, args.repeat)
    build = migrate_to(AFTER)
    print(f"Migration 0005 took {build:.1f} s.", file=sys.stderr)
    after = timings(clients, cases, args.repeat)
    from auditconsole.activity.textsearch import TextSearch

    methods = {needle: TextSearch(needle, using="default").method for _, needle, _ in cases}

    print(f"\n### Free-text search, {backend}, {args.rows:,} rows, median of {args.repeat}\n")
    print(f"Building the index (migration 0005): {build:.1f} s.\n")
    print(
        "| needle | matching rows | searched by | superuser before | superuser after "
        "| agent before | agent after |"
    )
    print("|---|---:|---|---:|---:|---:|---:|")
    for label, needle, matches in cases:
        cells = [f"{label}: `{needle}`", f"{matches:,}", methods[needle]]
        for name in clients:
            for figures in (before, after):
                ms = figures[needle, name]
                cells.append(f"{ms:.1f} ms" + (" ⚠" if ms > TARGET_MS else ""))
        print("| " + " | ".join(cells) + " |", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--db", help="SQLite file to create or reuse (default: a temporary one)")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
