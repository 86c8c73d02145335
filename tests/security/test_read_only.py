"""The console only reads: walking every page leaves the audit table and the logs as they were.

The one file it writes is its own log (``LOG_FILE``), where exports are audited; that file
may only grow by appending. Every other configured log file keeps its bytes, size and
modification time, and no file appears beside them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry
from django.test import Client

from tests.security.conftest import World
from tests.security.console_urls import Samples, body_of, console_urls
from tests.sources.helpers import config

URLS = console_urls()


def table_snapshot() -> tuple[int, str]:
    digest = hashlib.sha256()
    for row in LogEntry.objects.order_by("pk").values_list(
        "pk",
        "action_time",
        "user_id",
        "content_type_id",
        "object_id",
        "object_repr",
        "action_flag",
        "change_message",
    ):
        digest.update(repr(row).encode())
    return LogEntry.objects.count(), digest.hexdigest()


def files_snapshot(directory: Path) -> dict[str, tuple[str, int, int]]:
    found = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            found[str(path.relative_to(directory))] = (
                hashlib.sha256(path.read_bytes()).hexdigest(),
                st.st_size,
                st.st_mtime_ns,
            )
    return found


@pytest.fixture
def own_log(world: World, settings: Any) -> Path:
    """The console's own log, configured as a source like in the standalone project."""
    path = Path(django_settings.LOG_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    settings.AUDITCONSOLE_LOG_SOURCES = {
        **settings.AUDITCONSOLE_LOG_SOURCES,
        "console": config(path, LABEL="This console"),
    }
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "console"
    return path


def walk(client: Client, samples: Samples) -> int:
    visited = 0
    for url in URLS:
        path = samples.path_for(url)
        joiner = "&" if "?" in path else "?"
        filtered = path + joiner + urlencode({"level": "ERROR", "q": "event"})
        for variant, headers in ((path, {}), (filtered, {"HTTP_HX_REQUEST": "true"})):
            response = client.get(variant, **headers)
            body_of(response)  # an export is streamed: read it to the end
            assert response.status_code < 500, variant
            visited += 1
        if url.name == "tail":
            page = client.get(path)
            client.get(
                path + joiner + urlencode({"cursor": page.context["token"]}),
                HTTP_HX_REQUEST="true",
                HTTP_HX_TARGET="tail-lines",
            )
    return visited


def test_walking_every_page_writes_nothing(world: World, samples: Samples, own_log: Path) -> None:
    table_before = table_snapshot()
    logs_before = files_snapshot(world.logs)
    own_before = own_log.read_bytes()
    assert table_before[0] > 0 and len(logs_before) >= 4

    visited = 0
    for caller in ("superuser", "viewer"):
        client = Client()
        client.force_login(world.users[caller])
        visited += walk(client, samples)
    assert visited >= 4 * len(URLS)

    assert table_snapshot() == table_before, "the console wrote to LogEntry"
    assert files_snapshot(world.logs) == logs_before, "the console changed a log file"
    own_after = own_log.read_bytes()
    assert own_after.startswith(own_before), "the console's own log was rewritten, not appended"
    if any(url.is_csv for url in URLS):
        # Exports were walked, and each one left its audit record.
        assert b'"auditconsole.exports"' in own_after[len(own_before) :]


def test_the_snapshot_sees_a_change(world: World) -> None:
    """The comparison above is not vacuous: a touched file or a new row shows."""
    before_files = files_snapshot(world.logs)
    before_table = table_snapshot()
    path = world.logs / "app.log"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert files_snapshot(world.logs) != before_files
    LogEntry.objects.filter(pk=LogEntry.objects.order_by("pk").first().pk).update(object_repr="x")
    assert table_snapshot() != before_table
