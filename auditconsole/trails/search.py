"""The activity filters asked of every trail: the query, who answers it, the trail facet.

The activity list's own form (:class:`~auditconsole.activity.search.ActivitySearch`) is
read into one :class:`TrailQuery`. A trail that cannot answer one of its filters is left
out of the result and named on the page with the filters it cannot answer: it is never
asked the question without them. ``?trail=`` (repeated) narrows the result to some trails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import QueryDict

from auditconsole.activity.filters import ACTION, CONTENT_TYPE, OBJECT_ID, QUERY, USER
from auditconsole.activity.scoping import Scope
from auditconsole.activity.search import ActivitySearch
from auditconsole.links import url_with
from auditconsole.trails import base
from auditconsole.trails.base import Trail, TrailQuery

#: The query-string name of the trail facet (repeated).
TRAIL = "trail"
#: Counts stop here, shown as "500+": a count is one bounded read per trail.
FACET_CAP = 500
#: How each filter is named on the page.
FILTER_LABELS: dict[str, str] = {
    base.MODEL: "model",
    base.OBJECT: "object id",
    base.USER: "user",
    base.ACTION: "action",
    base.DATE: "date",
    base.TEXT: "search",
}


def trail_query(search: ActivitySearch) -> TrailQuery:
    """The search's valid filters as one query (the user page's user included)."""
    cleaned = search.cleaned
    user = search.user if search.user is not None else cleaned.get(USER)
    since, until = search.window()
    action = cleaned.get(ACTION)
    return TrailQuery(
        content_type=cleaned.get(CONTENT_TYPE),
        object_id=cleaned.get(OBJECT_ID) or None,
        user_id=user.pk if user is not None else None,
        actions=frozenset({action}) if action else frozenset(),
        since=since,
        until=until,
        text=cleaned.get(QUERY) or None,
    )


@dataclass(frozen=True)
class Refusal:
    """A trail left out because it cannot answer some of the filters."""

    trail: Trail
    filters: tuple[str, ...]

    @property
    def text(self) -> str:
        return ", ".join(FILTER_LABELS.get(name, name) for name in self.filters)


def answering(trails: Sequence[Trail], query: TrailQuery) -> tuple[list[Trail], list[Refusal]]:
    """The trails that can answer ``query``, and why each of the others cannot."""
    able, refused = [], []
    for trail in trails:
        missing = trail.unanswerable(query)
        if missing:
            refused.append(Refusal(trail, tuple(sorted(missing))))
        else:
            able.append(trail)
    return able, refused


def selected_trails(trails: Sequence[Trail], params: QueryDict) -> list[Trail]:
    """The trails ``?trail=`` names (all of them when it names none the viewer may see)."""
    wanted = set(params.getlist(TRAIL))
    chosen = [trail for trail in trails if trail.key in wanted]
    return chosen or list(trails)


@dataclass(frozen=True)
class TrailFacetChoice:
    key: str
    label: str
    #: ``None`` for a trail that cannot answer the filters (it is not counted).
    count: int | None
    capped: bool
    selected: bool
    url: str


def trail_facet(
    trails: Sequence[Trail],
    query: TrailQuery,
    scope: Scope,
    *,
    selected: Sequence[Trail],
    path: str,
    params: QueryDict,
) -> list[TrailFacetChoice]:
    """Each visible trail with its count under the other filters (not the trail facet's
    own), up to :data:`FACET_CAP`; the link shows that trail alone."""
    chosen = {trail.key for trail in selected}
    everything = len(chosen) == len(trails)
    choices = []
    for trail in trails:
        count = None
        if not trail.unanswerable(query):
            count = trail.count(query, scope, cap=FACET_CAP + 1)
        choices.append(
            TrailFacetChoice(
                key=trail.key,
                label=trail.label,
                count=None if count is None else min(count, FACET_CAP),
                capped=count is not None and count > FACET_CAP,
                selected=not everything and trail.key in chosen,
                url=url_with(path, params, {TRAIL: trail.key}),
            )
        )
    return choices
