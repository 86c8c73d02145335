"""The console's own log read back: configured or not, allowed or not, and the browse link."""

from __future__ import annotations

import pytest

from auditconsole.ownlog import NOT_ALLOWED, NOT_CONFIGURED, read_own_log
from auditconsole.sources.query import FieldFilter, Query

QUERY = Query(logger="auditconsole.access", fields=(FieldFilter(("event",), "search"),))


@pytest.mark.parametrize("key", [None, "", 5, "no-such-source"])
def test_an_unusable_source_setting_is_not_configured(settings, support_user, key) -> None:
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = key
    history = read_own_log(QUERY, support_user, lambda record: record)
    assert history.problem == NOT_CONFIGURED
    assert history.rows == []


def test_the_log_permission_is_required_where_asked(settings, tmp_path, make_user) -> None:
    log = tmp_path / "console.log"
    log.write_text("")
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "console": {
            "BACKEND": "auditconsole.sources.files.FileSource",
            "OPTIONS": {"path": str(log)},
        }
    }
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "console"
    activity_only = make_user("watcher", console_perms=("view_activity",))
    refused = read_own_log(QUERY, activity_only, lambda r: r, needs_view_logs=True)
    assert refused.problem == NOT_ALLOWED
    allowed = read_own_log(QUERY, activity_only, lambda r: r)
    assert allowed.problem is None
    assert allowed.browse_url is None
    browser = make_user("browser", console_perms=("view_activity", "view_logs"))
    linked = read_own_log(QUERY, browser, lambda r: r, needs_view_logs=True)
    assert (
        linked.browse_url == "/audit/logs/console/?logger=auditconsole.access&field=event%3Dsearch"
    )
