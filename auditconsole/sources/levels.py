"""Log levels: names as formatters write them, mapped onto one numeric order.

Python's numbers are the spine (DEBUG 10 ... CRITICAL 50). django-activity-audit adds
``AUDIT`` (21), ``API`` (22) and ``LOGIN`` (23) just above INFO, so "minimum level AUDIT"
keeps its audit records and every warning, but drops routine INFO chatter. Names are
matched case-insensitively because structlog writes ``"info"`` and logging ``"INFO"``.
"""

from __future__ import annotations

from typing import Any

TRACE = 5
DEBUG = 10
INFO = 20
AUDIT = 21
API = 22
LOGIN = 23
NOTICE = 25
WARNING = 30
ERROR = 40
CRITICAL = 50

#: Canonical names, lowest first: the choices of the "minimum level" filter.
CANONICAL: tuple[tuple[str, int], ...] = (
    ("TRACE", TRACE),
    ("DEBUG", DEBUG),
    ("INFO", INFO),
    ("AUDIT", AUDIT),
    ("API", API),
    ("LOGIN", LOGIN),
    ("WARNING", WARNING),
    ("ERROR", ERROR),
    ("CRITICAL", CRITICAL),
)

#: Spellings seen in the wild -> (canonical name, number).
ALIASES: dict[str, tuple[str, int]] = {
    **{name: (name, number) for name, number in CANONICAL},
    "WARN": ("WARNING", WARNING),
    "FATAL": ("CRITICAL", CRITICAL),
    "CRIT": ("CRITICAL", CRITICAL),
    "ERR": ("ERROR", ERROR),
    "EXCEPTION": ("ERROR", ERROR),
    "NOTICE": ("NOTICE", NOTICE),
    "SUCCESS": ("SUCCESS", NOTICE),
    "VERBOSE": ("DEBUG", DEBUG),
}

#: CSS modifier per canonical name (console.css has .level--debug ... .level--login).
CSS: dict[str, str] = {
    "TRACE": "debug",
    "DEBUG": "debug",
    "INFO": "info",
    "NOTICE": "info",
    "SUCCESS": "info",
    "AUDIT": "audit",
    "API": "api",
    "LOGIN": "login",
    "WARNING": "warning",
    "ERROR": "error",
    "CRITICAL": "critical",
}

_NUMBERS = (int, float)

#: Unknown names sort below everything, so a minimum-level filter hides them.
UNKNOWN = 0


def normalize(value: Any) -> tuple[str, int]:
    """Return ``(name, number)`` for a level as found in a record.

    Numbers (``"level": 30`` as pino or ``levelno`` write) map to the nearest name at or
    below them; unknown names are kept verbatim (upper-cased) with number 0.
    """
    if type(value) is str:
        known = ALIASES.get(value)  # the usual case: "INFO", written as we spell it
        if known is not None:
            return known
    elif value is None or isinstance(value, bool):
        return "", UNKNOWN
    elif isinstance(value, _NUMBERS):
        return name_for_number(int(value)), int(value)
    text = str(value).strip()
    if not text:
        return "", UNKNOWN
    upper = text.upper()
    known = ALIASES.get(upper)
    if known is not None:
        return known
    if upper.isdigit():
        number = int(upper)
        return name_for_number(number), number
    return upper, UNKNOWN


def name_for_number(number: int) -> str:
    best = ""
    for name, value in CANONICAL:
        if value <= number:
            best = name
    return best or str(number)


def number_for_name(name: str) -> int | None:
    """The number of a canonical or alias name, or ``None`` when it is not a level."""
    known = ALIASES.get(name.strip().upper())
    return known[1] if known else None


def css_class(name: str) -> str:
    return CSS.get(name, "")
