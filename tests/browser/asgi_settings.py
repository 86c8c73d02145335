"""The standalone project as the ASGI browser tests serve it (tests/browser/asgi.py).

``project.settings`` under ``DEBUG=1`` (``make run``), with one log source in the test's
directory and the stream's limits short enough to be seen within a test: a stream lives
3 s, checks its session every half second, and a user holds at most two.
"""

from __future__ import annotations

import os

from project.settings import *  # noqa: F403

AUDITCONSOLE_LOG_SOURCES = {
    "app": {
        "BACKEND": "auditconsole.sources.files.FileSource",
        "LABEL": "Application",
        "OPTIONS": {"path": os.environ["TAIL_TEST_LOG"]},
    }
}
# The project's trails include its audit-log file (the "audit" source), which the one source
# above replaces; and the exports' own log is not a source here either.
AUDITCONSOLE_TRAILS = {"admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"}}
AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None
AUDITCONSOLE_TAIL_POLL_SECONDS = 0.25
AUDITCONSOLE_TAIL_STREAM_MAX_SECONDS = 3.0
AUDITCONSOLE_TAIL_STREAM_SESSION_SECONDS = 0.5
AUDITCONSOLE_TAIL_STREAMS_PER_USER = 2
