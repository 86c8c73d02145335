"""PghistoryTrail against django-pghistory's trigger-written events (PostgreSQL only)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="django-pghistory needs PostgreSQL"
)

if connection.vendor == "postgresql":
    import pghistory

    from auditconsole.activity.scoping import scope_for
    from auditconsole.trails.base import TrailQuery
    from auditconsole.trails.pghistory import PghistoryTrail
    from tests.activity.entries import content_type
    from tests.pgtrailapp.models import Shipment

    TRAIL = PghistoryTrail("pghistory", {})


def fetch(query, user, **kwargs):
    defaults = {"cursor": None, "older": True, "limit": 10}
    return TRAIL.fetch(query, scope_for(user), **{**defaults, **kwargs})


def test_insert_update_delete_with_the_context_user(superuser, make_user) -> None:
    editor = make_user("editor")
    with pghistory.context(user=editor.pk, url="/orders/7/"):
        shipment = Shipment.objects.create(reference="S-1", api_token="t0k")
    with pghistory.context(user=superuser.pk):
        shipment.status = "sent"
        shipment.save()
    pk = shipment.pk
    with pghistory.context(user=editor.pk):
        shipment.delete()
    query = TrailQuery(content_type=content_type(Shipment), object_id=str(pk))
    deletion, change, addition = fetch(query, superuser)
    assert [e.action for e in (deletion, change, addition)] == ["deletion", "change", "addition"]
    assert (addition.user_id, addition.user_name) == (editor.pk, "editor")
    assert ("Url", "/orders/7/") in [(f.label, f.value) for f in addition.facts]
    assert {c.field: c.new for c in addition.changes} == {
        "reference": "S-1",
        "api_token": "********",
    }
    assert {c.field: (c.old, c.new) for c in change.changes} == {"status": ("", "sent")}
    assert change.user_name == "root" and change.object_repr == "S-1"
    assert deletion.user_id == editor.pk and deletion.changes == ()
    (older,) = fetch(query, superuser, cursor=change.position, limit=1)
    assert older.action == "addition"
    # Filters and scope.
    assert [e.action for e in fetch(TrailQuery(user_id=superuser.pk), superuser)] == ["change"]
    assert [e.action for e in fetch(TrailQuery(actions=frozenset({"deletion"})), superuser)] == [
        "deletion"
    ]
    assert fetch(TrailQuery(until=addition.time), superuser) == []
    assert fetch(TrailQuery(), make_user("nobody", console_perms=None)) == []
    assert fetch(TrailQuery(content_type=content_type(Shipment), object_id="x"), superuser) == []
    assert TRAIL.tracks(content_type(Shipment))
    assert TRAIL.check_config("pghistory", {}) == []
