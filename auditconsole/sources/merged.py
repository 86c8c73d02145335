"""Several sources read as one stream, interleaved by time, each record labelled.

A :class:`MergedSource` is itself a :class:`~auditconsole.sources.base.LogSource`, so the
browse page, export and the live tail use it exactly like a single source. Its cursor
states are ``{source key: that source's state}``; its records keep their own source key
(detail links point at the source the record came from).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditconsole.sources.base import Around, FileInfo, LogSource
from auditconsole.sources.cursor import State
from auditconsole.sources.query import SOURCES, Query
from auditconsole.sources.records import Record, RecordRef
from auditconsole.sources.scanning import EmptyScan, MergedScan, Scan, ScanContext
from auditconsole.sources.tails import TailResult

MERGED_SCOPE_PREFIX = "merged:"


class MergedSource(LogSource):
    is_merged = True

    def __init__(self, sources: Sequence[LogSource]) -> None:
        self.sources = list(sources)
        keys = [source.key for source in self.sources]
        super().__init__("+".join(keys), {"LABEL": " + ".join(s.label for s in self.sources)})
        self.members = {source.key: source for source in self.sources}

    @property
    def scope(self) -> str:
        """What cursors of this view are signed for: the exact set of merged sources."""
        return MERGED_SCOPE_PREFIX + self.key

    @property
    def member_keys(self) -> list[str]:
        return list(self.members)

    @property
    def url_kwargs(self) -> dict[str, str]:
        """The merged pages have one path (``logs/merged/``) ..."""
        return {}

    @property
    def url_params(self) -> dict[str, list[str]]:
        """... and name their sources in the query string: ``?sources=a&sources=b``."""
        return {SOURCES: self.member_keys}

    def visible_to(self, user: Any) -> bool:
        return all(source.visible_to(user) for source in self.sources)

    def files(self) -> list[FileInfo]:
        return [info for source in self.sources for info in source.files()]

    def scan(self, query: Query, cursor: State, ctx: ScanContext) -> Scan:
        if cursor is not None and not isinstance(cursor, dict):
            raise ValueError("malformed cursor")
        scans: dict[str, Scan] = {}
        for source in self.sources:
            if cursor is None:
                scans[source.key] = source.scan(query, None, ctx)
            elif cursor.get(source.key) is not None:
                scans[source.key] = source.scan(query, cursor[source.key], ctx)
        return MergedScan(scans) if scans else EmptyScan()

    def get(self, ref: RecordRef) -> Record | None:
        source = self.members.get(ref.source)
        return source.get(ref) if source is not None else None

    def around(self, ref: RecordRef, count: int) -> Around | None:
        source = self.members.get(ref.source)
        return source.around(ref, count) if source is not None else None

    def watch_paths(self) -> list[str]:
        return list(dict.fromkeys(path for source in self.sources for path in source.watch_paths()))

    def tail(self, cursor: State = None, limit: int | None = None) -> TailResult:
        if cursor is not None and not isinstance(cursor, dict):
            raise ValueError("malformed tail cursor")
        return TailResult.combine(
            {
                source.key: source.tail(
                    None if cursor is None else cursor.get(source.key, {}), limit
                )
                for source in self.sources
            }
        )
