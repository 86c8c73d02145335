from __future__ import annotations

import pytest
from django.template import Context, Template

from auditconsole.templatetags.auditconsole_logs import path_segments


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("request_repr.method", ["request_repr.", "method"]),
        ("response_repr.status_code", ["response_repr.", "status_code"]),
        ("user_id", ["user_id"]),
        ("log.level", ["log.", "level"]),
        ("a..b", ["a..", "b"]),
        (".hidden", [".", "hidden"]),
        ("", []),
    ],
)
def test_path_segments_break_after_dots_only(path: str, segments: list[str]) -> None:
    assert path_segments(path) == segments
    assert "".join(segments) == path  # nothing lost, nothing added


def test_a_header_gets_break_opportunities_and_stays_escaped() -> None:
    template = Template(
        "{% load auditconsole_logs %}{% for s in path|path_segments %}{{ s }}"
        "{% if not forloop.last %}<wbr>{% endif %}{% endfor %}"
    )
    rendered = template.render(Context({"path": "request_repr.<b>x</b>"}))
    assert rendered == "request_repr.<wbr>&lt;b&gt;x&lt;/b&gt;"
