"""Reading a classic text log backwards, where a record may span several lines.

A record starts with a line its pattern recognises (a time, a level); the lines after it
that do not (a traceback) belong to it. A record is built only when it may match: its
lines are searched for the text filter's bytes first, and its first line read for its
time, level and logger, as the JSON scan tests lines before parsing them. Read backwards, continuation lines come first:
they wait in ``pending`` until the line that starts their record turns up. A block is
never ended inside a record when the budget runs out, so resuming cannot stop again at
the same lines; a record is bounded by
:data:`~auditconsole.sources.files.parsing.MAX_CONTINUATION_LINES`.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable

from auditconsole.sources.files.backward import BUDGET, COMPLETE, SHOW, SINCE, FilePass
from auditconsole.sources.files.checksums import first_line_checksum, line_checksum
from auditconsole.sources.files.lines import LongLine, block_lines, iter_backward
from auditconsole.sources.files.parsing import MAX_CONTINUATION_LINES
from auditconsole.sources.records import Record

#: ``(start, end, bytes cut to max_line, truncated)`` of one line.
_Entry = tuple[int, int, bytes, bool]
#: What a record's bytes may hold that its searched text spells otherwise, so its bytes
#: cannot rule a needle out: an escape (a JSON line in a text file: ``\u0065`` is "e"),
#: and the two characters whose lower case is ASCII (KELVIN SIGN is "k", and the dotted
#: capital I is "i" and a combining dot).
_UNJUDGED = re.compile(rb"\\|\xe2\x84\xaa|\xc4\xb0")


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

    needle = ctx.query.needle
    until = file_pass.until
    minimum = ctx.query.min_level
    prefix = ctx.query.logger
    # A record skipped for its level (logger) is not counted by that facet, as in the
    # JSON scan's prefilter.
    stats.partial_facets |= frozenset(
        name for name, thinned in (("levels", minimum is not None), ("loggers", prefix)) if thinned
    )
    judged = needle is not None or until is not None or minimum is not None or bool(prefix)

    def group_record(first: _Entry) -> Record:
        group = [first, *reversed(pending)]
        lines = [line for _, _, line, _ in group]
        truncated = any(flag for _, _, _, flag in group)
        return parser.parse_group(lines, origin, group[0][0], group[-1][1], truncated=truncated)

    def skipped(first: _Entry) -> bool:
        """Whether the record ``first`` starts cannot match, judged without building it:
        the text filter's bytes are nowhere in its lines, or its first line says it is
        newer than ``until``, below the minimum level or of another logger."""
        lines = [first[2], *(line for _, _, line, _ in reversed(pending))]
        if needle is not None:
            data = b"\n".join(lines)
            if needle not in data.lower() and _UNJUDGED.search(data) is None:
                return True
        if until is None and minimum is None and not prefix:
            return False
        when, levelno, logger = parser.group_fields(lines)
        return (
            (until is not None and when is not None and when > until)
            or (minimum is not None and levelno is not None and levelno < minimum)
            or (bool(prefix) and logger is not None and not logger.startswith(prefix))
        )

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
            elif judged and skipped(entry):
                pending = []
                stats.records += 1
                continue
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
