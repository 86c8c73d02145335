"""Activity list against the Django admin changelist, on the same rows, as the same user.

Run by :mod:`benchmarks.pairs.database` once the dataset is in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from benchmarks.measure import BenchmarkError, alternate, median
from benchmarks.report import Figure

AREA = "activity"
ANCHOR = "Django admin changelist"
ANCHOR_WHOLE = "admin changelist, via gunicorn"
SEARCH_TEXT = "Object 1234"
#: One object's name alone (ids go up to 19,999): 0.005% of the rows, whatever the size.
RARE_SEARCH_TEXT = "Object 12345"
#: The Django test client's spelling of the header htmx sends.
HTMX = {"HTTP_HX_REQUEST": "true"}

WHY_SEARCH = (
    "Free text is a case-insensitive substring match (`icontains`) on the object's name "
    "and the change message. Ours goes through a trigram index (FTS5 on SQLite, pg_trgm on "
    "PostgreSQL, migration 0005); this needle's trigrams are mostly common ones (`Obj`, "
    "`bje`, `ect`, in every row), whose long lists the index walks before it finds its "
    "few hundred rows."
)
WHY_FACETS = (
    "The admin computes its facet counts in the same request; ours are a separate request "
    "(loaded by htmx after the table, so the table itself is never held up by them), and "
    "they count every matching row in one grouped aggregate."
)


@dataclass(frozen=True)
class Ours:
    measure: str
    #: The requests a browser makes for it, in order (URL, test-client headers).
    requests: tuple[tuple[str, dict[str, str]], ...]
    note: str = ""
    why: str = ""
    #: Our own target, from ``benchmarks/activity.py`` (the activity issue's).
    target: float | None = None
    #: Why we may miss it.
    over_why: str = ""


@dataclass(frozen=True)
class Scenario:
    """One admin URL, and our way (or ways) of showing the same rows.

    Two of ours against one admin URL share the admin's samples: on a million rows an
    admin page takes seconds, and timing it twice would double the run for nothing.
    """

    anchor: str
    ours: tuple[Ours, ...]
    #: Also measured as a whole request through gunicorn (our first way only).
    whole_request: bool = False


def deep_page(total: int, per_page: int) -> tuple[int, int]:
    """The admin's page number (from 1) half-way through ``total`` rows, and its offset."""
    page = max(1, total // per_page // 2)
    return page, (page - 1) * per_page


def scenarios() -> list[Scenario]:
    from django.contrib.admin.models import LogEntry
    from django.db.models import Count
    from django.urls import reverse

    from auditconsole.activity.pagination import AFTER, Cursor
    from auditconsole.conf import conf
    from benchmarks.activity import TARGETS_MS
    from benchmarks.admin_anchor import SITE_NAME

    page_target = TARGETS_MS["page"]

    activity = reverse("auditconsole:activity")
    facets = reverse("auditconsole:activity_facets")
    changelist = reverse(f"{SITE_NAME}:admin_logentry_changelist")
    per_page = conf.PAGE_SIZE
    total = LogEntry.objects.count()
    page, offset = deep_page(total, per_page)
    deep = activity
    if offset:
        # Our keyset page that starts at the admin's page's first row: the cursor of the
        # row just before it, in the order both use (-action_time, -id).
        before = LogEntry.objects.order_by("-action_time", "-id")[offset - 1]
        deep = f"{activity}?{urlencode({AFTER: Cursor.of(before).encode()})}"
    search = urlencode({"q": SEARCH_TEXT})
    rare_search = urlencode({"q": RARE_SEARCH_TEXT})
    # The object with the most entries of the most written model: its page, against the
    # admin's list of the same entries (``content_type``/``object_id`` are lookups the
    # admin allows on any field).
    busiest = (
        LogEntry.objects.values("content_type_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "content_type_id")
        .values_list("content_type_id", flat=True)
        .first()
    )
    obj = (
        LogEntry.objects.filter(content_type_id=busiest)
        .order_by("-action_time", "-id")
        .values_list("content_type_id", "object_id")
        .first()
    )
    objects = []
    if obj is not None:
        type_id, object_id = obj
        objects.append(
            Scenario(
                f"{changelist}?{urlencode({'content_type__id__exact': type_id, 'object_id': object_id})}",
                (
                    Ours(
                        "object page",
                        ((reverse("auditconsole:object", args=[type_id, object_id]), {}),),
                        note="admin: its changelist of the same entries "
                        "(`content_type__id__exact`, `object_id`)",
                        target=TARGETS_MS["object"],
                    ),
                ),
            )
        )
    return [
        Scenario(
            changelist,
            (
                Ours("page 1", ((activity, {}),), target=page_target),
                Ours(
                    "page 1 with facet counts",
                    ((activity, {}), (facets, HTMX)),
                    note="ours: the page, then its facet fragment (htmx), one after the other",
                    why=WHY_FACETS,
                    target=page_target + TARGETS_MS["facets"],
                ),
                Ours(
                    "facet fragment",
                    ((facets, HTMX),),
                    note="ours: the facet fragment alone (htmx); the admin's whole page",
                    why=WHY_FACETS,
                    target=TARGETS_MS["facets"],
                ),
            ),
            whole_request=True,
        ),
        Scenario(
            f"{changelist}?action_flag__exact=2",
            (
                Ours(
                    "filtered page: action = change",
                    ((f"{activity}?action=2", {}),),
                    target=page_target,
                ),
                Ours(
                    "facet fragment: action = change",
                    ((f"{facets}?action=2", HTMX),),
                    note="ours: the facet fragment alone (htmx); the admin's whole page",
                    why=WHY_FACETS,
                    target=TARGETS_MS["facets"],
                ),
            ),
        ),
        Scenario(
            f"{changelist}?p={page}",
            (
                Ours(
                    "deep page (middle of the table)",
                    ((deep, {}),),
                    note=f"admin `?p={page}` (OFFSET {offset:,}); ours the keyset page at the "
                    "same row",
                    target=page_target,
                ),
            ),
        ),
        Scenario(
            f"{changelist}?{search}",
            (
                Ours(
                    f"free-text search “{SEARCH_TEXT}”",
                    ((f"{activity}?{search}", {}),),
                    why=WHY_SEARCH,
                    target=page_target,
                    over_why=WHY_SEARCH,
                ),
            ),
        ),
        Scenario(
            f"{changelist}?{rare_search}",
            (
                Ours(
                    f"free-text search, rare needle “{RARE_SEARCH_TEXT}”",
                    ((f"{activity}?{rare_search}", {}),),
                    note="one object's name: 0.005% of the rows",
                    target=page_target,
                ),
            ),
        ),
        *objects,
    ]


def in_process(client: object, requests: tuple[tuple[str, dict[str, str]], ...]) -> Callable:
    """A subject that makes ``requests`` through the test client, each of which must be a 200."""

    def call() -> None:
        for url, headers in requests:
            response = client.get(url, **headers)  # type: ignore[attr-defined]
            if response.status_code != 200:
                raise BenchmarkError(f"GET {url}: HTTP {response.status_code}")

    return call


def run(ctx: dict, repeat: int, database: str) -> list[Figure]:
    """Every scenario in-process, then the whole-request ones through gunicorn."""
    from django.test import Client

    client = Client()
    client.force_login(ctx["root"])
    figures = []
    chosen = scenarios()
    for scenario in chosen:
        subjects = [in_process(client, ours.requests) for ours in scenario.ours]
        # One warm-up round: the pages' code paths are warm after the first scenario, and
        # an admin page on a million rows takes seconds.
        *samples, theirs = alternate(
            [*subjects, in_process(client, ((scenario.anchor, {}),))], repeat, warmup=1
        )
        for ours, timings in zip(scenario.ours, samples, strict=True):
            figures.append(
                Figure(
                    area=AREA,
                    measure=ours.measure,
                    anchor=ANCHOR,
                    unit="ms",
                    ours=median(timings),
                    theirs=median(theirs),
                    database=database,
                    samples=repeat,
                    note=ours.note,
                    why=ours.why,
                    target=ours.target,
                    over_why=ours.over_why,
                )
            )
            print(f"  activity: {ours.measure}: done", flush=True)
    figures += whole_requests(
        client.cookies["sessionid"].value, [s for s in chosen if s.whole_request], repeat, database
    )
    return figures


def whole_requests(
    session: str, chosen: list[Scenario], repeat: int, database: str
) -> list[Figure]:
    from benchmarks.server import fetch, gunicorn

    figures = []
    with gunicorn({"DJANGO_SETTINGS_MODULE": "benchmarks.settings"}) as base:
        for scenario in chosen:
            ours = scenario.ours[0]
            (url, _headers), *_ = ours.requests
            mine, theirs = alternate(
                [
                    lambda u=base + url: fetch(u, session),
                    lambda u=base + scenario.anchor: fetch(u, session),
                ],
                repeat,
                warmup=1,
            )
            figures.append(
                Figure(
                    area=AREA,
                    measure=f"{ours.measure}, whole request via gunicorn",
                    anchor=ANCHOR_WHOLE,
                    unit="ms",
                    ours=median(mine),
                    theirs=median(theirs),
                    database=database,
                    samples=repeat,
                    note="loopback, one sync worker",
                )
            )
    return figures
