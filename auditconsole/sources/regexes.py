"""User regular expressions, run in linear time by RE2.

Python's ``re`` backtracks and cannot be interrupted: ``(a+)+$`` against a line of 40
``a`` and a ``!`` takes days, and ``.*[xy]z`` is quadratic in the line's length (19 s on
one 64 KB line). Log lines are written by anyone (a user agent, a customer's name), so
the pathological input is easy to supply; the pattern comes from the filter form.

RE2 (``google-re2``) guarantees time linear in the text's length whatever the pattern,
so every pattern it accepts is safe to run. What it refuses are the features that need
backtracking: back-references (``\\1``), look-around (``(?=``, ``(?<!``), possessive and
atomic groups, conditionals, and repetition counts over 1000. Such a pattern is a form
error saying why, in :func:`compile_user_regex`'s :class:`UnsupportedRegex`.

Patterns are matched case-insensitively, like the plain text filter. RE2's ``\\d``,
``\\w`` and ``\\b`` are ASCII-only (Python's are Unicode), which for log lines rarely matters.
"""

from __future__ import annotations

import re
import warnings
from typing import Protocol

import re2

#: RE2 refuses a program bigger than this (bytes of its compiled form); the default, 8 MiB,
#: lets one form submission allocate that much for a pattern like ``(x{1000}){1000}``.
MAX_PROGRAM_MEMORY = 1 << 20

BACKTRACKING = (
    "This regular expression uses {what}, which needs backtracking (exponential time on "
    "some lines), so the linear-time engine (RE2) does not support it. (RE2 says: {detail}.)"
)
ESCAPE = (
    "This regular expression uses an escape the linear-time engine (RE2) does not know "
    "(for the end of the line write $ rather than \\Z). (RE2 says: {detail}.)"
)
TOO_LARGE = (
    "This regular expression is too large for the linear-time engine (RE2): keep "
    "repetition counts at 1000 or below, nested ones included. (RE2 says: {detail}.)"
)
OTHER = "The linear-time engine (RE2) cannot run this regular expression: {detail}."
INVALID = "Not a valid regular expression: {detail}."

#: The features RE2 refuses because they need backtracking, by the start of its message.
_BACKTRACKING: tuple[tuple[str, str], ...] = (
    *((f"invalid escape sequence: \\{digit}", "a back-reference") for digit in "123456789"),
    ("invalid perl operator: (?<", "look-behind"),
    ("invalid perl operator: (?=", "look-ahead"),
    ("invalid perl operator: (?!", "look-ahead"),
    ("invalid perl operator: (?>", "an atomic group"),
    ("invalid perl operator: (?(", "a conditional"),
    ("bad repetition operator: ", "a possessive repetition"),
)
_TOO_LARGE = ("invalid repetition size", "pattern too large")


class LinePattern(Protocol):
    """What a compiled user pattern offers: a search anywhere in a line."""

    def search(self, text: str, /) -> object | None: ...


class UnsupportedRegex(ValueError):
    """A pattern that cannot be run; ``str()`` is the form error to show."""


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = MAX_PROGRAM_MEMORY
    return options


def compile_user_regex(pattern: str) -> LinePattern:
    """``pattern`` compiled by RE2, case-insensitive; :class:`UnsupportedRegex` if it cannot be.

    The message distinguishes a pattern that is not a regular expression at all (Python's
    ``re`` refuses it too) from one RE2 does not support, and says which feature is at fault.
    """
    try:
        compiled: LinePattern = re2.compile(pattern, _options())
        return compiled
    except re2.error as exc:
        detail = exc.args[0] if exc.args else str(exc)
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        detail = str(detail)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "possible nested set": not ours to report
            re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise UnsupportedRegex(INVALID.format(detail=exc)) from None
    for prefix, what in _BACKTRACKING:
        if detail.startswith(prefix):
            raise UnsupportedRegex(BACKTRACKING.format(what=what, detail=detail))
    if detail.startswith("invalid escape sequence"):
        raise UnsupportedRegex(ESCAPE.format(detail=detail))
    if detail.startswith(_TOO_LARGE):
        raise UnsupportedRegex(TOO_LARGE.format(detail=detail))
    raise UnsupportedRegex(OTHER.format(detail=detail))
