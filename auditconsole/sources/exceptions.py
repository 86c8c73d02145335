"""The exception a record reports, as one short line: ``KeyError: 'missing'``.

A table row has room for a clue, not a traceback. Someone scanning fifty errors tells them
apart by the exception that ended each traceback, so that line is picked out here, where it
can be tested without HTTP; templates only display it.

Where it is looked for:

* a JSON record's ``exc_info`` (python-json-logger), ``exception`` (structlog), ``exc_text``
  or ``traceback`` field, formatted as text; structlog's ``dict_tracebacks`` form (a list
  of ``{"exc_type": ..., "exc_value": ...}``, the logged exception first) too;
* the continuation lines of a text record, when they hold a Python traceback (other
  continuation lines, a multi-line SQL statement say, are not an exception).

The input is the record's already redacted text, so the line is masked like the rest of the
record. Shortening happens after masking, so it can only cut a placeholder, never uncover a
secret.
"""

from __future__ import annotations

from typing import Any

#: Fields holding an exception report, in the order they are tried.
EXCEPTION_KEYS: tuple[str, ...] = ("exc_info", "exception", "exc_text", "traceback")
#: Longest line shown (the ellipsis included); the record page has the full traceback.
MAX_CHARS = 160
ELLIPSIS = "…"
_PYTHON_HEADERS = ("Traceback (most recent call last):", "Stack (most recent call last):")


def summary(traceback: str, fields: dict[str, Any]) -> str:
    """The exception line of a record whose traceback text is ``traceback``; ``""`` if none."""
    for key in EXCEPTION_KEYS:
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            return shorten(last_exception(value))
        if isinstance(value, list):
            line = structured(value)
            if line:
                return shorten(line)
    if _PYTHON_HEADERS[0] in traceback:
        return shorten(last_exception(traceback))
    return ""


def last_exception(text: str) -> str:
    """The line naming the exception in a formatted traceback.

    Python prints its frames indented and the exception after them, at the margin: the first
    line after the last indented one (``…`` marks a message that goes on over more lines).
    Java and JavaScript print the exception first and their ``at ...`` frames after it, so
    when nothing follows the frames the first line at the margin is the one.
    """
    lines = _lines(text)
    last_frame = max((i for i, line in enumerate(lines) if line[:1].isspace()), default=-1)
    after = lines[last_frame + 1 :]
    if after:
        return _first(after)
    return next(
        (line for line in lines if not line[:1].isspace() and line not in _PYTHON_HEADERS),
        "",
    )


def structured(stacks: list[Any]) -> str:
    """``exc_type: exc_value`` of structlog's dict traceback (the logged exception first)."""
    first = stacks[0] if stacks else None
    if not isinstance(first, dict):
        return ""
    exc_type, exc_value = first.get("exc_type"), first.get("exc_value")
    if not isinstance(exc_type, str) or not exc_type:
        return ""
    value = _lines(exc_value) if isinstance(exc_value, str) else []
    return f"{exc_type}: {_first(value)}" if value else exc_type


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def _first(lines: list[str]) -> str:
    """The first line, with ``…`` when more follow (a message written over several lines)."""
    return lines[0] + (f" {ELLIPSIS}" if len(lines) > 1 else "")


def shorten(line: str) -> str:
    line = " ".join(line.split())
    if len(line) <= MAX_CHARS:
        return line
    return line[: MAX_CHARS - 1].rstrip() + ELLIPSIS
