"""csv_cell(): one cell as csv.writer writes it, on arbitrary text."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from auditconsole.export.csvtext import DELIMITER, LINE_END, csv_cell

HOSTILE = st.text(alphabet=st.sampled_from(list(",\"\r\n\t =+-@'aZ é€\x00\u2028")), max_size=12)
CELLS = st.one_of(st.none(), st.integers(), HOSTILE, st.text(max_size=12))


def written(cells: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, min_size=2, max_size=6))
def test_cells_joined_are_what_csv_writer_writes(cells: list[object]) -> None:
    assert DELIMITER.join(map(csv_cell, cells)) + LINE_END == written(cells)


def test_examples() -> None:
    assert csv_cell(None) == ""
    assert csv_cell(12) == "12"
    assert csv_cell("plain") == "plain"
    assert csv_cell('say "hi", then\r\nleave') == '"say ""hi"", then\r\nleave"'
