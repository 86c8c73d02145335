"""AuditlogTrail against django-auditlog's real LogEntry table."""

from __future__ import annotations

from auditlog.context import set_actor
from auditlog.signals import accessed
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditconsole.activity.scoping import scope_for
from auditconsole.trails.auditlog import AuditlogTrail
from auditconsole.trails.base import TrailQuery
from tests.activity.entries import content_type
from tests.trailapp.models import Supplier

TRAIL = AuditlogTrail("auditlog", {})


def fetch(query: TrailQuery, user):
    return TRAIL.fetch(query, scope_for(user), cursor=None, older=True, limit=10)


def test_create_update_delete_access_with_the_actor_and_facts(superuser, make_user) -> None:
    editor = make_user("editor")
    with set_actor(editor, remote_addr="203.0.113.7"):
        supplier = Supplier.objects.create(name="Acme", api_token="t0k")
        supplier.name, supplier.email = "Acme Ltd", "x@example.com"
        supplier.save()
    pk = supplier.pk
    supplier._audit_data = {"ticket": "T-1", "password": "hunter2"}  # type: ignore[attr-defined]
    with set_actor(superuser):
        supplier.delete()
    accessed.send(sender=Supplier, instance=Supplier(pk=pk, name="Acme Ltd"))
    query = TrailQuery(content_type=content_type(Supplier), object_id=str(pk))
    access, deletion, change, addition = fetch(query, superuser)
    assert [e.action for e in (access, deletion, change, addition)] == [
        "access",
        "deletion",
        "change",
        "addition",
    ]
    assert (addition.user_id, addition.user_name) == (editor.pk, "editor")
    assert {c.field: (c.old, c.new) for c in change.changes} == {
        "name": ("Acme", "Acme Ltd"),
        "email": ("", "x@example.com"),
    }
    assert {c.field: c.new for c in addition.changes}["api_token"] == "********"
    assert ("IP address", "203.0.113.7") in [(f.label, f.value) for f in change.facts]
    extra = {f.label: f.value for f in deletion.facts}
    assert (
        '"ticket":"T-1"' in extra["Additional data"] and "hunter2" not in extra["Additional data"]
    )
    assert deletion.user_name == "root"
    assert change.link == f"/admin/auditlog/logentry/{change.tiebreak[0]}/change/"
    assert TRAIL.latest_deletion(content_type(Supplier), str(pk), scope_for(superuser)) == deletion


def test_filters_and_scoping(superuser, make_user, supplier_reader) -> None:
    editor = make_user("editor")
    with set_actor(editor):
        supplier = Supplier.objects.create(name="One")
    supplier.save()
    (by_editor,) = fetch(TrailQuery(user_id=editor.pk), superuser)
    assert by_editor.action == "addition"
    assert [e.action for e in fetch(TrailQuery(actions=frozenset({"change"})), superuser)] == []
    assert fetch(TrailQuery(until=by_editor.time), superuser) == []
    assert len(fetch(TrailQuery(since=by_editor.time), supplier_reader)) == 1
    assert fetch(TrailQuery(), make_user("nobody", console_perms=None)) == []
    # A deleted actor: the e-mail address auditlog kept.
    editor.delete()
    (orphan,) = fetch(TrailQuery(content_type=content_type(Supplier)), superuser)
    assert (orphan.user_id, orphan.user_name) == (None, "editor@example.com")


def test_a_capped_count_sorts_nothing(superuser) -> None:
    with set_actor(superuser):
        for name in ("A", "B", "C"):
            Supplier.objects.create(name=name)
    query = TrailQuery(user_id=superuser.pk)
    with CaptureQueriesContext(connection) as queries:
        counts = [TRAIL.count(query, scope_for(superuser), cap=cap) for cap in (2, 10)]
    assert counts == [2, 3]
    assert not any("ORDER BY" in q["sql"] for q in queries.captured_queries)
