"""Testing a query on a JSON line's raw bytes, before parsing it.

Parsing a line costs 15-25 µs; searching a block of lines for bytes runs at the speed of
memory. Each filter that can be judged on bytes becomes a *condition*: an RE2 pattern
that every line able to match must contain. A line without it is counted and skipped;
a line with it is parsed and checked exactly, so the prefilter only ever decides what is
*not* worth parsing, and the results are those of parsing every line.

A condition errs towards parsing: it also matches every line it cannot judge, so those
are parsed as before.

* ``q`` and ``field=value`` (plain ASCII): the lower-cased needle of
  :attr:`~auditconsole.sources.query.Query.needle`, case-insensitively, or a spelling
  that could hide it from a byte search (a ``\\u`` escape, ``\\/`` for a slash, the
  two non-ASCII letters whose lower case is ASCII).
* Minimum level: a level key (``level``, ``levelname``, ``severity``, ``log.level``)
  followed by a number (``"level": 40``) or a string starting (after spaces) with a digit
  or with the first letter of a name at or above the minimum: ``"level": "ERROR"``,
  ``"levelname":"error"``, ``"severity": "Fatal"``.
* Logger prefix: a logger key (``logger``, ``logger_name``, ``name``) followed by a string
  starting with the prefix.
* Lines a condition cannot judge match it too: a line not starting with ``{`` (a text line,
  a broken one: the parser reads those its own way), and a line with a ``\\u``, ``\\/``
  or whitespace escape (a key or value may be spelled with escapes).

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

#: Lines a condition cannot judge: spelled with escapes that could hide a key, a letter or
#: a space (``\u0065``, ``\/``, ``\t``), or not starting with ``{`` (a text line, an
#: indented or broken one: the parser reads those its own way).
_ESCAPES = rb"\\[u/tnrf]"
_NOT_OBJECT = rb"\n[^{]"
_SPACE = rb"[ \t\r]*"


class BytesPattern(Protocol):
    def search(self, text: bytes, pos: int = ..., /) -> BytesMatch | None: ...


class BytesMatch(Protocol):
    def start(self) -> int: ...


@dataclass(frozen=True)
class Condition:
    """What every line able to match contains, and the facet it thins out (if any).

    ``exact`` is the condition itself, run on one line. ``probes`` find its candidate
    lines in a whole block: each is a pattern RE2 can search at memory speed (a literal,
    or one starting with a rare byte), and a line any probe finds is a candidate. (One
    pattern with alternatives, or starting with ``"``, runs 10-50 times slower.)
    """

    exact: BytesPattern
    probes: tuple[BytesPattern, ...]
    facet: str = ""
    #: Lines not starting with ``{`` are candidates too.
    objects_only: bool = False

    def admits(self, line: bytes) -> bool:
        if self.objects_only and line[:1] != b"{":
            return True
        return self.exact.search(line) is not None

    def line_starts(self, data: bytes, skip: int) -> set[int]:
        """Where the candidate lines in ``data[skip:]`` start."""
        starts: set[int] = set()
        for probe in self.probes:
            position = skip
            while True:
                found = probe.search(data, position)
                if found is None:
                    break
                at = found.start()
                if probe is _not_object():
                    at += 1  # the match is the newline before the line
                line_start = max(skip, data.rfind(b"\n", 0, at) + 1)
                starts.add(line_start)
                newline = data.find(b"\n", at)
                if newline < 0:
                    break
                position = newline  # the next probe match may be that very newline
                if probe is not _not_object():
                    position += 1
        if self.objects_only and data[skip : skip + 1] not in (b"{", b""):
            starts.add(skip)
        return starts


@dataclass(frozen=True)
class Prefilter:
    """The conditions of a query, the first of which is searched for in blocks."""

    conditions: tuple[Condition, ...]

    @property
    def first(self) -> Condition:
        return self.conditions[0]

    @property
    def thinned_facets(self) -> frozenset[str]:
        return frozenset(condition.facet for condition in self.conditions if condition.facet)

    def admits(self, line: bytes) -> bool:
        """Whether ``line``, found by the first condition, passes the others."""
        return all(condition.admits(line) for condition in self.conditions[1:])


def prefilter_for(query: Query) -> Prefilter | None:
    """The byte conditions of ``query`` for JSON lines, or ``None`` when it has none."""
    conditions: list[Condition] = []
    if query.needle is not None:
        conditions.append(_needle_condition(query.needle))
    if query.min_level is not None and query.min_level > levels.TRACE:
        conditions.append(_level_condition(query.min_level))
    if query.logger:
        condition = _logger_condition(query.logger)
        if condition is not None:
            conditions.append(condition)
    return Prefilter(tuple(conditions)) if conditions else None


#: Spellings under which a line's searched text holds a letter its bytes do not: KELVIN
#: SIGN lower-cases to "k", the dotted capital I to "i" and a combining dot; a ``\\u``
#: escape is any character, ``\\/`` a slash.
_HIDDEN = ((b"k", b"\xe2\x84\xaa"), (b"i", b"\xc4\xb0"), (b"/", rb"\\/"))


@cache
def _needle_condition(needle: bytes) -> Condition:
    """The needle, case-insensitively, or a spelling that may hide it from a byte search
    (:data:`_HIDDEN`, a ``\\u`` escape): those lines are parsed and checked exactly."""
    hidden = [rb"\\u", *(spelling for letter, spelling in _HIDDEN if letter in needle)]
    probes = tuple(_compile(pattern, fold=False) for pattern in hidden)
    exact = _compile(re2.escape(needle) + b"|" + b"|".join(hidden), fold=True)
    return Condition(exact, (_compile(re2.escape(needle), fold=True), *probes))


@cache
def _not_object() -> BytesPattern:
    return _compile(_NOT_OBJECT, fold=False)


@cache
def _escapes() -> BytesPattern:
    return _compile(_ESCAPES, fold=False)


def _keys(keys: tuple[str, ...]) -> list[bytes]:
    """JSON keys as written, with the colon (``log.level`` dotted, or nested as ``"log":
    {"level": ...}``)."""
    spellings = {part for key in keys for part in (key, key.rsplit(".", 1)[-1])}
    return [
        b'"' + re2.escape(key.encode()) + b'"' + _SPACE + b":" + _SPACE for key in sorted(spellings)
    ]


@cache
def _level_condition(minimum: int) -> Condition:
    """A level at or above ``minimum``: a level key followed by a number, or by a string
    whose first letter (after anything but a letter: spaces, escapes) starts one of the
    names at or above ``minimum``, or whose first character is a digit.

    :func:`~auditconsole.sources.levels.normalize` accepts only a whole name (stripped)
    or digits, so the first letter is a fair test, and it keeps the search anchored on
    the key's literal text: one probe per key, each at memory speed.
    """
    names = [alias for alias, (_, number) in levels.ALIASES.items() if number >= minimum]
    initials = sorted({name[0].lower() for name in names} | {name[0].upper() for name in names})
    value = rb'(?:"[^"a-zA-Z\n]*[0-9' + "".join(initials).encode() + rb"]|-?[0-9])"
    # "log.level" and a nested "log": {"level": ...} both end in level": the probes look
    # for the keys from their last letters (a probe starting with a quote is slow).
    suffixes = sorted({key.rsplit(".", 1)[-1] for key in LEVEL_KEYS})
    probes = [
        _compile(re2.escape(key.encode()) + b'"' + _SPACE + b":" + _SPACE + value, fold=False)
        for key in suffixes
    ]
    exact = b"(?:" + b"|".join(_keys(LEVEL_KEYS)) + b")" + value + b"|" + _ESCAPES
    return Condition(
        _compile(exact, fold=False),
        (*probes, _escapes(), _not_object()),
        "levels",
        objects_only=True,
    )


@cache
def _logger_condition(prefix: str) -> Condition | None:
    """A logger starting with ``prefix``, the value of a logger key."""
    text = prefix.encode()
    if not prefix.isascii() or not prefix.isprintable() or b'"' in text or b"\\" in text:
        return None  # a JSON writer may escape it: it cannot be looked for verbatim
    keys = b"|".join(_keys(LOGGER_KEYS))
    exact = b"(?:" + keys + b')"' + re2.escape(text) + b"|" + _ESCAPES
    return Condition(
        _compile(exact, fold=False),
        (_compile(re2.escape(text), fold=False), _escapes(), _not_object()),
        "loggers",
        objects_only=True,
    )


def _compile(pattern: bytes, *, fold: bool) -> BytesPattern:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # bytes as they are, valid UTF-8 or not
    options.case_sensitive = not fold
    options.log_errors = False
    compiled: BytesPattern = re2.compile(pattern, options)
    return compiled


def candidate_spans(data: bytes, skip: int, prefilter: Prefilter) -> Iterator[tuple[int, int]]:
    """``(line_start, newline)`` of each line in ``data[skip:]`` worth parsing, oldest first.

    ``newline`` is the index of the line's ``\n``, or -1 for an unterminated last line.
    """
    check = len(prefilter.conditions) > 1
    for line_start in sorted(prefilter.first.line_starts(data, skip)):
        newline = data.find(b"\n", line_start)
        if not check or prefilter.admits(data[line_start : newline if newline >= 0 else None]):
            yield line_start, newline
