"""SimpleHistoryTrail against django-simple-history's real historical tables."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditconsole.activity.scoping import scope_for
from auditconsole.trails.base import TrailQuery
from auditconsole.trails.simple_history import SimpleHistoryTrail
from auditconsole.trails.values import json_value
from tests.activity.entries import content_type
from tests.trailapp.models import Supplier, Warehouse

TRAIL = SimpleHistoryTrail("history", {"LABEL": "History"})


def history_of(supplier: Supplier, user, *, limit: int = 10):
    query = TrailQuery(content_type=content_type(Supplier), object_id=str(supplier.pk))
    return TRAIL.fetch(query, scope_for(user), cursor=None, older=True, limit=limit)


def test_additions_changes_and_deletions(save_as, superuser, make_user) -> None:
    editor = make_user("editor")
    supplier = save_as(Supplier(), editor, "onboarding", name="Acme", api_token="s3cret")
    save_as(supplier, editor, "moved", email="new@example.com", name="Acme Ltd")
    pk = supplier.pk
    supplier._history_user = superuser  # type: ignore[attr-defined]
    supplier.delete()
    deletion, change, addition = entries = history_of(Supplier(pk=pk), superuser)
    assert [e.action for e in entries] == ["deletion", "change", "addition"]
    assert {e.object_id for e in entries} == {str(pk)}
    assert (addition.user_id, addition.user_name, addition.message) == (
        editor.pk,
        "editor",
        "onboarding",
    )
    # An addition shows what it was created with; the secret field is masked.
    assert {c.field: (c.old, c.new) for c in addition.changes} == {
        "name": (None, "Acme"),
        "api_token": ("********", "********"),
    }
    # A change: before and after from the previous record (the package's diff_against).
    assert {c.field: (c.old, c.new) for c in change.changes} == {
        "email": ("", "new@example.com"),
        "name": ("Acme", "Acme Ltd"),
    }
    assert change.message == "moved" and change.object_repr == "Acme Ltd"
    assert {c.label for c in change.changes} == {"email", "name"}
    # The deleted object is there, by who deleted it, linked to the package's own page.
    assert deletion.user_name == "root" and deletion.changes == ()
    assert deletion.link == f"/admin/trailapp/supplier/{pk}/history/{deletion.tiebreak[1]}/"
    assert TRAIL.latest_deletion(content_type(Supplier), str(pk), scope_for(superuser)) == deletion


def test_a_page_boundary_still_diffs_against_the_previous_record(save_as, superuser) -> None:
    supplier = save_as(Supplier(), superuser, name="A")
    for name in ("B", "C"):
        save_as(supplier, superuser, name=name)
    (newest,) = history_of(supplier, superuser, limit=1)
    assert [(c.old, c.new) for c in newest.changes] == [("B", "C")]
    older = TRAIL.fetch(
        TrailQuery(content_type=content_type(Supplier), object_id=str(supplier.pk)),
        scope_for(superuser),
        cursor=newest.position,
        older=True,
        limit=1,
    )
    assert [(c.old, c.new) for c in older[0].changes] == [("A", "B")]


def test_unknown_users_and_keys(save_as, superuser) -> None:
    supplier = save_as(Supplier(), None, name="Anon")
    (entry,) = history_of(supplier, superuser)
    assert (entry.user_id, entry.user_name) == (None, "")
    assert (
        TRAIL.fetch(
            TrailQuery(content_type=content_type(Supplier), object_id="not-a-number"),
            scope_for(superuser),
            cursor=None,
            older=True,
            limit=5,
        )
        == []
    )


def test_filters_and_scoping(save_as, superuser, make_user) -> None:
    editor = make_user("editor", console_perms=None)
    supplier = save_as(Supplier(), editor, name="Acme")
    save_as(supplier, superuser, name="Acme 2")
    scope = scope_for(superuser)
    by_editor = TRAIL.fetch(TrailQuery(user_id=editor.pk), scope, cursor=None, older=True, limit=5)
    assert [e.action for e in by_editor] == ["addition"]
    changes = TrailQuery(actions=frozenset({"change"}), since=by_editor[0].time)
    assert [e.user_name for e in TRAIL.fetch(changes, scope, cursor=None, older=True, limit=5)] == [
        "root"
    ]
    before = TrailQuery(until=by_editor[0].time)
    assert TRAIL.fetch(before, scope, cursor=None, older=True, limit=5) == []
    # Without view permission on suppliers, nothing; tracking is a property of the model.
    assert TRAIL.fetch(TrailQuery(), scope_for(editor), cursor=None, older=True, limit=5) == []
    assert TRAIL.tracks(content_type(Supplier)) and not TRAIL.tracks(content_type(Warehouse))


def test_json_values() -> None:
    import datetime
    import decimal

    assert json_value(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert json_value(decimal.Decimal("1.50")) == "1.50"
    assert json_value([1, (2,)]) == [1, [2]]
    assert json_value(object).startswith("<class")


def test_links_are_the_admins_for_awkward_keys(superuser) -> None:
    from django.contrib.admin.utils import quote
    from django.urls import reverse

    trail = SimpleHistoryTrail("history", {})
    row = Supplier.history.model(id=1, history_id=42)  # type: ignore[attr-defined]
    for key in ("7", "a/b c", "ünï%"):
        assert trail.link(row, key) == reverse(
            "admin:trailapp_supplier_simple_history", args=[quote(key), 42]
        )


def test_a_capped_count_reads_no_further_and_sorts_nothing(save_as, superuser) -> None:
    supplier = save_as(Supplier(), superuser, name="A")
    for name in ("B", "C", "D"):
        save_as(supplier, superuser, name=name)
    save_as(Supplier(), None, name="Other")
    scope = scope_for(superuser)
    by_user = TrailQuery(user_id=superuser.pk)
    with CaptureQueriesContext(connection) as queries:
        counts = [TRAIL.count(by_user, scope, cap=cap) for cap in (2, 4, 10)]
    assert counts == [2, 4, 4]
    # The historical tables order by (history_date, history_id): a count drops it, or it
    # would sort every matching row of a large table before counting.
    assert queries.captured_queries
    assert not any("ORDER BY" in q["sql"] for q in queries.captured_queries)
