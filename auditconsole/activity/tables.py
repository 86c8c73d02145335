"""The activity table (django-tables2).

The database sorts and pages (see :mod:`auditconsole.activity.pagination`); the table gets
one page of rows already in order and must not sort them again, so its data is wrapped in
:class:`PresortedData`. It is still told the current ``sort`` so that its headers show the
order and link to the next one. Each cell is a small template: no HTML is built in Python.

A cell whose markup follows from a few of the row's values alone (the user, the action,
the model, the change) names them as its ``memo``: within one table it is rendered once
per distinct value and reused (``{% activity_cell %}``), so 50 rows cost a handful of
renders of those templates rather than 50. At 50 rows that halves the table's rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter

import django_tables2 as tables
from django_tables2.data import TableListData

from auditconsole.activity.ordering import SORT
from auditconsole.activity.rows import EntryRow

CELLS = "auditconsole/activity/cells"


class PresortedData(TableListData):
    """Rows sorted and paged by the database; sorting them again in Python would be wrong
    (the page is only a slice) and is skipped."""

    def order_by(self, aliases: Sequence[str]) -> None:
        return None


@dataclass(frozen=True, eq=False)
class Cell:
    template: str
    td_attrs: str
    #: The row's values that alone decide the cell's markup, as one key (``None``: the
    #: cell is rendered for every row).
    memo_key: Callable[[EntryRow], Hashable] | None = None
    #: Markup rendered so far in this table, by key.
    rendered: dict[Hashable, str] = field(default_factory=dict)


class CellColumn(tables.Column):
    """A column whose cells the table template renders with ``{% include cell_template %}``.

    tables2's ``TemplateColumn`` renders every cell as a separate template against a
    flattened copy of the whole page context; at 50 rows of 6 columns that was most of the
    page's time (about 4 ms a row). An include inside the table's own template renders the
    same cell templates at a fraction of the cost, and still keeps the markup in templates.

    ``memo`` names the row attributes (dotted paths) the cell template reads, when they are
    all it reads: the cell is then rendered once per distinct value in a table.
    """

    def __init__(self, cell_template: str, *, memo: Sequence[str] = (), **kwargs: object) -> None:
        self.cell_template = f"{CELLS}/{cell_template}"
        self.memo_key: Callable[[EntryRow], Hashable] | None = attrgetter(*memo) if memo else None
        super().__init__(**kwargs)


class ActivityTable(tables.Table):
    time = CellColumn(
        "time.html", accessor="action_time", verbose_name="Time", attrs={"td": {"class": "nowrap"}}
    )
    user = CellColumn("user.html", verbose_name="User", memo=("user_name", "user_url"))
    action = CellColumn(
        "action.html",
        accessor="action_flag",
        verbose_name="Action",
        memo=("action", "action_label"),
    )
    content_type = CellColumn(
        "content_type.html",
        verbose_name="Model",
        memo=("content_type_label", "content_type_url"),
    )
    object = CellColumn("object.html", accessor="object_repr", verbose_name="Object")
    change = CellColumn(
        "change.html",
        accessor="change_message",
        verbose_name="Change",
        orderable=False,
        attrs={"td": {"class": "message-cell"}},
        # The presenter parses each distinct message once; its description is all the
        # cell shows.
        memo=("entry.change_message",),
    )

    class Meta:
        order_by_field = SORT
        template_name = "auditconsole/activity/partials/table.html"
        empty_text = "No activity matches these filters."
        attrs = {"class": "activity-table"}

    @cached_property
    def cells(self) -> list[Cell]:
        """Each visible column's cell template and ``<td>`` attributes, worked out once per
        table rather than once per cell (tables2 recomputes them on every access)."""
        return [
            Cell(
                column.column.cell_template,
                column.attrs["td"].as_html(),
                getattr(column.column, "memo_key", None),
            )
            for column in self.columns
        ]


def activity_table(
    rows: list[EntryRow],
    sort_alias: str,
    *,
    exclude: Sequence[str] = (),
    table_class: type[ActivityTable] = ActivityTable,
) -> ActivityTable:
    """``exclude`` drops columns, e.g. the user column on a user's own page; ``table_class``
    is the view's (a subclass adds or reorders columns)."""
    return table_class(PresortedData(rows), order_by=sort_alias, exclude=exclude)
