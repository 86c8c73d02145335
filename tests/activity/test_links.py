from __future__ import annotations

from django.http import QueryDict

from auditconsole.activity.links import url_with


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
