"""Template helpers for the log tables."""

from __future__ import annotations

import re

from django import template

register = template.Library()

# A field path may break after its dots, never inside a name.
_SEGMENT = re.compile(r"[^.]+\.*|\.+")


@register.filter
def path_segments(path: str) -> list[str]:
    """``request_repr.method`` as ``["request_repr.", "method"]``.

    A column header puts a line-break opportunity (``<wbr>``) between the pieces, so a long
    dotted path wraps where it reads naturally instead of widening its column.
    """
    return _SEGMENT.findall(str(path))
