"""LogSourceTrail over a file of real django-activity-audit output.

The records are written by the package's own ``AuditFormatter``, as its ``audit.model``
logger writes them, with the payload its ``push_log`` builds (``model_to_dict`` of the
instance). Its signal module is not imported: importing it patches every model of the
project; nor its level module, which renames level 21 for the whole process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.forms.models import model_to_dict

from auditconsole.activity.scoping import scope_for
from auditconsole.trails.base import TrailQuery
from auditconsole.trails.checks import check_trails
from auditconsole.trails.logsource import LogSourceTrail, take_older
from auditconsole.trails.positions import Position
from tests.activity.entries import content_type
from tests.sources.helpers import config
from tests.trailapp.models import Supplier

#: django-activity-audit's AUDIT level (activity_audit.logger_levels).
AUDIT = 21
TRAIL_CONFIG = {
    "BACKEND": "auditconsole.trails.logsource.LogSourceTrail",
    "OPTIONS": {"source": "audit"},
}


@pytest.fixture
def audit_formatter() -> Iterator[type[logging.Formatter]]:
    """The package's ``AuditFormatter``. Importing the package runs its level module, which
    names levels 21-23 and adds ``Logger.audit`` for the whole process: undone after."""
    names = (dict(logging._levelToName), dict(logging._nameToLevel))  # type: ignore[attr-defined]
    methods = {name for name in ("audit", "api", "login") if hasattr(logging.Logger, name)}
    from activity_audit.formatters import AuditFormatter

    yield AuditFormatter
    for table, saved in zip(
        (logging._levelToName, logging._nameToLevel),  # type: ignore[attr-defined]
        names,
        strict=True,
    ):
        table.clear()
        table.update(saved)
    for name in {"audit", "api", "login"} - methods:
        if hasattr(logging.Logger, name):
            delattr(logging.Logger, name)


@pytest.fixture
def audit_log(tmp_path: Path, settings, audit_formatter):
    """A function writing one activity-audit record, as ``push_log`` would, to a file that
    the ``audit`` log source reads."""
    path = tmp_path / "audit.log"
    handler = logging.FileHandler(path)
    handler.setFormatter(audit_formatter())
    settings.AUDITCONSOLE_LOG_SOURCES = {"audit": config(path, LABEL="Audit")}
    settings.AUDITCONSOLE_TRAILS = {"audit": TRAIL_CONFIG}

    def write(event_type: str, instance, user=None, model: str | None = None) -> None:
        name = model or type(instance).__name__
        # What logger.audit() makes, without the package's logging.addLevelName(), which
        # would rename level 21 for the rest of the test session.
        record = logging.LogRecord(
            "audit.model",
            AUDIT,
            __file__,
            1,
            f"{event_type} event for {name} (id: {instance.pk})",
            (),
            None,
        )
        record.levelname = "AUDIT"
        payload = {
            "model": name,
            "instance_id": str(instance.pk),
            "event_type": event_type,
            "user_id": str(user.pk) if user is not None else "",
            "user_info": {"email": user.email} if user is not None else {},
            "instance_repr": model_to_dict(instance),
            "extra": {},
        }
        for key, value in payload.items():
            setattr(record, key, value)
        handler.emit(record)
        handler.flush()

    yield write
    handler.close()


def trail() -> LogSourceTrail:
    return LogSourceTrail("audit", TRAIL_CONFIG)


def test_activity_audit_records_with_secrets_masked(audit_log, superuser, make_user) -> None:
    editor = make_user("editor")
    account = User.objects.create_user("customer", "c@example.com", "pw")
    audit_log("PRE_CREATE", account, editor)  # not a change: skipped
    audit_log("CREATE", account, editor)
    account.email = "new@example.com"
    account.set_password("changed")
    account.save()
    audit_log("UPDATE", account, editor)
    audit_log("DELETE", account, superuser)
    query = TrailQuery(content_type=content_type(User), object_id=str(account.pk))
    deletion, change, addition = trail().fetch(
        query, scope_for(superuser), cursor=None, older=True, limit=10
    )
    assert [e.action for e in (deletion, change, addition)] == ["deletion", "change", "addition"]
    assert (change.user_id, change.user_name) == (editor.pk, "editor")
    assert deletion.user_name == "root" and deletion.changes == ()
    changes = {c.field: (c.old, c.new) for c in change.changes}
    # Before and after from consecutive snapshots; the password hash is masked by the
    # source, so its change cannot even be told apart.
    assert changes["email"] == ("c@example.com", "new@example.com")
    assert "password" not in changes
    assert {c.field: c.new for c in addition.changes}["password"] == "********"
    assert "md5$" not in repr(addition) + repr(change)
    assert change.link.startswith("/audit/logs/audit/record/")
    # The message is the summary; the trail keeps no name of the instance.
    assert change.summary == f"UPDATE event for User (id: {account.pk})"
    assert change.object_repr == ""
    # A page boundary: the change still diffs against the addition.
    (only,) = trail().fetch(
        query, scope_for(superuser), cursor=deletion.position, older=True, limit=1
    )
    assert only.changes == change.changes
    newer = trail().fetch(
        query, scope_for(superuser), cursor=addition.position, older=False, limit=1
    )
    assert [e.action for e in newer] == ["change"]


def test_pages_label_the_object_by_its_model_and_key(
    audit_log, client_for, superuser, make_user, settings
) -> None:
    """No "as <older name>" on the object page (the message is not a name), and
    "<Model> <key>" as the object's link in the merged list."""
    settings.AUDITCONSOLE_TRAILS = {
        "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"},
        "audit": TRAIL_CONFIG,
    }
    account = make_user("customer")
    audit_log("UPDATE", account, superuser)
    client = client_for(superuser)
    object_url = f"/audit/object/{content_type(User).pk}/{account.pk}/"
    page = client.get(object_url).content.decode()
    assert f"UPDATE event for User (id: {account.pk})" in page
    assert "as “" not in page
    listed = client.get("/audit/activity/trails/", {"user": superuser.pk}).content.decode()
    assert f'<a href="{object_url}">User {account.pk}</a>' in listed


