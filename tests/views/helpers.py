"""Calling a view class directly, for the tests of the hooks a subclass overrides."""

from __future__ import annotations

from typing import Any

from django_htmx.middleware import HtmxDetails


def answer(view: Any, rf: Any, user: Any, url: str, **kwargs: Any) -> Any:
    """``view`` (an ``as_view()`` function) answering ``user``'s GET of ``url``, rendered."""
    request = rf.get(url)
    request.user = user
    request.htmx = HtmxDetails(request)
    response = view(request, **kwargs)
    return response.render() if hasattr(response, "render") else response
