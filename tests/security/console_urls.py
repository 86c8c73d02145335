"""Every URL the console serves, found by walking the URLconf, and how to call each one.

The security tests (permission matrix, path safety, read-only walk, CSP walk) all start
from :func:`console_urls`, so a URL added to ``auditconsole/urls.py`` is covered by all of
them at once. :func:`access_for` says which permission a URL requires; a URL it cannot
classify makes the matrix fail, so no URL is added without deciding who may open it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from auditconsole.permissions import EXPORT, VIEW_ACCESS, VIEW_ACTIVITY, VIEW_LOGS

NAMESPACE = "auditconsole"

#: Access level of the landing page: any one console permission.
ANY_CONSOLE = "any console permission"

#: Who may open each console URL. Two conventions cover URLs written after this table:
#: a name ending in ``_export`` or ``_export_csv`` is an export (needs EXPORT), and
#: ``tail`` / ``tail_*`` is the live tail (needs VIEW_LOGS). Anything else must be added
#: here by hand.
ACCESS: dict[str, str] = {
    "index": ANY_CONSOLE,
    "activity": VIEW_ACTIVITY,
    "activity_facets": VIEW_ACTIVITY,
    "activity_chart": VIEW_ACTIVITY,
    "activity_trails": VIEW_ACTIVITY,
    "user": VIEW_ACTIVITY,
    "user_facets": VIEW_ACTIVITY,
    "user_chart": VIEW_ACTIVITY,
    "user_summary": VIEW_ACTIVITY,
    "user_trails": VIEW_ACTIVITY,
    "object": VIEW_ACTIVITY,
    "sources": VIEW_LOGS,
    "merged": VIEW_LOGS,
    "source": VIEW_LOGS,
    "source_facets": VIEW_LOGS,
    "record": VIEW_LOGS,
    "tail_index": VIEW_LOGS,
    # A user's past exports (read back from the console's own log): part of their page.
    "user_exports": VIEW_ACTIVITY,
    # An export's signed manifest, read from its record in the console's own log.
    "export_manifest": VIEW_LOGS,
    # The public key that verifies manifests: public, for any console user.
    "signing_key": ANY_CONSOLE,
    # Who looked at what (view_access on top of view_activity).
    "user_searches": VIEW_ACCESS,
    "object_viewers": VIEW_ACCESS,
}
#: Exports: the confirmation page (``*_export``) and the file itself (``*_export_csv``).
EXPORT_NAME = re.compile(r"_export(_csv)?$")

#: URL kwargs that name a log source, a record or a position: the path-safety targets.
SOURCE_KWARGS = frozenset({"key"})
TOKEN_KWARGS = frozenset({"ref", "cursor", "token"})


@dataclass(frozen=True)
class ConsoleUrl:
    name: str
    route: str
    params: tuple[str, ...]

    @property
    def qualified(self) -> str:
        return f"{NAMESPACE}:{self.name}"

    @property
    def is_export(self) -> bool:
        return EXPORT_NAME.search(self.name) is not None

    @property
    def is_csv(self) -> bool:
        """Answers the exported file itself (the others answer HTML pages)."""
        return self.is_export and self.name.endswith("_csv")

    @property
    def is_merged(self) -> bool:
        """Merged log views take their sources from ``?sources=``."""
        return "merged" in self.name.split("_")

    def reverse(self, **kwargs: Any) -> str:
        return reverse(self.qualified, kwargs=kwargs or None)


def access_for(name: str) -> str | None:
    if name in ACCESS:
        return ACCESS[name]
    if EXPORT_NAME.search(name):
        return EXPORT
    if name == "tail" or name.startswith("tail_"):
        return VIEW_LOGS
    return None


def _params(pattern: URLPattern | URLResolver) -> tuple[str, ...]:
    route = pattern.pattern
    converters = getattr(route, "converters", None)
    if converters is not None:
        return tuple(converters)
    return tuple(route.regex.groupindex)


def _walk(patterns: Iterable[Any], prefix: str, params: tuple[str, ...]) -> Iterable[ConsoleUrl]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        found = params + _params(pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route, found)
        else:
            yield ConsoleUrl(name=pattern.name or "", route=route, params=found)


def console_urls() -> list[ConsoleUrl]:
    """The console's URLs as mounted by the project, in URLconf order."""
    _, resolver = get_resolver().namespace_dict[NAMESPACE]
    return list(_walk(resolver.url_patterns, "", ()))


def url_names() -> set[str]:
    return {url.name for url in console_urls()}


@dataclass
class Samples:
    """Concrete values for URL kwargs, taken from the test's data (see the ``world`` fixture)."""

    values: dict[str, Callable[[], Any]]

    def kwargs_for(self, url: ConsoleUrl, **overrides: Any) -> dict[str, Any]:
        missing = [p for p in url.params if p not in self.values and p not in overrides]
        if missing:
            raise LookupError(
                f"No sample value for {url.name!r} parameter(s) {missing}: "
                "add them to the security tests' samples (tests/security/conftest.py)."
            )
        return {p: overrides[p] if p in overrides else self.values[p]() for p in url.params}

    def path_for(self, url: ConsoleUrl, **overrides: Any) -> str:
        """The URL with sample kwargs, and ``?sources=app`` for merged views."""
        path = url.reverse(**self.kwargs_for(url, **overrides))
        if url.is_merged:
            path += "?sources=" + str(overrides.get("sources", "app"))
        return path


def body_of(response: Any) -> bytes:
    """The whole body, streamed or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
