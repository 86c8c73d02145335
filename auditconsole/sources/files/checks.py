"""System checks of a ``FileSource``'s ``OPTIONS`` (ids E007-E009, E012, E014, W001-W003).

The checks every backend gets (the key, ``PERMISSION``, ``columns``) are
:meth:`LogSource.check_config <auditconsole.sources.base.LogSource.check_config>`'s;
these are the file backend's own: its option names, format, time zone and text pattern,
and whether the configured directory and files can be read by this process.
"""

from __future__ import annotations

import os
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core import checks

from auditconsole.sources.files.discovery import discover
from auditconsole.sources.files.parsing import FORMATS

OPTION_NAMES = frozenset({"path", "format", "timezone", "columns", "pattern"})


def check_options(key: object, options: Any) -> list[checks.CheckMessage]:
    """Messages for the ``OPTIONS`` of the file source ``key``.

    ``OPTIONS`` that are not a dict have their own message, from ``LogSource``.
    """
    if not isinstance(options, dict):
        return []
    messages: list[checks.CheckMessage] = []
    unknown = sorted(set(options) - OPTION_NAMES)
    if unknown:
        messages.append(
            checks.Error(
                f"Log source {key!r}: unknown option(s) {', '.join(map(repr, unknown))}.",
                hint=f"FileSource options are {', '.join(sorted(OPTION_NAMES))}.",
                id="auditconsole.E014",
            )
        )
    fmt = options.get("format", "auto")
    if fmt not in FORMATS:
        messages.append(
            checks.Error(
                f"Log source {key!r}: format must be one of {', '.join(FORMATS)}, not {fmt!r}.",
                id="auditconsole.E008",
            )
        )
    zone_name = options.get("timezone")
    if zone_name is not None:
        try:
            ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            messages.append(
                checks.Error(
                    f"Log source {key!r}: unknown timezone {zone_name!r}.",
                    hint="Use an IANA name such as 'UTC' or 'Europe/Paris'.",
                    id="auditconsole.E009",
                )
            )
    pattern = options.get("pattern")
    if pattern is not None:
        messages.extend(_check_pattern(key, pattern))
    path = options.get("path")
    if not isinstance(path, str) or not path:
        messages.append(
            checks.Error(
                f"Log source {key!r}: OPTIONS['path'] must be the path (or glob) of the log file.",
                id="auditconsole.E007",
            )
        )
    else:
        messages.extend(_check_path(key, path))
    return messages


def _check_pattern(key: object, pattern: Any) -> list[checks.CheckMessage]:
    try:
        compiled = re.compile(pattern) if isinstance(pattern, str) else None
    except re.error:
        compiled = None
    if compiled is None or not {"time", "message"} <= set(compiled.groupindex):
        return [
            checks.Error(
                f"Log source {key!r}: OPTIONS['pattern'] must be a regular expression with "
                "named groups 'time' and 'message'.",
                id="auditconsole.E012",
            )
        ]
    return []


def _check_path(key: object, path: str) -> list[checks.CheckMessage]:
    found = discover(path)
    if not found.directory_exists:
        return [
            checks.Warning(
                f"Log source {key!r}: the directory of {path!r} does not exist.",
                hint="Create it, or fix OPTIONS['path']. The source shows no records until then.",
                id="auditconsole.W001",
            )
        ]
    messages: list[checks.CheckMessage] = []
    if not os.access(found.root, os.R_OK | os.X_OK):
        messages.append(
            checks.Warning(
                f"Log source {key!r}: the directory {found.root!r} is not readable by this process.",
                id="auditconsole.W002",
            )
        )
        return messages
    # A missing file in an existing directory is not warned about: on a fresh deployment
    # the handler has simply not written yet (the sources page says "no file yet").
    files = [log_file for stream in found.streams for log_file in stream.files]
    for log_file in files:
        if not os.access(log_file.path, os.R_OK):
            messages.append(
                checks.Warning(
                    f"Log source {key!r}: {log_file.name!r} is not readable by this process.",
                    hint="Grant read access (e.g. add the console's user to the log group).",
                    id="auditconsole.W002",
                )
            )
    for stream in found.streams:
        for refused in stream.refused:
            messages.append(
                checks.Warning(
                    f"Log source {key!r}: {refused.name!r} is refused: {refused.reason}.",
                    hint="Only regular files under the configured directory are read.",
                    id="auditconsole.W003",
                )
            )
    return messages
