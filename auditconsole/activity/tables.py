"""The activity table (django-tables2).

The database sorts and pages (see :mod:`auditconsole.activity.pagination`); the table gets
one page of rows already in order and must not sort them again, so its data is wrapped in
:class:`PresortedData`. It is still told the current ``sort`` so that its headers show the
order and link to the next one. Each cell is a small template: no HTML is built in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

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


@dataclass(frozen=True)
class Cell:
    template: str
    td_attrs: str


class CellColumn(tables.Column):
    """A column whose cells the table template renders with ``{% include cell_template %}``.

    tables2's ``TemplateColumn`` renders every cell as a separate template against a
    flattened copy of the whole page context; at 50 rows of 6 columns that was most of the
    page's time (about 4 ms a row). An include inside the table's own template renders the
    same cell templates at a fraction of the cost, and still keeps the markup in templates.
    """

    def __init__(self, cell_template: str, **kwargs: object) -> None:
        self.cell_template = f"{CELLS}/{cell_template}"
        super().__init__(**kwargs)


class ActivityTable(tables.Table):
    time = CellColumn(
        "time.html", accessor="action_time", verbose_name="Time", attrs={"td": {"class": "nowrap"}}
    )
    user = CellColumn("user.html", verbose_name="User")
    action = CellColumn("action.html", accessor="action_flag", verbose_name="Action")
    content_type = CellColumn("content_type.html", verbose_name="Model")
    object = CellColumn("object.html", accessor="object_repr", verbose_name="Object")
    change = CellColumn(
        "change.html",
        accessor="change_message",
        verbose_name="Change",
        orderable=False,
        attrs={"td": {"class": "message-cell"}},
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
            Cell(column.column.cell_template, column.attrs["td"].as_html())
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
