"""One CSV cell as text, exactly as ``csv.writer`` (the ``excel`` dialect) writes it.

The compiled LogEntry export (:meth:`auditconsole.export.resources.LogEntryResource.line_renderer`)
writes whole lines itself, so that the cells that repeat (a user, an action, a model, a
change message: most of a line) are quoted once per distinct value rather than on every
row. Its lines must be byte for byte what ``csv.writer`` would write: the rule below is
``_csv.c``'s for ``QUOTE_MINIMAL`` with the ``excel`` dialect's delimiter, quote
character and ``\\r\\n`` line terminator, and ``tests/export/test_csvtext.py`` checks it
against ``csv.writer`` on arbitrary text.
"""

from __future__ import annotations

import re

DELIMITER = ","
QUOTE = '"'
LINE_END = "\r\n"

#: Whether a cell must be quoted (it holds one of these), as ``re.search`` answers it.
NEEDS_QUOTES = re.compile('[,"\r\n]').search


def csv_cell(value: object) -> str:
    """``value`` as ``csv.writer`` writes one cell of a row of several: ``None`` as the
    empty cell, anything else as ``str()``, quoted when it must be."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if NEEDS_QUOTES(text) is None:
        return text
    return QUOTE + text.replace(QUOTE, QUOTE + QUOTE) + QUOTE
