"""ReversionTrail against django-reversion's real Version and Revision tables."""

from __future__ import annotations

import reversion
from django.contrib.contenttypes.models import ContentType

from auditconsole.activity.scoping import scope_for
from auditconsole.trails.base import ACTION, TrailQuery
from auditconsole.trails.reversion import ReversionTrail, field_data, version_changes
from tests.activity.entries import content_type
from tests.trailapp.models import Supplier

TRAIL = ReversionTrail("reversion", {})


def save_in_revision(supplier: Supplier, user, comment: str, **values) -> Supplier:
    with reversion.create_revision():
        for name, value in values.items():
            setattr(supplier, name, value)
        supplier.save()
        reversion.set_user(user)
        reversion.set_comment(comment)
    return supplier


def fetch(query: TrailQuery, user, **kwargs):
    return TRAIL.fetch(query, scope_for(user), cursor=None, older=True, limit=10, **kwargs)


def test_versions_as_additions_and_changes(superuser, make_user) -> None:
    editor = make_user("editor")
    supplier = save_in_revision(Supplier(), editor, "created", name="Acme", api_token="t0k")
    save_in_revision(supplier, superuser, "renamed", name="Acme Ltd", email="x@example.com")
    query = TrailQuery(content_type=content_type(Supplier), object_id=str(supplier.pk))
    change, addition = fetch(query, superuser)
    assert (addition.action, addition.user_name, addition.message) == (
        "addition",
        "editor",
        "created",
    )
    assert {c.field: (c.old, c.new) for c in addition.changes} == {
        "name": (None, "Acme"),
        "api_token": ("********", "********"),
    }
    assert (change.action, change.user_id, change.message) == ("change", superuser.pk, "renamed")
    assert {c.field: (c.old, c.new) for c in change.changes} == {
        "name": ("Acme", "Acme Ltd"),
        "email": ("", "x@example.com"),
    }
    assert change.object_repr == "Acme Ltd" and change.link == ""
    # Across a page boundary, the previous version is still found.
    (older,) = TRAIL.fetch(query, scope_for(superuser), cursor=change.position, older=True, limit=1)
    assert older.action == "addition"
    (only_change,) = TRAIL.fetch(query, scope_for(superuser), cursor=None, older=True, limit=1)
    assert only_change.action == "change" and only_change.changes == change.changes


def test_a_deleted_object_keeps_its_versions(superuser) -> None:
    supplier = save_in_revision(Supplier(), superuser, "", name="Gone")
    pk = supplier.pk
    supplier.delete()
    assert [v.object_id for v in reversion.models.Version.objects.get_deleted(Supplier)] == [
        str(pk)
    ]
    (entry,) = fetch(TrailQuery(content_type=content_type(Supplier), object_id=str(pk)), superuser)
    assert entry.action == "addition" and entry.message is None


def test_filters_scoping_and_what_it_cannot_answer(superuser, make_user, supplier_reader) -> None:
    editor = make_user("editor")
    save_in_revision(Supplier(), editor, "a", name="One")
    first = fetch(TrailQuery(user_id=editor.pk), superuser)
    assert len(first) == 1 and fetch(TrailQuery(user_id=superuser.pk), superuser) == []
    assert fetch(TrailQuery(until=first[0].time), superuser) == []
    assert len(fetch(TrailQuery(since=first[0].time), supplier_reader)) == 1
    assert fetch(TrailQuery(), make_user("nobody", console_perms=None)) == []
    assert TRAIL.unanswerable(TrailQuery(actions=frozenset({"change"}))) == {ACTION}


def test_versions_it_cannot_read_back(superuser) -> None:
    supplier = save_in_revision(Supplier(), superuser, "", name="Odd")
    version = reversion.models.Version.objects.get_for_object(supplier).get()
    version.serialized_data = "not json"
    assert field_data(version) is None and version_changes(version, None) == []
    gone = ContentType.objects.create(app_label="retired", model="gizmo")
    version.content_type = gone
    version.serialized_data = '[{"model": "retired.gizmo", "pk": 1, "fields": {}}]'
    assert version_changes(version, None) == []
