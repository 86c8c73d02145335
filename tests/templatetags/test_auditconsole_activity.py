from __future__ import annotations

from django.template import Context, Template
from django.test import RequestFactory


def render(source: str, path: str, **context) -> str:
    request = RequestFactory().get(path)
    template = Template("{% load auditconsole_activity %}" + source)
    return template.render(Context({"request": request, **context}))


def test_filter_url_keeps_filters_and_drops_paging() -> None:
    html = render(
        '{% filter_url period="7d" since=None %}',
        "/audit/activity/?action=2&since=2026-01-01&after=x",
    )
    assert html == "/audit/activity/?action=2&amp;period=7d"


def test_filter_url_uses_the_list_path_when_given() -> None:
    html = render(
        "{% filter_url content_type=key %}",
        "/audit/user/3/summary/",
        page_path="/audit/user/3/",
        key="demo.ticket",
    )
    assert html == "/audit/user/3/?content_type=demo.ticket"


def test_filter_url_as_variable() -> None:
    html = render("{% filter_url action=1 as url %}<a href='{{ url }}'>", "/x/")
    assert html == "<a href='/x/?action=1'>"
