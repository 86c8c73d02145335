"""Masking secrets before anything is shown or exported.

A key is sensitive when one of ``conf.REDACT_KEYS`` occurs in its name, case-insensitively
and with ``-`` read as ``_`` (``password`` catches ``new_password`` and ``PASSWORD_HASH``,
``api_key`` catches the ``X-Api-Key`` header). Matching by substring errs
towards hiding too much, which is the right side to err on in an audit tool.

Three shapes are covered:

* structured data, at any depth: ``redact({"user": {"api_key": "x"}})``;
* request headers written as a list of pairs (``[["Authorization", "Bearer x"]]``) or as
  ``"Name: value"`` strings in a list;
* free text, including every string inside structured data (a message, a URL's query
  string, a malformed line's raw text): ``password=hunter2``, ``"token": "abc"``,
  ``Authorization: Bearer abc``.

Everything here is pure: inputs are never mutated, and an input with nothing to mask is
returned as the very same object, so callers can cheaply tell "nothing was hidden".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from auditconsole.conf import conf

# A header written as one string, e.g. "Authorization: Bearer abc".
_HEADER_STRING = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*:\s*(.*)$", re.DOTALL)
# Any `key=value`, `key: value` or `"key": "value"` pair in free text; whether the key is
# sensitive is decided in Python, which keeps the expression simple and linear.
_PAIR = re.compile(
    r"(?<![\w.-])(?P<key>[\"']?(?P<name>[\w.-]+)[\"']?)"
    r"(?P<sep>\s*[:=]\s*)"
    r"(?P<value>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
    r"|(?:(?:Bearer|Basic|Token|Digest)\s+)?[^\s,;&\"'}\])]+)",
    re.IGNORECASE,
)


class Redactor:
    """The functions below, with the keys and placeholder fixed once.

    For callers that mask many records in a row (a log scan): it saves normalising the
    key list on every call.
    """

    def __init__(self, keys: Iterable[str] | None = None, placeholder: str | None = None) -> None:
        self.needles = _lowered(keys)
        self.placeholder = conf.REDACTED_PLACEHOLDER if placeholder is None else placeholder
        self._bytes = _byte_needles(self.needles)

    def redact(self, value: Any) -> Any:
        return _redact(value, self.needles, self.placeholder)

    def redact_text(self, text: str) -> str:
        return _redact_text(text, self.needles, self.placeholder)

    def might_contain_secrets(self, data: bytes) -> bool:
        """Whether raw bytes mention any sensitive key (C-level substring tests only).

        When they do not, :meth:`redact` would return its input unchanged, so a caller
        that parsed those bytes may skip it: the common case for most log lines.
        """
        if self._bytes is None:
            return True
        folded = data.lower().replace(b"-", b"_")
        return any(needle in folded for needle in self._bytes)


def is_sensitive(key: Any, keys: Iterable[str] | None = None) -> bool:
    """True when ``key`` names a secret under ``keys`` (default ``conf.REDACT_KEYS``)."""
    return isinstance(key, str) and _matches(key, _lowered(keys))


def redact(value: Any, keys: Iterable[str] | None = None, placeholder: str | None = None) -> Any:
    """``value`` with every sensitive key's value replaced by the placeholder, at any depth."""
    return Redactor(keys, placeholder).redact(value)


def redact_text(
    text: str, keys: Iterable[str] | None = None, placeholder: str | None = None
) -> str:
    """Mask ``key=value`` / ``"key": "value"`` / ``Key: value`` pairs inside free text."""
    return Redactor(keys, placeholder).redact_text(text)


def might_contain_secrets(data: bytes, keys: Iterable[str] | None = None) -> bool:
    return Redactor(keys).might_contain_secrets(data)


