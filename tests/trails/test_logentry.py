from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, DELETION

from auditconsole.activity.scoping import scope_for
from auditconsole.audit import log_action
from auditconsole.trails.base import TrailQuery
from auditconsole.trails.logentry import LogEntryTrail, admin_changed_names
from tests.activity.entries import content_type, log
from tests.trailapp.models import Supplier, Warehouse

TRAIL = LogEntryTrail("admin", {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"})


def object_query(obj: Supplier | Warehouse) -> TrailQuery:
    return TrailQuery(content_type=content_type(obj), object_id=str(obj.pk))


def test_entries_of_one_object_newest_first(superuser) -> None:
    supplier = Supplier.objects.create(name="Acme", email="a@example.com")
    added = log_action(superuser, supplier, ADDITION)
    changed = log_action(
        superuser,
        supplier,
        CHANGE,
        "Called",
        {"email": ("a@example.com", "b@example.com"), "api_token": ("t1", "t2")},
    )
    entries = TRAIL.fetch(
        object_query(supplier), scope_for(superuser), cursor=None, older=True, limit=10
    )
    assert [e.tiebreak for e in entries] == [(changed.pk,), (added.pk,)]
    newest = entries[0]
    assert (newest.trail, newest.action, newest.user_id, newest.user_name) == (
        "admin",
        "change",
        superuser.pk,
        "root",
    )
    assert newest.message == "Called" and newest.dom_id == f"entry-{changed.pk}"
    assert {c.field: (c.old, c.new) for c in newest.changes} == {
        "email": ("a@example.com", "b@example.com"),
        "api_token": ("********", "********"),
    }
    assert newest.link == f"/admin/trailapp/supplier/{supplier.pk}/history/"
    # Older than the newest: the addition only; newer than the addition: the change only.
    older = TRAIL.fetch(
        object_query(supplier), scope_for(superuser), cursor=newest.position, older=True, limit=9
    )
    assert [e.tiebreak for e in older] == [(added.pk,)]
    newer = TRAIL.fetch(
        object_query(supplier), scope_for(superuser), cursor=older[0].position, older=False, limit=9
    )
    assert [e.tiebreak for e in newer] == [(changed.pk,)]


def test_filters_and_deletion(superuser, make_user) -> None:
    other = make_user("other")
    warehouse = Warehouse.objects.create(name="North")
    log(superuser, warehouse, warehouse.pk, ADDITION)
    gone = log(other, warehouse, warehouse.pk, DELETION)
    scope = scope_for(superuser)
    by_user = TrailQuery(user_id=other.pk, actions=frozenset({"deletion"}), since=gone.action_time)
    assert [e.tiebreak for e in TRAIL.fetch(by_user, scope, cursor=None, older=True, limit=5)] == [
        (gone.pk,)
    ]
    assert (
        TRAIL.fetch(
            TrailQuery(until=gone.action_time, user_id=other.pk),
            scope,
            cursor=None,
            older=True,
            limit=5,
        )
        == []
    )
    deletion = TRAIL.latest_deletion(content_type(warehouse), str(warehouse.pk), scope)
    assert deletion is not None and deletion.user_name == "other"
    assert deletion.link == f"/admin/trailapp/warehouse/{warehouse.pk}/history/"


def test_scoping_is_the_activity_pages(superuser, supplier_reader) -> None:
    warehouse = Warehouse.objects.create(name="North")
    supplier = Supplier.objects.create(name="Acme")
    log(superuser, warehouse, warehouse.pk)
    seen = log(superuser, supplier, supplier.pk)
    scope = scope_for(supplier_reader)
    entries = TRAIL.fetch(TrailQuery(), scope, cursor=None, older=True, limit=10)
    assert [e.tiebreak for e in entries] == [(seen.pk,)]
    assert TRAIL.fetch(object_query(warehouse), scope, cursor=None, older=True, limit=10) == []


def test_changed_names_of_the_admins_message() -> None:
    assert admin_changed_names('[{"changed": {"fields": ["Name", "Email"]}}]') == ("Name", "Email")
    assert admin_changed_names('[{"changed": {"fields": "Name"}}, null, 5]') == ()
    assert admin_changed_names("[not json") == ()
    assert admin_changed_names("Changed name.") == ()
