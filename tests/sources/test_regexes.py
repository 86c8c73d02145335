"""Regular expressions that could backtrack exponentially are refused, with a reason."""

from __future__ import annotations

import pytest

from auditconsole.sources.query import LogFilterForm
from auditconsole.sources.regexes import ALTERNATION, NESTED, backtracking_risk


@pytest.mark.parametrize(
    ("pattern", "risk"),
    [
        (r"(a+)+$", NESTED),
        (r"(x+x+)+y", NESTED),
        (r"((ab)*)*", NESTED),
        (r"(a{1,20})+", NESTED),
        (r"(a*)*?b", NESTED),  # lazy repetitions backtrack just the same
        (r"(?:a++)+b", NESTED),  # possessive inner repeat: still counted
        (r"(?>(a+)+b)", NESTED),  # inside an atomic group
        (r"x(?=(a+)+)", NESTED),  # inside a lookahead
        (r"(?<!(a|b)+)x", None),  # a look-behind must be fixed-width: re refuses it first
        (r"(a)?(?(1)(b+)+|c)", NESTED),  # the "yes" branch of a conditional
        (r"(a)?(?(1)c|(b+)+)", NESTED),  # the "no" branch
        (r"(a)?(?(1)c)", None),  # a conditional without "no" branch
        (r"(.|\s)*x", ALTERNATION),
        (r"(GET|POST)+", ALTERNATION),  # harmless, refused all the same (see the module)
        (r"x|(y+)+", NESTED),  # a risk in the second alternative of a top-level branch
        (r"ERROR.*timeout", None),
        (r'user_id":\s*14\b', None),
        (r"(?:GET|POST) /api/v\d+/", None),
        (r"(\d{1,3}\.){3}\d{1,3}", None),  # bounded repetitions of bounded ones
        (r"(a{1,5}){1,5}", None),
        (r"a*+b", None),
        (r"[", None),  # not a regular expression: the form says so itself
    ],
)
def test_backtracking_risk(pattern: str, risk: str | None) -> None:
    assert backtracking_risk(pattern) == risk


def test_the_filter_form_refuses_exponential_patterns() -> None:
    form = LogFilterForm({"q": "(a+)+$", "regex": "1"})
    assert not form.is_valid()
    assert form.errors["q"] == [NESTED]
    # As plain text the same characters are just a search for those characters.
    assert LogFilterForm({"q": "(a+)+$"}).is_valid()
    assert LogFilterForm({"q": "ERROR.*timeout", "regex": "1"}).is_valid()
