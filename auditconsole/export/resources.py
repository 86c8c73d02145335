"""The columns of each export, as django-import-export ``Resource`` classes.

import-export defines columns and their rendering well (``Field``, widgets, ``dehydrate_``
methods, ``export_order``), so the console uses it for that. Its ``Resource.export()``,
though, appends every row to a ``tablib.Dataset`` before anything is written, which does
not survive an export of a million rows (see docs/export.md). The console streams instead
(:mod:`auditconsole.export.streaming`), rendering each row with the resource as it goes,
through :meth:`StreamingResource.row_renderer`. ``LogEntryResource`` itself goes one step
further: its columns are compiled into one function over the plain tuples of the query
(:meth:`LogEntryResource.row_renderer`), which writes the same bytes as the generic
renderer at about three times the speed.

Every cell that could start a spreadsheet formula is escaped
(:mod:`auditconsole.export.formulas`): in ``export_field()`` itself, so that a plain
``Resource.export()`` of these resources (the benchmark's comparison, say) is escaped the
same way, and in the row renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, QuerySet
from import_export import fields, resources, widgets

from auditconsole.activity.fields import ACTION_NAMES, content_type_key
from auditconsole.export.changes import CACHE_SIZE, ChangeRenderer
from auditconsole.export.csvtext import DELIMITER, LINE_END, NEEDS_QUOTES, csv_cell
from auditconsole.export.formulas import ESCAPE, FORMULA_PREFIXES, escape_formula
from auditconsole.export.sql import UTCTimestamp
from auditconsole.export.widgets import UTCDateTimeWidget
from auditconsole.redaction import Redactor
from auditconsole.sources.records import Record

#: Rows fetched per database round trip (and per server-side cursor fetch on PostgreSQL).
CHUNK_SIZE = 2000

Renderer = Callable[[Any], list[Any]]
_PREFIXES = frozenset(FORMULA_PREFIXES)

if TYPE_CHECKING:
    # Generic in the stubs only: subscripted at run time, it would raise TypeError.
    _Resource = resources.Resource[Any]
else:
    _Resource = resources.Resource


class StreamingResource(_Resource):
    """A resource whose cells are formula-escaped, and that can render rows one by one.

    ``formula_safe`` names the fields whose values cannot start with a formula character
    by construction (an id, a time written by the console, a fixed action name), or that
    their dehydrate method escapes itself: the row renderer does not look at them again.
    Every other cell is escaped. (Escaping twice changes nothing: ``'`` is not a prefix.)
    """

    formula_safe: frozenset[str] = frozenset()
    #: ``rows(source)``: what :class:`~auditconsole.export.streaming.CsvStream` writes,
    #: one item per row; each subclass defines it for its own kind of source.
    rows: Callable[[Any], Iterable[Any]]

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> str:
        return escape_formula(super().export_field(field, instance, **kwargs))

    def row_renderer(self) -> Renderer:
        """A function ``row -> cells`` that writes the same CSV as :meth:`export_resource`.

        ``export_resource()`` works out the export fields, and each field's name and
        dehydrate method, again for every cell; over a million rows that bookkeeping costs
        more than the rendering itself. Here each column's function is looked up once,
        exactly as ``export_field()`` looks it up. One shortcut: a plain attribute with
        import-export's default ``Widget`` is read as is, and ``csv.writer`` writes it
        as ``Widget.render`` would have (``None`` as an empty cell, anything else ``str()``).
        Unlike ``Field.get_value()``, that shortcut does not call a callable attribute:
        the rows exported here are data (named tuples, records), never methods to call.
        """
        export_fields = self.get_export_fields()
        getters = [self._getter(field) for field in export_fields]
        checked = [
            index
            for index, field in enumerate(export_fields)
            if self.get_field_name(field) not in self.formula_safe
        ]

        def render(row: Any) -> list[Any]:
            cells = [get(row) for get in getters]
            for index in checked:
                cell = cells[index]
                if cell is None or cell == "":
                    continue
                if cell.__class__ is not str:
                    cell = cells[index] = str(cell)
                if cell[0] in _PREFIXES:
                    cells[index] = ESCAPE + cell
            return cells

        return render

    def lines(self, source: Any) -> Iterator[str] | None:
        """The CSV lines of ``source``'s rows, written by the resource itself (exactly
        what ``csv.writer`` writes for :meth:`row_renderer`'s cells), or ``None``, the
        default: then ``csv.writer`` writes the rendered rows."""
        return None

    def _getter(self, field: fields.Field) -> Callable[[Any], Any]:
        method = field.get_dehydrate_method(self.get_field_name(field))
        if callable(method):
            return method
        bound: Callable[[Any], Any] | None = getattr(self, method, None)
        if bound is not None:
            return bound
        if type(field.widget) is widgets.Widget and field.attribute and "__" not in field.attribute:
            return attrgetter(field.attribute)
        return field.export


#: What :meth:`LogEntryResource.values` selects for each row, in this order.
LOGENTRY_COLUMNS = (
    "id",
    "time",
    "username",
    "action_flag",
    "content_type_id",
    "object_id",
    "object_repr",
    "change_message",
)


class LogEntryResource(StreamingResource):
    """LogEntry rows, in the order of the queryset it is given.

    It renders the rows of :meth:`values` (``QuerySet.values_list()``), not model
    instances: building a ``LogEntry``, its ``User`` and its ``ContentType`` for each row
    would cost more than everything else an export does.

    Two ways give the same cells. A subclass (which may add, drop or re-render columns)
    gets named tuples, which import-export's ``Field`` reads by attribute, rendered by the
    generic :meth:`StreamingResource.row_renderer`. This class itself gets plain tuples,
    rendered by one compiled function (:meth:`row_renderer`): per row, no named tuple, no
    call per cell, the cache lookups inline. ``tests/export/test_compiled.py`` holds the
    two to the same bytes on hostile rows.
    """

    id = fields.Field(attribute="id", column_name="id")
    time = fields.Field(column_name="time", widget=UTCDateTimeWidget())
    user = fields.Field(attribute="username", column_name="user")
    action = fields.Field(column_name="action")
    content_type = fields.Field(column_name="content_type")
    object_id = fields.Field(attribute="object_id", column_name="object_id")
    object_repr = fields.Field(column_name="object_repr")
    change = fields.Field(column_name="change")
    change_message = fields.Field(column_name="change_message")

    # The change cells come escaped from their cache, object_repr from its method.
    formula_safe = frozenset(
        {"id", "time", "action", "content_type", "object_repr", "change", "change_message"}
    )

    class Meta:
        chunk_size = CHUNK_SIZE
        export_order = (
            "id",
            "time",
            "user",
            "action",
            "content_type",
            "object_id",
            "object_repr",
            "change",
            "change_message",
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.changes = ChangeRenderer()
        self.redactor = Redactor()
        self._content_types: dict[int, str] = {}
        self._might_hold_secret = secret_hint(self.redactor)

    @staticmethod
    def values(queryset: QuerySet[LogEntry], *, named: bool = True) -> QuerySet[Any]:
        """``queryset`` as the rows this resource renders: one query, no N+1.

        The username comes from a join rather than a ``User`` per row, the time as text
        from the database (:mod:`auditconsole.export.sql`), content types from Django's
        ``ContentType`` cache (one query per type at most). ``named``: named tuples (for
        the generic renderer), or plain ones in the order of :data:`LOGENTRY_COLUMNS`.
        """
        return queryset.annotate(
            username=F(f"user__{get_user_model().USERNAME_FIELD}"),
            time=UTCTimestamp("action_time"),
        ).values_list(*LOGENTRY_COLUMNS, named=named)

    def rows(self, queryset: QuerySet[LogEntry]) -> Iterator[Any]:
        # On PostgreSQL iterator() reads through a server-side cursor, CHUNK_SIZE at a time.
        return self.values(queryset).iterator(chunk_size=CHUNK_SIZE)

    @cached_property
    def compiled(self) -> bool:
        """Whether :meth:`lines` writes the file: for this class only, whose columns it
        knows; a subclass gets the generic renderer over named tuples."""
        return type(self) is LogEntryResource

    def lines(self, queryset: QuerySet[LogEntry]) -> Iterator[str] | None:
        """The CSV lines of ``queryset``'s rows: exactly what ``csv.writer`` writes for
        the generic renderer's cells (:meth:`StreamingResource.row_renderer` over
        :meth:`rows`), from plain tuples (no named tuple per row), by one compiled function
        per line. ``None`` for a subclass, whose columns it does not know."""
        if not self.compiled:
            return None
        return _ClosingMap(
            self._line_function(),
            self.values(queryset, named=False).iterator(chunk_size=CHUNK_SIZE),
        )

    def _line_function(self) -> Callable[[tuple[Any, ...]], str]:
        """One row of :data:`LOGENTRY_COLUMNS` as one CSV line (:mod:`.csvtext`).

        What repeats from row to row (user, action and model together; the two change
        cells together) is rendered and quoted once per distinct value, in caches bounded
        like the change cache; the time and the object's id and name once per row.
        """
        time_cell, action_cell, model_cell = self._cell_functions()
        change_cells = self.changes.cells
        might_hold_secret = self._might_hold_secret
        redact = self.redactor.redact_text
        needs_quotes = NEEDS_QUOTES
        prefixes = _PREFIXES
        whos: dict[tuple[Any, Any, Any], str] = {}
        changes: dict[Any, str] = {}

        def line(row: tuple[Any, ...]) -> str:
            pk, time, username, flag, type_id, object_id, name, message = row
            who = whos.get((username, flag, type_id))
            if who is None:
                if len(whos) >= CACHE_SIZE:
                    whos.clear()
                who = whos[username, flag, type_id] = DELIMITER.join(
                    (
                        csv_cell(_plain_cell(username)),
                        csv_cell(action_cell(flag)),
                        csv_cell(model_cell(type_id)),
                    )
                )
            change = changes.get(message)
            if change is None:
                if len(changes) >= CACHE_SIZE:
                    changes.clear()
                cells = change_cells(message)
                change = changes[message] = (
                    csv_cell(cells.rendered) + DELIMITER + csv_cell(cells.raw)
                )
            # The per-row cells, inline (a call per cell costs a tenth of the row): the
            # same steps as time_cell(), _plain_cell() and dehydrate_object_repr(), then
            # csv_cell().
            if time.__class__ is not str:
                # Text is the database's own UTC format (export.sql), digits and "-:TZ"
                # only: nothing to quote.
                time = csv_cell(time_cell(time))
            if object_id is not None and object_id != "":
                if object_id.__class__ is not str:
                    object_id = str(object_id)
                if object_id[0] in prefixes:
                    object_id = ESCAPE + object_id
                if needs_quotes(object_id) is not None:
                    object_id = csv_cell(object_id)
            else:
                object_id = ""
            if name:
                if might_hold_secret(name):
                    name = redact(name)
                if name and name[0] in prefixes:
                    name = ESCAPE + name
                if needs_quotes(name) is not None:
                    name = csv_cell(name)
            else:
                name = ""
            return f"{pk},{time},{who},{object_id},{name},{change}{LINE_END}"

        return line

    def _cell_functions(
        self,
    ) -> tuple[Callable[[Any], str], Callable[[Any], str], Callable[[Any], str]]:
        """The cells of time, action and model, as the ``dehydrate_`` methods write them,
        without their per-row attribute reads and calls."""
        actions = ACTION_NAMES
        content_types = self._content_types
        content_type_key_of = self.dehydrate_content_type
        render_time = self.fields["time"].widget.render

        def time_cell(time: Any) -> str:
            text: str = time if time.__class__ is str else render_time(time)
            return text

        def action_cell(flag: Any) -> str:
            action = actions.get(flag)
            return str(flag) if action is None else action

        def model_cell(type_id: int | None) -> str:
            if type_id is None:
                return ""
            key = content_types.get(type_id)
            if key is None:
                key = content_type_key_of(_ContentTypeRow(type_id))
            return key

        return time_cell, action_cell, model_cell

    def dehydrate_time(self, row: Any) -> str:
        value = row.time
        # Text already, from the database, except on backends without a formatter.
        text: str = value if value.__class__ is str else self.fields["time"].widget.render(value)
        return text

    def dehydrate_action(self, row: Any) -> str:
        flag = row.action_flag
        return ACTION_NAMES.get(flag, str(flag))

    def dehydrate_content_type(self, row: Any) -> str:
        pk = row.content_type_id
        if pk is None:
            return ""
        key = self._content_types.get(pk)
        if key is None:
            key = self._content_types[pk] = content_type_key(ContentType.objects.get_for_id(pk))
        return key

    def dehydrate_object_repr(self, row: Any) -> str:
        text = row.object_repr or ""
        # Most names hold no key name at all; one regular expression decides that in C.
        if self._might_hold_secret(text):
            text = self.redactor.redact_text(text)
        return escape_formula(text)

    def dehydrate_change(self, row: Any) -> str:
        return self.changes.cells(row.change_message).rendered

    def dehydrate_change_message(self, row: Any) -> str:
        return self.changes.cells(row.change_message).raw


class _ClosingMap(Iterator[str]):
    """``map(function, rows)`` that closes ``rows`` when closed (a database cursor)."""

    def __init__(self, function: Callable[[Any], str], rows: Iterator[Any]) -> None:
        self._lines = map(function, rows)
        self._rows = rows

    def __next__(self) -> str:
        return next(self._lines)

    def close(self) -> None:
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()


def _plain_cell(value: Any) -> Any:
    """A plain attribute with import-export's default ``Widget``, formula-escaped, as the
    generic renderer leaves it: ``None`` and ``""`` as they are (the empty cell)."""
    if value is None or value == "":
        return value
    text = value if value.__class__ is str else str(value)
    return ESCAPE + text if text[0] in _PREFIXES else text


class _ContentTypeRow:
    """What :meth:`LogEntryResource.dehydrate_content_type` reads of a row."""

    __slots__ = ("content_type_id",)

    def __init__(self, content_type_id: int) -> None:
        self.content_type_id = content_type_id


class LogRecordResource(StreamingResource):
    """Log records: time, level, logger, message, source, file, then the source's columns.

    Records come out of a source already redacted (:mod:`auditconsole.sources.records`).
    ``columns`` are the source's configured extra fields (its ``"columns"`` option), one
    CSV column each, named by their dotted path (``field:<path>`` if that name is taken).
    """

    time = fields.Field(
        attribute="time", column_name="time", widget=UTCDateTimeWidget(timespec="milliseconds")
    )
    level = fields.Field(attribute="level", column_name="level")
    logger = fields.Field(attribute="logger", column_name="logger")
    message = fields.Field(attribute="message", column_name="message")
    source = fields.Field(attribute="source", column_name="source")
    file = fields.Field(attribute="file", column_name="file")

    formula_safe = frozenset({"time"})

    class Meta:
        export_order = ("time", "level", "logger", "message", "source", "file")

    def __init__(self, columns: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        taken = {field.column_name for field in self.fields.values()}
        for path in dict.fromkeys(columns):  # a column configured twice is written once
            name = path if path not in taken else f"field:{path}"
            taken.add(name)
            # import-export takes a callable here too; its stubs only name a method.
            column = _column(path)
            self.fields[name] = fields.Field(column_name=name, dehydrate_method=column)  # type: ignore[arg-type]

    def rows(self, records: Iterable[Record]) -> Iterator[Record]:
        return iter(records)


def secret_hint(redactor: Redactor) -> Callable[[str], bool]:
    """Whether :meth:`Redactor.redact_text` might change a text (it never changes one
    this says no to): a key name occurs in it, folded as the redactor folds it
    (lower case, ``-`` read as ``_``). Three times cheaper than asking the redactor.
    """
    if not redactor.needles:
        return lambda text: False
    pattern = re.compile("|".join(map(re.escape, redactor.needles)))

    def hint(text: str) -> bool:
        return pattern.search(text.lower().replace("-", "_")) is not None

    return hint


def _column(path: str) -> Callable[[Record], str]:
    def value(record: Record) -> str:
        return record.column(path)

    return value


class TimelineItemResource(StreamingResource):
    """Every trail's activity as the merged list shows it
    (:class:`~auditconsole.trails.timeline.TimelineItem`): one row per change, so a change
    two trails recorded is one row, its ``trail`` naming both (``admin; history``) and its
    ``link`` each trail's own page of it. The cells are the page's: the lead entry's
    action, object and diff (the richer one), the first note any trail kept, every trail's
    facts. Trails mask what they read; the cells are escaped here."""

    time = fields.Field(column_name="time")
    trail = fields.Field(column_name="trail")
    user = fields.Field(attribute="user_name", column_name="user")
    user_id = fields.Field(attribute="user_id", column_name="user_id")
    action = fields.Field(column_name="action")
    content_type = fields.Field(column_name="content_type")
    object_id = fields.Field(column_name="object_id")
    object_repr = fields.Field(column_name="object_repr")
    summary = fields.Field(column_name="summary")
    message = fields.Field(attribute="message", column_name="message")
    change = fields.Field(column_name="change")
    facts = fields.Field(column_name="facts")
    link = fields.Field(column_name="link")

    # A time the console writes, trail keys, a number, a fixed action name.
    formula_safe = frozenset({"time", "trail", "user_id", "action", "content_type"})

    class Meta:
        export_order = (
            "time",
            "trail",
            "user",
            "user_id",
            "action",
            "content_type",
            "object_id",
            "object_repr",
            "summary",
            "message",
            "change",
            "facts",
            "link",
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._content_types: dict[int, str] = {}

    def rows(self, entries: Iterable[Any]) -> Iterator[Any]:
        return iter(entries)

    def dehydrate_time(self, item: Any) -> str:
        text: str = UTCDateTimeWidget().render(item.lead.time)
        return text

    def dehydrate_trail(self, item: Any) -> str:
        return "; ".join(item.trails)

    def dehydrate_action(self, item: Any) -> str:
        action: str = item.lead.action
        return action

    def dehydrate_content_type(self, item: Any) -> str:
        pk = item.lead.content_type_id
        if pk is None:
            return ""
        if pk not in self._content_types:
            self._content_types[pk] = content_type_key(ContentType.objects.get_for_id(pk))
        return self._content_types[pk]

    def dehydrate_object_id(self, item: Any) -> str:
        object_id: str = item.lead.object_id
        return object_id

    def dehydrate_object_repr(self, item: Any) -> str:
        object_repr: str = item.lead.object_repr
        return object_repr

    def dehydrate_summary(self, item: Any) -> str:
        summary: str = item.lead.summary
        return summary

    def dehydrate_change(self, item: Any) -> str:
        """``field: before → after`` per field, ``; ``-separated (the values masked)."""
        return "; ".join(f"{c.label}: {c.old_display} → {c.new_display}" for c in item.lead.changes)

    def dehydrate_facts(self, item: Any) -> str:
        return "; ".join(f"{fact.label}: {fact.value}" for fact in item.facts)

    def dehydrate_link(self, item: Any) -> str:
        """Each trail's own page of the change, in the order of ``trail``."""
        by_trail = item.by_trail()
        return "; ".join(by_trail[key].link for key in item.trails if by_trail[key].link)
