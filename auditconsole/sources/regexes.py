"""Refusing regular expressions that could run for hours on one log line.

Python's ``re`` backtracks, and it cannot be interrupted: ``(a+)+$`` against a line of 30
``a`` and a ``!`` takes minutes, against 40 it takes days, and meanwhile the request (and
the worker serving it) is stuck, whatever the scan budget says. Log lines are written by
anyone (a user agent, a customer's name), so the pathological input is easy to supply;
the pattern comes from the filter form.

The exponential cases all have the same shape: a repetition inside a repetition, or an
alternation inside a repetition, so that one piece of text can be matched in
exponentially many ways. :func:`backtracking_risk` looks for that shape in the parsed
pattern and explains it. It errs on the side of refusing: ``(GET|POST)+`` is refused
although it is harmless, and the message says how to write it instead (``[A-Z]+`` or
``(?:GET|POST)`` without the repetition). Polynomial cases (``.*x`` on a 64 KB line) are
not refused: they are slow, not stuck, and the scan budget bounds them per block.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # typeshed knows these modules only by their old names, which warn when imported.
    import sre_constants as sre
    import sre_parse
else:
    from re import _constants as sre  # the parser's opcodes; public in spirit since 2.x
    from re import _parser as sre_parse

#: A repetition allowing more than this many rounds counts as unbounded.
MANY = 10

NESTED = (
    "This regular expression repeats a group that itself repeats (like (a+)+), which can "
    "take exponential time on some lines. Repeat only once, e.g. a+ or [ab]+."
)
ALTERNATION = (
    "This regular expression repeats an alternation (like (a|b)+), which can take "
    "exponential time on some lines. Use a character class such as [ab]+ instead, or "
    "drop the repetition."
)

_REPEATS = frozenset({sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT})


def backtracking_risk(pattern: str) -> str | None:
    """Why ``pattern`` may backtrack exponentially, or ``None`` if it has no such shape.

    A pattern that does not compile is not judged here (``None``): the caller reports
    the syntax error.
    """
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    return _scan(parsed, repeated=False)


def _scan(items: Any, *, repeated: bool) -> str | None:
    for op, av in items:
        found: str | None = None
        if op in _REPEATS:
            _, high, body = av
            many = high == sre.MAXREPEAT or high > MANY
            if many and repeated:
                return NESTED
            found = _scan(body, repeated=repeated or many)
        elif op is sre.BRANCH:
            if repeated:
                return ALTERNATION
            found = _first(_scan(branch, repeated=False) for branch in av[1])
        elif op is sre.SUBPATTERN:
            found = _scan(av[-1], repeated=repeated)
        elif op is sre.ATOMIC_GROUP:
            found = _scan(av, repeated=repeated)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            found = _scan(av[1], repeated=repeated)
        elif op is sre.GROUPREF_EXISTS:
            _, yes, no = av
            found = _first(_scan(part, repeated=repeated) for part in (yes, no) if part)
        if found is not None:
            return found
    return None


def _first(results: Any) -> str | None:
    return next((result for result in results if result is not None), None)
