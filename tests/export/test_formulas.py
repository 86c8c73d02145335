"""OWASP's CSV-injection rule: a leading ' on every cell that could start a formula."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditconsole.export.formulas import ESCAPE, FORMULA_PREFIXES, escape_formula


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_every_dangerous_prefix_is_escaped(prefix):
    assert escape_formula(f"{prefix}HYPERLINK(1)") == f"'{prefix}HYPERLINK(1)"


def test_the_prefixes_are_owasps():
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize(
    "value", ["plain", "", " =not at the start", "'already quoted", "5", "\n="]
)
def test_other_text_is_unchanged(value):
    assert escape_formula(value) == value


def test_numbers_are_escaped_like_text():
    # One rule for every cell: -5 is escaped too (documented in docs/export.md).
    assert escape_formula(-5) == "'-5"
    assert escape_formula(5) == "5"


def test_none_is_the_empty_cell():
    assert escape_formula(None) == ""


@given(st.text())
def test_escaped_text_never_starts_a_formula(text):
    escaped = escape_formula(text)
    assert not escaped or escaped[0] not in FORMULA_PREFIXES
    assert escaped.removeprefix(ESCAPE) == text or escaped == text
