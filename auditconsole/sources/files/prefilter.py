"""Testing a query on a JSON line's raw bytes, before parsing it.

Parsing a line costs 15-25 µs; searching a block of lines for bytes runs at the speed of
memory. Each filter that can be judged on bytes becomes a *condition*: an RE2 pattern
that every line able to match must contain. A line without it is counted and skipped;
a line with it is parsed and checked exactly, so the prefilter only ever decides what is
*not* worth parsing, and the results are those of parsing every line.

A condition errs towards parsing: it also matches every line it cannot judge, so those
are parsed as before.

* ``q`` and ``field=value`` (plain ASCII): the lower-cased needle of
  :attr:`~auditconsole.sources.query.Query.needle`, case-insensitively.
* Minimum level: a level key (``level``, ``levelname``, ``severity``, ``log.level``)
  followed by a string holding one of the names at or above the minimum, or holding a
  digit, or by a number (``"level": 40``): ``"level": "ERROR"``, ``"levelname":"error"``,
  ``"severity": "Fatal"``.
* Logger prefix: a logger key (``logger``, ``logger_name``, ``name``) followed by a string
  starting with the prefix.
* Lines a condition cannot judge match it too: a line not starting with ``{`` (a text line,
  a broken one: the parser reads those its own way), and a line with a ``\\u`` or ``\\/``
  escape (a key or value may be spelled with escapes).

The rarest-looking condition (the needle, then the level, then the logger) is searched in
the whole block; a line it finds must then contain the others too. A skipped line is not
observed by the facets, so a level (logger) condition leaves the level (logger) facet
counting only lines that passed it: the scan says so (:attr:`ScanStats.partial_facets`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import re2

from auditconsole.sources import levels
from auditconsole.sources.files.parsing import LEVEL_KEYS, LOGGER_KEYS
from auditconsole.sources.query import Query

#: A line a condition cannot judge: not a JSON object's line, or spelled with escapes.
_UNJUDGED = rb"(?m:^)[^{]|\\[u/]"
_SPACE = rb"[ \t\r]*"


class BytesPattern(Protocol):
    def search(self, text: bytes, pos: int = ..., /) -> BytesMatch | None: ...


class BytesMatch(Protocol):
    def start(self) -> int: ...


@dataclass(frozen=True)
class Condition:
    """Bytes every line able to match must contain; ``facet`` is the facet it thins out."""

    pattern: BytesPattern
    facet: str = ""

    def find(self, data: bytes, pos: int) -> int:
        found = self.pattern.search(data, pos)
        return -1 if found is None else found.start()


@dataclass(frozen=True)
class Prefilter:
    """The conditions of a query, the one to search blocks with first."""

    conditions: tuple[Condition, ...]

    @property
    def first(self) -> Condition:
        return self.conditions[0]

    @property
    def rest(self) -> tuple[Condition, ...]:
        return self.conditions[1:]

    @property
    def thinned_facets(self) -> frozenset[str]:
        return frozenset(condition.facet for condition in self.conditions if condition.facet)

    def admits(self, line: bytes) -> bool:
        """Whether ``line``, found by :attr:`first`, passes the other conditions."""
        return all(condition.find(line, 0) >= 0 for condition in self.rest)


def prefilter_for(query: Query) -> Prefilter | None:
    """The byte conditions of ``query`` for JSON lines, or ``None`` when it has none."""
    conditions: list[Condition] = []
    if query.needle is not None:
        conditions.append(Condition(_compile(re2.escape(query.needle), fold=True)))
    if query.min_level is not None and query.min_level > levels.TRACE:
        conditions.append(Condition(_level_pattern(query.min_level), "levels"))
    if query.logger:
        pattern = _logger_pattern(query.logger)
        if pattern is not None:
            conditions.append(Condition(pattern, "loggers"))
    return Prefilter(tuple(conditions)) if conditions else None


def _keys(keys: tuple[str, ...]) -> bytes:
    return b"|".join(re2.escape(key.encode()) for key in keys)


@cache
def _level_pattern(minimum: int) -> BytesPattern:
    names = sorted(
        (
            alias.lower().encode()
            for alias, (_, number) in levels.ALIASES.items()
            if number >= minimum
        ),
        key=len,
        reverse=True,
    )
    words = b"|".join(re2.escape(name) for name in names)
    value = rb'"[^"\n]*(?:' + words + rb"|[0-9])" + rb"|-?[0-9]"
    key = rb'"(?:' + _keys(LEVEL_KEYS) + rb')"' + _SPACE + b":" + _SPACE
    return _compile(key + b"(?:" + value + b")|" + _UNJUDGED, fold=True)


@cache
def _logger_pattern(prefix: str) -> BytesPattern | None:
    text = prefix.encode()
    if not prefix.isascii() or not prefix.isprintable() or b'"' in text or b"\\" in text:
        return None  # a JSON writer may escape it: it cannot be looked for verbatim
    key = rb'"(?:' + _keys(LOGGER_KEYS) + rb')"' + _SPACE + b":" + _SPACE + b'"'
    return _compile(key + re2.escape(text) + b"|" + _UNJUDGED, fold=False)


def _compile(pattern: bytes, *, fold: bool) -> BytesPattern:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # bytes as they are, valid UTF-8 or not
    options.case_sensitive = not fold
    options.log_errors = False
    compiled: BytesPattern = re2.compile(pattern, options)
    return compiled


def candidate_spans(data: bytes, skip: int, prefilter: Prefilter) -> Iterator[tuple[int, int]]:
    """``(line_start, newline)`` of each line in ``data[skip:]`` worth parsing, oldest first.

    ``newline`` is the index of the line's ``\\n``, or -1 for an unterminated last line.
    """
    first = prefilter.first
    check = bool(prefilter.rest)
    found = first.find(data, skip)
    while found >= 0:
        line_start = max(skip, data.rfind(b"\n", 0, found) + 1)
        newline = data.find(b"\n", found)
        if not check or prefilter.admits(data[line_start : newline if newline >= 0 else None]):
            yield line_start, newline
        if newline < 0:
            return
        found = first.find(data, newline + 1)
