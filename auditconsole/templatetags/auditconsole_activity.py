"""Template helpers of the activity pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Engine, Template
from django.utils.safestring import SafeString, mark_safe

from auditconsole.activity.estimates import Sample
from auditconsole.activity.facets import FacetGroup
from auditconsole.activity.rows import EntryRow
from auditconsole.activity.tables import ActivityTable, Cell
from auditconsole.links import url_with

register = template.Library()


@register.simple_tag(takes_context=True)
def filter_url(context: template.Context, **changes: Any) -> str:
    """The current list (``page_path``: the activity list or a user page) with filters changed.

    ``{% filter_url period="7d" since=None %}`` keeps every other filter, removes the
    ones given as ``None`` and drops the paging, which belongs to the old result.
    """
    request = context["request"]
    path = context.get("page_path") or request.path
    return url_with(
        path, request.GET, {k: (None if v is None else str(v)) for k, v in changes.items()}
    )


@register.filter
def facet_estimate(groups: list[FacetGroup]) -> Sample | None:
    """The sample any of the facet ``groups`` was estimated from (None: all exact)."""
    return next((group.sample for group in groups if group.sample is not None), None)


#: One cell of the activity table: ``<td>`` and the column's cell template inside.
CELL_TEMPLATE = "auditconsole/activity/partials/cell.html"


@register.simple_tag(takes_context=True)
def activity_cells(context: template.Context, table: ActivityTable, row: EntryRow) -> SafeString:
    """The ``<td>`` cells of one row of the activity table, each rendered by
    ``partials/cell.html`` (which includes the column's cell template), in the current
    context with ``row`` and ``cell`` set.

    A cell with a memo key (:class:`~auditconsole.activity.tables.Cell`) is rendered once
    per distinct key in the table, and its markup reused for the next rows with that key.
    The loop over the cells runs here rather than as a ``{% for %}`` in the table
    template: at 50 rows of six cells the template loop cost as much as the cells.
    """
    cell_template = _template(context, CELL_TEMPLATE)
    parts: list[str] = []
    with context.push(row=row):
        for cell in table.cells:
            if cell.memo_key is None:
                parts.append(_render(context, cell_template, cell))
                continue
            key = cell.memo_key(row)
            markup = cell.rendered.get(key)
            if markup is None:
                markup = cell.rendered[key] = _render(context, cell_template, cell)
            parts.append(markup)
    # Each part is a template's output, escaped by it.
    return mark_safe("".join(parts))  # noqa: S308


def _template(context: template.Context, name: str) -> Template:
    engine = context.template.engine if context.template is not None else Engine.get_default()
    return engine.get_template(name)


def _render(context: template.Context, cell_template: Template, cell: Cell) -> SafeString:
    with context.push(cell=cell):
        markup: SafeString = cell_template.render(context)
    return markup
