"""Reading a classic text log backwards, where a record may span several lines.

A record starts with a line its pattern recognises (a time, a level); the lines after it
that do not (a traceback) belong to it. Read backwards, continuation lines come first:
they wait in ``pending`` until the line that starts their record turns up. A block is
never ended inside a record when the budget runs out, so resuming cannot stop again at
the same lines; a record is bounded by
:data:`~auditconsole.sources.files.parsing.MAX_CONTINUATION_LINES`.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable

from auditconsole.sources.files.backward import BUDGET, COMPLETE, SHOW, SINCE, FilePass
from auditconsole.sources.files.checksums import first_line_checksum, line_checksum
from auditconsole.sources.files.lines import LongLine, block_lines, iter_backward
from auditconsole.sources.files.parsing import MAX_CONTINUATION_LINES
from auditconsole.sources.records import Record

#: ``(start, end, bytes cut to max_line, truncated)`` of one line.
_Entry = tuple[int, int, bytes, bool]


def scan_text(file_pass: FilePass) -> Generator[Record, None, str]:
    """The records of the pass, newest first; returns how the pass ended."""
    ctx = file_pass.ctx
    stats = ctx.stats
    budget = ctx.budget
    opened = file_pass.opened
    parser = opened.parser
    origin = opened.origin
    max_line = opened.max_line
    floor = file_pass.floor
    pending: list[_Entry] = []  # continuation lines, newest first

    def group_record(first: _Entry) -> Record:
        group = [first, *reversed(pending)]
        lines = [line for _, _, line, _ in group]
        truncated = any(flag for _, _, _, flag in group)
        return parser.parse_group(lines, origin, group[0][0], group[-1][1], truncated=truncated)

    for item in iter_backward(opened.reader, file_pass.end, max_line=max_line, floor=floor):
        size = item.end - item.start
        stats.bytes += size
        budget.charge(size)
        if isinstance(item, LongLine):
            entries: Iterable[_Entry] = [(item.start, item.end, item.head, True)]
        else:
            entries = (
                (s, e, line[:max_line], len(line) > max_line)
                for s, e, line in block_lines(item, None, keep_blank=True)
            )
        for entry in entries:
            if not parser.starts_record(entry[2]):
                pending.append(entry)
                if len(pending) < MAX_CONTINUATION_LINES:
                    continue
                first = pending.pop()
                record = group_record(first)
                record.malformed = True
                record.error = record.error or "continuation lines without a record start"
            else:
                record = group_record(entry)
            pending = []
            stats.records += 1
            if file_pass.offer(record) is SHOW:
                yield record
        if pending:
            start, end, line, _ = pending[0]
            file_pass.mark(end, start, line_checksum(line, max_line))
        else:
            file_pass.mark(item.start, item.start, first_line_checksum(item, max_line))
        if file_pass.stopping:
            return SINCE
        # Never stop inside a record: resuming would re-read the same continuation
        # lines and stop again.
        if budget.exhausted and item.start > floor and not pending:
            return BUDGET
    if pending and floor == 0 and any(line.strip() for _, _, line, _ in pending):
        # Lines at the very start of a file that continue nothing we can see.
        record = group_record(pending.pop())
        pending = []
        stats.records += 1
        if file_pass.offer(record) is SHOW:
            yield record
    return COMPLETE
