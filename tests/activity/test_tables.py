from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory

from auditconsole.activity.rows import RowPresenter
from auditconsole.activity.tables import ActivityTable, PresortedData, activity_table
from project.demo.models import Customer
from tests.activity.entries import log


def rows(superuser, names: list[str]):
    entries = [log(superuser, Customer, n, name=name) for n, name in enumerate(names)]
    presenter = RowPresenter("/audit/activity/", QueryDict())
    return presenter.rows(
        LogEntry.objects.select_related("user", "content_type")
        .filter(pk__in=[e.pk for e in entries])
        .order_by("-id")
    )


def test_rows_keep_the_database_order(superuser) -> None:
    presented = rows(superuser, ["b", "a", "c"])
    table = activity_table(presented, "object")
    # Sorting by "object" would give a, b, c; the page is already in the order the
    # database returned (and is only a slice of the full order), so it is kept.
    assert [row.object_label for row in table.data] == ["c", "a", "b"]
    assert str(table.order_by) == "object"
    assert table.columns["object"].is_ordered


def test_presorted_data_ignores_ordering(db) -> None:
    data = PresortedData([3, 1, 2])
    assert data.order_by(["x"]) is None
    assert list(data) == [3, 1, 2]


def test_cells_and_exclusion(superuser) -> None:
    table = activity_table(rows(superuser, ["x"]), "-time")
    assert [c.template.rsplit("/", 1)[1] for c in table.cells] == [
        "time.html",
        "user.html",
        "action.html",
        "content_type.html",
        "object.html",
        "change.html",
    ]
    assert table.cells[0].td_attrs == 'class="nowrap"'
    mine = activity_table([], "-time", exclude=("user",))
    assert "user.html" not in [c.template.rsplit("/", 1)[1] for c in mine.cells]


def test_renders_headers_with_sort_links_and_escaped_cells(superuser, rf: RequestFactory) -> None:
    request = rf.get("/audit/activity/?action=2&after=2026-01-01T00:00:00Z~5&page=3")
    table = activity_table(rows(superuser, ["<script>alert(1)</script>"]), "-time")
    html = render_to_string(
        "auditconsole/activity/partials/table.html", {"table": table}, request=request
    )
    assert '<a href="?action=2&amp;sort=time" hx-get="?action=2&amp;sort=time">Time</a>' in html
    assert 'aria-sort="descending"' in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_empty_table_says_so(rf: RequestFactory, db) -> None:
    request = rf.get("/")
    html = render_to_string(
        "auditconsole/activity/partials/table.html",
        {"table": ActivityTable(PresortedData([]))},
        request=request,
    )
    assert "No activity matches these filters." in html


def test_cells_that_repeat_are_rendered_once_with_the_same_markup(
    superuser, rf: RequestFactory
) -> None:
    """User, action, model and change cells are rendered once per distinct value in a
    table; the markup is what rendering every row gives (a table without memo keys)."""
    from django.test.signals import template_rendered

    presented = rows(superuser, ["<b>one</b>", "two", "three"])
    request = rf.get("/audit/activity/")
    rendered: list[str] = []

    def count(sender: object, template: object, **kwargs: object) -> None:
        rendered.append(template.name)  # type: ignore[attr-defined]

    template_rendered.connect(count)
    try:
        html = render_to_string(
            "auditconsole/activity/partials/table.html",
            {"table": activity_table(presented, "-time")},
            request=request,
        )
    finally:
        template_rendered.disconnect(count)
    cells = "auditconsole/activity/cells/"
    assert rendered.count(f"{cells}user.html") == 1
    assert rendered.count(f"{cells}action.html") == 1
    assert rendered.count(f"{cells}object.html") == 3
    assert rendered.count(f"{cells}time.html") == 3

    plain = activity_table(presented, "-time")
    for cell in plain.cells:
        object.__setattr__(cell, "memo_key", None)
    assert html == render_to_string(
        "auditconsole/activity/partials/table.html", {"table": plain}, request=request
    )
    assert html.count(f'href="/audit/user/{superuser.pk}/"') == 3
    assert "&lt;b&gt;one&lt;/b&gt;" in html and "<b>one" not in html
