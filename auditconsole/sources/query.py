"""What a user asks of a log source: the filter form and the :class:`Query` it produces.

JSON-lines sources are not QuerySets, so this is a plain Django form whose cleaned data
becomes a frozen :class:`Query`; sources apply it record by record. Query-string names
are module constants: they are public API (people bookmark filtered views).

* ``level``: minimum level (``AUDIT`` keeps AUDIT/API/LOGIN and everything from WARNING up)
* ``logger``: logger name prefix
* ``q``: text (case-insensitive substring), or a regular expression with ``regex=1``
* ``since`` / ``until``: ISO date-times (naive ones in the user's time zone) or a duration
  back from now (``15m``, ``2h``, ``7d``), so a bookmark can mean "the last hour"
* ``field``: repeatable ``name=value`` (``status=failed``, ``user_id=14``,
  ``request_repr.method=POST``); ``name!=value`` excludes
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone

from auditconsole.conf import conf
from auditconsole.sources import levels
from auditconsole.sources.cursor import MAX_TOKEN_LENGTH
from auditconsole.sources.records import MISSING, Record
from auditconsole.sources.regexes import LinePattern, UnsupportedRegex, compile_user_regex

LEVEL = "level"
LOGGER = "logger"
TEXT = "q"
REGEX = "regex"
SINCE = "since"
UNTIL = "until"
FIELD = "field"
CURSOR = "cursor"
SOURCES = "sources"

#: The filters of :class:`LogFilterForm` (the cursor is a position, not a filter; ``sources``
#: belongs to the merged view): what an export reads and records.
FILTER_PARAMS: tuple[str, ...] = (LEVEL, LOGGER, TEXT, REGEX, SINCE, UNTIL, FIELD)

MAX_FIELD_FILTERS = 10
MAX_REGEX_LENGTH = 300
_FIELD_NAME = re.compile(r"^[\w@.\-]+$")
_RELATIVE = re.compile(r"^-?\s*(\d{1,6})\s*([smhdw])$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_NULL = frozenset({"null", "none", ""})
_LEVEL_LABELS = {"API": "API", "AUDIT": "Audit", "LOGIN": "Login"}

LEVEL_CHOICES: list[tuple[str, str]] = [("", "Any level")] + [
    (name, _LEVEL_LABELS.get(name, name.title())) for name, _ in levels.CANONICAL
]


@dataclass(frozen=True)
class FieldFilter:
    """``path`` (dotted) equals ``value``, compared the way the value is typed in the log:
    ``user_id=14`` matches the number 14 and the string "14"; strings compare
    case-insensitively; a list matches when any element does."""

    path: tuple[str, ...]
    value: str
    negate: bool = False

    @classmethod
    def parse(cls, text: str) -> FieldFilter:
        name, sep, value = text.partition("=")
        if not sep:
            raise ValueError(f"“{text}” is not name=value.")
        negate = name.endswith("!")
        name = name.removesuffix("!").strip()
        if not name or not _FIELD_NAME.match(name) or "" in name.split("."):
            raise ValueError(f"“{name}” is not a field name (letters, digits, _ . - @).")
        return cls(tuple(name.split(".")), value.strip(), negate)

    @property
    def name(self) -> str:
        return ".".join(self.path)

    def __str__(self) -> str:
        return f"{self.name}{'!=' if self.negate else '='}{self.value}"

    def matches(self, record: Record) -> bool:
        value = record.lookup(self.path)
        found = value is not MISSING and _equal(value, self.value)
        return found != self.negate

    @property
    def needle(self) -> bytes | None:
        """Bytes every matching raw line must contain, if that can be known safely."""
        if self.negate:
            return None
        text = self.value.lower()
        if text in _TRUE or text in _FALSE or text in _NULL:
            return None
        try:
            number = float(text)
        except ValueError:
            return _safe_needle(text)
        # "14" is in both 14 and 14.0 as written; "14.0" or "014" is not in 14.
        if number.is_integer() and str(int(number)) == text:
            return _safe_needle(text)
        return None


def _equal(value: Any, text: str) -> bool:
    if isinstance(value, list):
        return any(_equal(item, text) for item in value)
    if isinstance(value, bool):
        lowered = text.lower()
        return (lowered in _TRUE) if value else (lowered in _FALSE)
    if value is None:
        return text.lower() in _NULL
    if isinstance(value, int | float):
        try:
            return float(text) == value
        except ValueError:
            return False
    if isinstance(value, str):
        return value.lower() == text.lower()
    return False


def _safe_needle(text: str) -> bytes | None:
    """A lower-case needle safe to look for in raw bytes, or ``None``.

    JSON writers escape ``"``, ``\\``, control characters and (with ``ensure_ascii``)
    everything non-ASCII, so only plain printable ASCII is certain to appear verbatim.
    A needle inside the redaction placeholder could only match masked text.
    """
    if not text or not text.isascii() or not text.isprintable() or '"' in text or "\\" in text:
        return None
    if text in conf.REDACTED_PLACEHOLDER.lower():
        return None
    return text.encode()


@dataclass(frozen=True)
class Query:
    min_level: int | None = None
    level_name: str = ""
    logger: str = ""
    text: str = ""
    regex: bool = False
    since: datetime | None = None
    until: datetime | None = None
    fields: tuple[FieldFilter, ...] = field(default=())

    @cached_property
    def _pattern(self) -> LinePattern | None:
        return compile_user_regex(self.text) if self.regex and self.text else None

    @cached_property
    def _lowered(self) -> str:
        return self.text.lower()

    @cached_property
    def needle(self) -> bytes | None:
        """The prefilter: raw lines without these bytes (lower-cased) cannot match."""
        candidates: list[bytes] = []
        if self.text and not self.regex:
            text_needle = _safe_needle(self._lowered)
            if text_needle is not None:
                candidates.append(text_needle)
        candidates.extend(n for n in (f.needle for f in self.fields) if n is not None)
        return max(candidates, key=len) if candidates else None

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.min_level is not None
            or self.logger
            or self.text
            or self.since
            or self.until
            or self.fields
        )

    def matches(self, record: Record) -> bool:
        return self.evaluate(record)[0]

    def evaluate(self, record: Record) -> tuple[bool, bool, bool]:
        """(matches, matches ignoring the level filter, matches ignoring the logger filter).

        The last two feed the facets, which, as in the admin's, count with the *other*
        filters applied.
        """
        if not self._matches_common(record):
            return False, False, False
        level_ok = self.min_level is None or record.levelno >= self.min_level
        logger_ok = not self.logger or record.logger.startswith(self.logger)
        return level_ok and logger_ok, logger_ok, level_ok

    def _matches_common(self, record: Record) -> bool:
        if self.since is not None or self.until is not None:
            when = record.time
            if when is None:
                return False
            if self.since is not None and when < self.since:
                return False
            if self.until is not None and when > self.until:
                return False
        if self.text:
            if self._pattern is not None:
                if self._pattern.search(record.search_text) is None:
                    return False
            elif self._lowered not in record.search_text.lower():
                return False
        return all(f.matches(record) for f in self.fields)


# -- the form ---------------------------------------------------------------------------


class TimeBoundInput(forms.TextInput):
    input_type = "text"


class TimeBoundField(forms.CharField):
    """An ISO date-time, or a duration back from now (``15m``, ``2h``, ``7d``)."""

    widget = TimeBoundInput
    default_error_messages = {
        "invalid": "Enter a date and time such as 2026-04-04 12:30, or a duration such as "
        "15m, 2h or 7d.",
    }

    def clean(self, value: Any) -> datetime | None:
        text = super().clean(value)
        if not text:
            return None
        relative = _RELATIVE.match(text)
        if relative:
            amount, unit = relative.groups()
            return timezone.now() - timedelta(**{_UNITS[unit.lower()]: int(amount)})
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed


class SwitchInput(forms.CheckboxInput):
    """A checkbox that sends ``name=1``, as links and bookmarks write it (not ``name=on``)."""

    def format_value(self, value: Any) -> str:
        return "1"


class RepeatedTextInput(forms.TextInput):
    """A text input whose value is every occurrence of its name in the query string."""

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> list[str]:
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            return list(getlist(name))
        value = data.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]

    def format_value(self, value: Any) -> str | None:
        return None  # each filter is rendered by the template, one input per value


class FieldFiltersField(forms.Field):
    widget = RepeatedTextInput

    def clean(self, value: Any) -> tuple[FieldFilter, ...]:
        items = [str(item).strip() for item in (value or []) if str(item).strip()]
        if len(items) > MAX_FIELD_FILTERS:
            raise forms.ValidationError(f"At most {MAX_FIELD_FILTERS} field filters.")
        filters = []
        errors = []
        for item in items:
            try:
                filters.append(FieldFilter.parse(item))
            except ValueError as exc:
                errors.append(str(exc))
        if errors:
            raise forms.ValidationError(errors)
        return tuple(filters)


class LogFilterForm(forms.Form):
    level = forms.ChoiceField(choices=LEVEL_CHOICES, required=False, label="Minimum level")
    logger = forms.CharField(
        required=False,
        max_length=200,
        label="Logger starts with",
        widget=forms.TextInput(attrs={"placeholder": "apps.billing"}),
    )
    q = forms.CharField(
        required=False,
        max_length=500,
        label="Text",
        widget=forms.SearchInput(attrs={"placeholder": "Words in the line"}),
    )
    regex = forms.BooleanField(required=False, label="Regular expression", widget=SwitchInput)
    since = TimeBoundField(
        required=False,
        max_length=40,
        label="Since",
        widget=TimeBoundInput(attrs={"placeholder": "2026-04-04 12:00 or 1h"}),
    )
    until = TimeBoundField(
        required=False,
        max_length=40,
        label="Until",
        widget=TimeBoundInput(attrs={"placeholder": "2026-04-04 13:00"}),
    )
    field = FieldFiltersField(
        required=False,
        label="Field equals",
        # Renders the blank input that adds a filter; the template renders one per value.
        widget=RepeatedTextInput(
            attrs={"placeholder": "status=failed", "aria-label": "New field filter"}
        ),
    )
    cursor = forms.CharField(required=False, max_length=MAX_TOKEN_LENGTH, widget=forms.HiddenInput)

    def clean_q(self) -> str:
        text: str = self.cleaned_data.get(TEXT, "")
        if "\n" in text or "\r" in text:
            raise forms.ValidationError("Search for one line of text at a time.")
        return text

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        text = cleaned.get(TEXT)
        if cleaned.get(REGEX) and text:
            if len(text) > MAX_REGEX_LENGTH:
                self.add_error(
                    TEXT, f"Keep regular expressions under {MAX_REGEX_LENGTH} characters."
                )
            else:
                try:
                    compile_user_regex(text)
                except UnsupportedRegex as exc:
                    self.add_error(TEXT, str(exc))
        since, until = cleaned.get(SINCE), cleaned.get(UNTIL)
        if since and until and since > until:
            self.add_error(UNTIL, "“Until” must be after “since”.")
        return cleaned

    def to_query(self) -> Query:
        """The :class:`Query` for valid data (call after ``is_valid()``)."""
        data = self.cleaned_data
        level_name = data.get(LEVEL) or ""
        return Query(
            min_level=levels.number_for_name(level_name) if level_name else None,
            level_name=level_name,
            logger=data.get(LOGGER) or "",
            text=data.get(TEXT) or "",
            regex=bool(data.get(REGEX)),
            since=data.get(SINCE),
            until=data.get(UNTIL),
            fields=data.get(FIELD) or (),
        )

    @property
    def field_values(self) -> list[str]:
        """The raw ``field`` values, to render one input per filter."""
        values: list[str] = self.fields[FIELD].widget.value_from_datadict(self.data, None, FIELD)
        return values


class MergedFilterForm(LogFilterForm):
    """The filters of a merged view, plus which sources to merge."""

    sources = forms.MultipleChoiceField(
        required=True, label="Sources", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, source_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields[SOURCES]).choices = source_choices


#: The query-string parameters that make up a live tail's permalink (the position is not one).
TAIL_PARAMS: tuple[str, ...] = (SOURCES, LEVEL, LOGGER, TEXT, REGEX, FIELD)


def filter_params(params: QueryDict) -> QueryDict:
    """The live tail's filters in ``params``, without the position or blank values.

    That is the tail's permalink: what goes into the address bar.
    """
    clean = QueryDict(mutable=True)
    for name in TAIL_PARAMS:
        values = [value for value in params.getlist(name) if value.strip()]
        if values:
            clean.setlist(name, values)
    return clean


class TailFilterForm(LogFilterForm):
    """The browse filters that make sense for lines still being written.

    A time range would either match every new line (``since``) or none (``until``), so
    they are left out; the position is read and verified apart (a bad one is a 400).
    """

    # None removes an inherited field (as Django documents), which the stubs do not model.
    since = None  # type: ignore[assignment]
    until = None  # type: ignore[assignment]
    cursor = None  # type: ignore[assignment]
