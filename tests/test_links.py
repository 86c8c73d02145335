from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.http import QueryDict

from auditconsole.links import given_params, source_path, source_url, url_with
from auditconsole.sources.merged import MergedSource
from auditconsole.sources.registry import get_source
from tests.sources.helpers import config


def test_changes_and_removals() -> None:
    params = QueryDict("user=3&action=change&q=")
    assert url_with("/a/", params, {"action": None}) == "/a/?user=3"
    assert url_with("/a/", params, {"action": "deletion"}) == "/a/?user=3&action=deletion"
    assert url_with("/a/", params, {"user": None, "action": None}) == "/a/"


def test_paging_is_dropped_by_default() -> None:
    params = QueryDict("after=2026~1&page=2&before=x&sort=user")
    assert url_with("/a/", params) == "/a/?sort=user"
    assert url_with("/a/", params, drop=()) == "/a/?after=2026~1&page=2&before=x&sort=user"
    assert url_with("/a/", params, {"after": "t~9"}) == "/a/?sort=user&after=t~9"


def test_values_are_encoded_and_lists_kept() -> None:
    params = QueryDict("q=a%26b%3Dc&tag=1&tag=2&tag=")
    assert url_with("/a/", params) == "/a/?q=a%26b%3Dc&tag=1&tag=2"
    assert url_with("/a/", params, {"q": "x y"}) == "/a/?tag=1&tag=2&q=x+y"


def test_changes_as_keywords_lists_and_the_cursor() -> None:
    params = QueryDict("level=ERROR&cursor=abc&sources=a")
    assert url_with("/l/", params) == "/l/?level=ERROR&sources=a"  # the cursor is paging too
    assert url_with("/l/", params, cursor="xyz") == "/l/?level=ERROR&sources=a&cursor=xyz"
    assert url_with("/l/", params, {"level": None}, q="x") == "/l/?sources=a&q=x"
    assert url_with("/l/", QueryDict(), {"sources": ["b", "", "c"]}) == "/l/?sources=b&sources=c"


def test_given_params_keeps_the_named_non_blank_values_in_order() -> None:
    params = QueryDict("q=x&field=a%3D1&field=+&level=&cursor=t")
    assert given_params(params, ("level", "field", "q")) == {"field": ["a=1"], "q": ["x"]}


@pytest.fixture
def two(settings: Any, tmp_path: Path) -> MergedSource:
    settings.AUDITCONSOLE_LOG_SOURCES = {
        key: config(tmp_path / f"{key}.log") for key in ("app", "api")
    }
    return MergedSource([get_source("app"), get_source("api")])


def test_source_pages_name_one_source_in_the_path_several_in_the_query(two) -> None:
    app = two.sources[0]
    assert source_path(app, "browse") == "/audit/logs/app/"
    assert source_path(two, "export_csv") == "/audit/logs/merged/export.csv"
    assert source_url(app, "tail") == "/audit/tail/app/"
    assert source_url(two, "tail") == "/audit/tail/merged/?sources=app&sources=api"
    # A page's own query string: a single source's carries no sources; a merged one's are
    # kept as the page was asked for.
    page = QueryDict("sources=api&sources=app&level=ERROR&cursor=abc")
    assert source_url(app, "export", page) == "/audit/logs/app/export/?level=ERROR"
    assert source_url(two, "export", page) == (
        "/audit/logs/merged/export/?sources=api&sources=app&level=ERROR"
    )
    assert source_url(two, "browse", QueryDict("q=x")) == (
        "/audit/logs/merged/?sources=app&sources=api&q=x"
    )
