"""Pretty-printed JSON as lines of typed tokens, for a template to colour.

No HTML is built here: the record page's template walks these lines and wraps each token
in ``<span class="k|s|n|b|z">`` with Django's autoescaping, so a ``</script>`` inside a
log value is shown as text, never run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import orjson

KEY = "k"
STRING = "s"
NUMBER = "n"
BOOLEAN = "b"
NULL = "z"
PUNCTUATION = ""

INDENT = "  "


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class TokenLine:
    indent: str
    tokens: tuple[Token, ...]


def json_lines(value: Any) -> list[TokenLine]:
    lines: list[TokenLine] = []
    _emit(value, 0, (), "", lines)
    return lines


def _emit(
    value: Any, depth: int, prefix: tuple[Token, ...], suffix: str, lines: list[TokenLine]
) -> None:
    indent = INDENT * depth
    tail = (Token(PUNCTUATION, suffix),) if suffix else ()
    if isinstance(value, dict) and value:
        lines.append(TokenLine(indent, (*prefix, Token(PUNCTUATION, "{"))))
        items = list(value.items())
        for position, (key, item) in enumerate(items):
            key_token = Token(KEY, _encode(str(key)))
            comma = "," if position < len(items) - 1 else ""
            _emit(item, depth + 1, (key_token, Token(PUNCTUATION, ": ")), comma, lines)
        lines.append(TokenLine(indent, (Token(PUNCTUATION, "}" + suffix),)))
    elif isinstance(value, list | tuple) and value:
        lines.append(TokenLine(indent, (*prefix, Token(PUNCTUATION, "["))))
        for position, item in enumerate(value):
            comma = "," if position < len(value) - 1 else ""
            _emit(item, depth + 1, (), comma, lines)
        lines.append(TokenLine(indent, (Token(PUNCTUATION, "]" + suffix),)))
    else:
        lines.append(TokenLine(indent, (*prefix, _scalar(value), *tail)))


def _scalar(value: Any) -> Token:
    if isinstance(value, dict):
        return Token(PUNCTUATION, "{}")
    if isinstance(value, list | tuple):
        return Token(PUNCTUATION, "[]")
    if value is None:
        return Token(NULL, "null")
    if isinstance(value, bool):
        return Token(BOOLEAN, "true" if value else "false")
    if isinstance(value, float) and not math.isfinite(value):
        # As Python's json module writes them (orjson would say null).
        return Token(
            NUMBER, "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        )
    if isinstance(value, int | float):
        return Token(NUMBER, _encode(value))
    return Token(STRING, _encode(value if isinstance(value, str) else str(value)))


def _encode(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        # Integers beyond 64 bits, read by the stdlib fallback.
        return repr(value)
