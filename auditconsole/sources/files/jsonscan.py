"""Reading a JSON-lines file backwards, fast when there is something to look for.

A text, ``field=value``, minimum-level or logger filter gives the query a byte
*prefilter* (:mod:`.prefilter`): patterns every matching line must contain. Each block
is searched for them raw, with RE2, before any line is cut out
(:func:`~auditconsole.sources.files.lines.matching_lines`), and only the lines holding
them are parsed. That is what lets a filtered scan run at the speed of a byte search
rather than of JSON parsing. Whether a block mentions a secret at all is asked once per
block, so the lines of a block without one skip redaction.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from datetime import datetime

from auditconsole.sources.files.backward import BUDGET, COMPLETE, SHOW, SINCE, FilePass
from auditconsole.sources.files.checksums import first_line_checksum
from auditconsole.sources.files.lines import (
    Block,
    LongLine,
    block_lines,
    iter_backward,
    matching_lines,
)
from auditconsole.sources.files.opening import OpenedFile
from auditconsole.sources.files.prefilter import Prefilter, candidate_spans, prefilter_for
from auditconsole.sources.records import Record
from auditconsole.sources.scanning import ScanStats


def scan_json(file_pass: FilePass) -> Generator[Record, None, str]:
    """The records of the pass, newest first; returns how the pass ended."""
    ctx = file_pass.ctx
    stats = ctx.stats
    budget = ctx.budget
    prefilter = prefilter_for(ctx.query)
    if prefilter is not None:
        stats.partial_facets |= prefilter.thinned_facets
    opened = file_pass.opened
    floor = file_pass.floor
    for item in iter_backward(opened.reader, file_pass.end, max_line=opened.max_line, floor=floor):
        size = item.end - item.start
        stats.bytes += size
        budget.charge(size)
        if isinstance(item, LongLine):
            stats.records += 1
            head = opened.parser.parse_line(
                item.head, opened.origin, item.start, item.end, truncated=True, length=size
            )
            records: Iterable[Record] = (head,)
        else:
            records = _block_records(opened, item, prefilter, stats, file_pass.until)
        for record in records:
            if file_pass.offer(record) is SHOW:
                yield record
        file_pass.mark(item.start, item.start, first_line_checksum(item, opened.max_line))
        if file_pass.stopping:
            return SINCE
        if budget.exhausted and item.start > floor:
            return BUDGET
    return COMPLETE


def _block_records(
    opened: OpenedFile,
    block: Block,
    prefilter: Prefilter | None,
    stats: ScanStats,
    until: datetime | None,
) -> Iterator[Record]:
    """The records of ``block`` worth looking at (all of them, without a prefilter).

    A line newer than ``until`` would be skipped once parsed: its time alone is read.
    """
    parse = opened.parser.parse_line
    json_time = opened.parser.json_time
    origin = opened.origin
    max_line = opened.max_line
    if prefilter is None:
        lines = block_lines(block, stats)
    else:
        lines = matching_lines(block, candidate_spans(block.data, block.skip, prefilter), stats)
    # Does the block mention a secret? Asked lazily, for a block whose every line is
    # parsed; a few candidate lines are each asked on their own (by parse_line), which
    # is cheaper than asking a 4 MiB block.
    secrets: bool | None = None if prefilter is None else True
    for start, end, line in lines:
        if not line.strip():
            continue  # a blank line a condition could not judge
        if secrets is None:
            secrets = opened.parser.redactor.might_contain_secrets(block.data)
        if len(line) > max_line:
            yield parse(line[:max_line], origin, start, end, truncated=True, length=len(line))
            continue
        if until is not None:
            when = json_time(line)
            if when is not None and when > until:
                continue
        yield parse(line, origin, start, end, secrets=secrets)