def test_names_filters_and_scope(
    audit_log, superuser, make_user, supplier_reader, settings
) -> None:
    editor = make_user("editor")
    supplier = Supplier.objects.create(name="Acme")
    audit_log("CREATE", supplier, editor)
    audit_log("CREATE", supplier, editor, model="trailapp.supplier")
    audit_log("UPDATE", supplier, editor, model="NoSuchModel")
    audit_log("UPDATE", supplier, None, model="Renamed")
    scope = scope_for(superuser)
    everything = trail().fetch(TrailQuery(), scope, cursor=None, older=True, limit=10)
    assert [(e.content_type_id is None, e.user_name) for e in everything] == [
        (True, ""),
        (True, "editor"),
        (False, "editor"),
        (False, "editor"),
    ]
    # The reader may see suppliers, not records about no model.
    assert (
        len(
            trail().fetch(
                TrailQuery(), scope_for(supplier_reader), cursor=None, older=True, limit=10
            )
        )
        == 2
    )
    by_editor = TrailQuery(user_id=editor.pk, actions=frozenset({"change"}))
    assert len(trail().fetch(by_editor, scope, cursor=None, older=True, limit=10)) == 1
    assert (
        trail().fetch(
            TrailQuery(until=everything[-1].time), scope, cursor=None, older=True, limit=9
        )
        == []
    )
    # An option names what the log calls "Renamed".
    settings.AUDITCONSOLE_TRAILS = {
        "audit": {
            **TRAIL_CONFIG,
            "OPTIONS": {"source": "audit", "models": {"Renamed": "trailapp.supplier"}},
        }
    }
    renamed = LogSourceTrail("audit", settings.AUDITCONSOLE_TRAILS["audit"])
    query = TrailQuery(content_type=content_type(Supplier), object_id=str(supplier.pk))
    assert len(renamed.fetch(query, scope, cursor=None, older=True, limit=10)) == 3


def test_visibility_and_checks(audit_log, settings, make_user, superuser) -> None:
    assert trail().visible_to(superuser)
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "audit": config("/nonexistent", PERMISSION="auth.view_user")
    }
    assert not trail().visible_to(make_user("agent9", console_perms=None))
    settings.AUDITCONSOLE_LOG_SOURCES = {}
    assert not trail().visible_to(superuser)
    assert [m.id for m in check_trails()] == ["auditconsole.E146"]


def test_take_older_reads_every_tie() -> None:
    from tests.activity.entries import NOW

    def event(tiebreak: int, seconds: int = 0):
        from auditconsole.trails.logsource import AuditRecord

        moment = NOW.replace(second=seconds)
        return AuditRecord(
            None, Position(moment, "audit", (tiebreak,)), "change", None, "", None, ""
        )  # type: ignore[arg-type]

    stream = [event(1, 5), event(3, 5), event(2, 5), event(9, 1)]
    assert [e.position.tiebreak for e in take_older(iter(stream), None, 1)] == [(3,)]
    cursor = Position(NOW.replace(second=5), "audit", (3,))
    assert [e.position.tiebreak for e in take_older(iter(stream), cursor, 5)] == [(2,), (1,), (9,)]
