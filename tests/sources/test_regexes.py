"""User regular expressions run on RE2: linear time, and a clear form error for what it refuses."""

from __future__ import annotations

import pytest

from auditconsole.sources import regexes
from auditconsole.sources.query import LogFilterForm, Query
from auditconsole.sources.regexes import UnsupportedRegex, compile_user_regex
from tests.sources.test_query import rec


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        (r"(\w+)\1", "uses a back-reference, which needs backtracking"),
        (r"x(?=y)", "uses look-ahead, which needs backtracking"),
        (r"x(?!y)", "uses look-ahead"),
        (r"(?<!x)y", "uses look-behind"),
        (r"(?>a+)b", "uses an atomic group"),
        (r"a*+b", "uses a possessive repetition"),
        (r"(a)?(?(1)b|c)", "uses a conditional"),
        (r"end\Z", "an escape the linear-time engine (RE2) does not know"),
        (r"a{1001}", "too large for the linear-time engine"),
        (r"(x{1000}){1000}", "too large for the linear-time engine"),
        (r"[[:nope:]]", "cannot run this regular expression: invalid character class"),
        (r"(unclosed", "Not a valid regular expression: missing ), unterminated subpattern"),
    ],
)
def test_what_re2_refuses_is_explained(pattern: str, says: str) -> None:
    with pytest.raises(UnsupportedRegex) as caught:
        compile_user_regex(pattern)
    assert says in str(caught.value)
    form = LogFilterForm({"q": pattern, "regex": "1"})
    assert not form.is_valid()
    assert form.errors["q"] == [str(caught.value)]


@pytest.mark.parametrize("pattern", ["(a+)+$", "(.|\\s)*!x", "(a|aa)+$", "((a*)*)*b", ".*[xy]z"])
def test_once_catastrophic_patterns_now_run_in_linear_time(pattern: str) -> None:
    """Each took minutes to days (or 19 s for ``.*[xy]z``) on such a line under ``re``."""
    line = "a" * 65535 + "!"
    assert LogFilterForm({"q": pattern, "regex": "1"}).is_valid()
    assert compile_user_regex(pattern).search(line) is None
    assert not Query(text=pattern, regex=True).matches(rec(message=line))


def test_patterns_match_case_insensitively_like_the_text_filter() -> None:
    assert compile_user_regex(r"inv\w+ SENT").search("Invoice sent") is not None
    assert compile_user_regex(r"^sent").search("Invoice sent") is None
    assert compile_user_regex("café").search("CAFÉ au lait") is not None


def test_a_program_too_big_for_the_memory_cap_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(regexes, "MAX_PROGRAM_MEMORY", 1 << 12)
    with pytest.raises(UnsupportedRegex, match="too large"):
        compile_user_regex("(abcdefgh){100}")
