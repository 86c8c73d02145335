"""Export file names: the view and the moment, in UTC (``activity-2026-11-22T1030Z.csv``).

The moment is when the export started, to the minute, in UTC with a ``Z`` so that files
from servers in different zones sort together. The name never contains anything the
user typed: only the view and, for logs, the configured source key.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

STAMP_FORMAT = "%Y-%m-%dT%H%MZ"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def export_filename(
    view: str, key: str | None = None, *, now: datetime.datetime | None = None
) -> str:
    moment = (now or timezone.now()).astimezone(datetime.UTC)
    parts = [view]
    if key:
        # Source keys are slugs; a merged view's key joins them with "+".
        parts.append(_UNSAFE.sub("_", key))
    parts.append(moment.strftime(STAMP_FORMAT))
    return "-".join(parts) + ".csv"
