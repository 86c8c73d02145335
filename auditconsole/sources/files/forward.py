"""Reading records forwards, oldest first: a record's neighbours, the live tail, time seeks.

Browsing reads backwards (:mod:`.streamscan`); everything that reads a known stretch of
a file in the order it was written comes through here, so JSON lines and text records
with their continuation lines are told apart in one place.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from auditconsole.sources.files.lines import Line, complete_end, iter_forward
from auditconsole.sources.files.opening import OpenedFile
from auditconsole.sources.files.parsing import JSON, MAX_CONTINUATION_LINES
from auditconsole.sources.records import Record


def readable_end(opened: OpenedFile) -> int:
    """Where reading may stop: the file's end, or, in the live file, its last newline.

    The live file's last line may still be being written; it is read once complete,
    never half.
    """
    end = opened.reader.size
    return complete_end(opened.reader, end) if opened.file.live else end


def iter_forward_records(
    opened: OpenedFile, start: int, end: int, *, hold_partial: bool = False
) -> Iterator[Record]:
    """Records from ``start`` (a line start) to ``end``, oldest first.

    ``hold_partial`` leaves out an unterminated last line (see
    :func:`~auditconsole.sources.files.lines.iter_forward`).
    """
    parser = opened.parser
    origin = opened.origin
    lines = iter_forward(
        opened.reader, start, end, max_line=opened.max_line, hold_partial=hold_partial
    )
    if opened.format == JSON:
        for line in lines:
            if line.data.strip():
                yield parser.parse_line(
                    line.data,
                    origin,
                    line.start,
                    line.end,
                    truncated=line.truncated,
                    length=line.end - line.start,
                )
        return
    group: list[Line] = []
    for line in lines:
        if group and (parser.starts_record(line.data) or len(group) >= MAX_CONTINUATION_LINES):
            yield _group(opened, group)
            group = []
        group.append(line)
    if group:
        yield _group(opened, group)


def _group(opened: OpenedFile, group: Sequence[Line]) -> Record:
    return opened.parser.parse_group(
        [line.data for line in group],
        opened.origin,
        group[0].start,
        group[-1].end,
        truncated=any(line.truncated for line in group),
    )