def _redact_text(text: str, needles: tuple[str, ...], mask: str) -> str:
    if not text or not needles:
        return text
    folded = _fold(text)
    if not any(needle in folded for needle in needles):
        return text  # the common case, decided without a regular expression

    def replace(match: re.Match[str]) -> str:
        value = match.group("value")
        if not _matches(match.group("name"), needles):
            # The value may itself hold a pair: "KeyError: token=abc" matched as the key
            # KeyError and the value token=abc, which must be looked into as well.
            inner = _redact_text(value, needles, mask)
            return match.group(0) if inner is value else match.group(0)[: -len(value)] + inner
        quote = value[0] if value[:1] in {'"', "'"} else ""
        return f"{match.group('key')}{match.group('sep')}{quote}{mask}{quote}"

    masked = _PAIR.sub(replace, text)
    return text if masked == text else masked


def _lowered(keys: Iterable[str] | None) -> tuple[str, ...]:
    source = conf.REDACT_KEYS if keys is None else keys
    return _normalise(tuple(source))


@lru_cache(maxsize=16)
def _normalise(keys: tuple[object, ...]) -> tuple[str, ...]:
    # Objects: the setting may hold anything until auditconsole.E006 is fixed.
    return tuple(_fold(key) for key in keys if isinstance(key, str) and key)


def _fold(key: str) -> str:
    # Headers spell with hyphens what code spells with underscores: X-Api-Key, api_key.
    return key.lower().replace("-", "_")


@lru_cache(maxsize=16)
def _byte_needles(needles: tuple[str, ...]) -> tuple[bytes, ...] | None:
    if not all(needle.isascii() for needle in needles):
        return None  # JSON may escape non-ASCII: the bytes cannot rule anything out
    return tuple(needle.encode() for needle in needles)


#: Key names repeat across millions of records: remember each verdict.
_KEY_VERDICTS: dict[tuple[tuple[str, ...], str], bool] = {}
_MAX_KEY_VERDICTS = 50_000


def _matches(key: str, needles: tuple[str, ...]) -> bool:
    verdict = _KEY_VERDICTS.get((needles, key))
    if verdict is None:
        folded = _fold(key)
        verdict = any(needle in folded for needle in needles)
        if len(_KEY_VERDICTS) >= _MAX_KEY_VERDICTS:
            _KEY_VERDICTS.clear()
        _KEY_VERDICTS[(needles, key)] = verdict
    return verdict


def _redact(value: Any, needles: tuple[str, ...], mask: str) -> Any:
    if isinstance(value, dict):
        return _redact_dict(value, needles, mask)
    if isinstance(value, list | tuple):
        return _redact_list(value, needles, mask)
    if isinstance(value, str):
        return _redact_text(value, needles, mask)
    return value


def _redact_dict(value: dict[Any, Any], needles: tuple[str, ...], mask: str) -> dict[Any, Any]:
    changed = False
    result: dict[Any, Any] = {}
    for key, item in value.items():
        if isinstance(key, str) and _matches(key, needles):
            new = mask
        else:
            new = _redact(item, needles, mask)
        changed = changed or new is not item
        result[key] = new
    return result if changed else value


def _redact_list(value: list[Any] | tuple[Any, ...], needles: tuple[str, ...], mask: str) -> Any:
    changed = False
    result: list[Any] = []
    for item in value:
        new = _redact_item(item, needles, mask)
        changed = changed or new is not item
        result.append(new)
    if not changed:
        return value
    return tuple(result) if isinstance(value, tuple) else result


def _redact_item(item: Any, needles: tuple[str, ...], mask: str) -> Any:
    """One element of a list: a header pair, a header string, or anything nested."""
    if (
        isinstance(item, list | tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and _matches(item[0], needles)
    ):
        pair = [item[0], mask]
        return tuple(pair) if isinstance(item, tuple) else pair
    if isinstance(item, str):
        match = _HEADER_STRING.match(item)
        if match and _matches(match.group(1), needles):
            return f"{match.group(1)}: {mask}"
        return _redact_text(item, needles, mask)
    return _redact(item, needles, mask)
