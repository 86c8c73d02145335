"""What an export is of, in the terms of its manifest: page, filters, time range, sources.

Read from the plan that validated the request (the page's own form), once, before the
first row. Every text that came from the user goes through :mod:`auditconsole.redaction`
first: the manifest is stored in the console's log, and what a log source reads back is
redacted, so a manifest holding a secret would not survive the round trip (nor should
the secret be in the log). Redacting twice changes nothing, so the manifest read back is
the manifest signed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.models import LogEntry
from django.http import QueryDict

from auditconsole.activity.filters import PERIOD, PERIODS_BY_KEY, SINCE, UNTIL
from auditconsole.export.plans import ActivityPlan, ExportPlan, SourcePlan, TrailPlan
from auditconsole.links import url_with
from auditconsole.redaction import Redactor
from auditconsole.sources.merged import MergedSource


@dataclass(frozen=True)
class ExportSubject:
    """The parts of a manifest that describe the query (all redacted)."""

    #: The page exported, with its filters: ``/audit/activity/?action=change``.
    page: str
    #: The filters in words, as the confirmation page showed them: ``[("Action", "Change")]``.
    words: tuple[tuple[str, str], ...] = ()
    #: The filters as query parameters (the plan's ``params``).
    params: dict[str, list[str]] = field(default_factory=dict)
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    #: What the rows come from: ``{"kind": "activity", "table": ...}`` or
    #: ``{"kind": "log", "key": ..., "label": ...}`` for each log source.
    sources: tuple[dict[str, str], ...] = ()

    def as_fields(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "filters": {"words": [list(pair) for pair in self.words], "params": self.params},
            "time_range": {"since": utc_text(self.since), "until": utc_text(self.until)},
            "sources": [dict(source) for source in self.sources],
        }


def describe(plan: ExportPlan) -> ExportSubject:
    redactor = Redactor()
    params = redactor.redact(plan.params)
    words = tuple((label, redactor.redact_text(value)) for label, value in plan.summary)
    page = url_with(plan.page_url().partition("?")[0], QueryDict(), params)
    since, until = time_range(plan)
    return ExportSubject(
        page=page,
        words=words,
        params=params,
        since=since,
        until=until,
        sources=sources_of(plan),
    )


def time_range(plan: ExportPlan) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The instants the filters select between, whatever way they were given.

    Activity: ``since`` (inclusive) and ``until`` (exclusive; a date means the whole day),
    a ``period`` turned into its start at the moment of the export. Logs: the source
    query's bounds (inclusive), a duration (``7d``) turned into its instant.
    """
    if isinstance(plan, ActivityPlan):
        cleaned = plan.search.cleaned
        since = cleaned.get(SINCE)
        period = cleaned.get(PERIOD)
        if period:
            start = PERIODS_BY_KEY[period].start(plan.search.now)
            since = max(since, start) if since else start
        return since, cleaned.get(UNTIL)
    if isinstance(plan, SourcePlan) and plan.is_valid:
        query = plan.query
        return query.since, query.until
    return None, None


def sources_of(plan: ExportPlan) -> tuple[dict[str, str], ...]:
    if isinstance(plan, TrailPlan):
        return tuple({"kind": "trail", "key": t.key, "label": t.label} for t in plan.trails)
    if isinstance(plan, SourcePlan):
        source = plan.source
        members = source.sources if isinstance(source, MergedSource) else [source]
        return tuple({"kind": "log", "key": s.key, "label": s.label} for s in members)
    return ({"kind": "activity", "table": LogEntry._meta.db_table},)


def utc_text(moment: datetime.datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, to the microsecond when there is one."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"
