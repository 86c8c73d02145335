"""EasyAuditTrail against django-easy-audit's real CRUDEvent and LoginEvent tables."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from easyaudit.middleware.easyaudit import clear_request, set_current_user
from easyaudit.models import CRUDEvent

from auditconsole.activity.scoping import scope_for
from auditconsole.trails.base import TrailQuery
from auditconsole.trails.easyaudit import EasyAuditTrail, crud_changes
from tests.activity.entries import content_type
from tests.trailapp.models import Supplier

TRAIL = EasyAuditTrail("easyaudit", {})


def fetch(query: TrailQuery, user):
    return TRAIL.fetch(query, scope_for(user), cursor=None, older=True, limit=10)


def test_create_update_delete_with_the_user(
    superuser, make_user, django_capture_on_commit_callbacks
) -> None:
    editor = make_user("editor")
    set_current_user(editor)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            supplier = Supplier.objects.create(name="Acme", api_token="t0k")
        with django_capture_on_commit_callbacks(execute=True):
            supplier.name = "Acme Ltd"
            supplier.save()
        pk = supplier.pk
        with django_capture_on_commit_callbacks(execute=True):
            supplier.delete()
    finally:
        clear_request()
    query = TrailQuery(content_type=content_type(Supplier), object_id=str(pk))
    deletion, change, addition = fetch(query, superuser)
    assert [e.action for e in (deletion, change, addition)] == ["deletion", "change", "addition"]
    assert {e.user_name for e in (deletion, change, addition)} == {"editor"}
    assert change.user_id == editor.pk
    assert {c.field: (c.old, c.new) for c in change.changes} == {"name": ("Acme", "Acme Ltd")}
    assert {c.field: c.new for c in addition.changes} == {"name": "Acme", "api_token": "********"}
    assert deletion.changes == () and deletion.summary == "Delete event."
    assert change.link == f"/admin/easyaudit/crudevent/{change.tiebreak[1]}/change/"
    # Filters and scope.
    assert [e.action for e in fetch(TrailQuery(actions=frozenset({"change"})), superuser)] == [
        "change"
    ]
    assert fetch(TrailQuery(user_id=superuser.pk), superuser) == []
    assert fetch(TrailQuery(until=addition.time), superuser) == []
    assert len(fetch(TrailQuery(since=addition.time), superuser)) == 3
    assert fetch(TrailQuery(), make_user("nobody", console_perms=None)) == []


def test_logins_on_a_users_page_only(superuser, make_user) -> None:
    agent = make_user("agent7", console_perms=None, perms=("auth.view_user",))
    # Through a real login form, so the request (and its address) is there.
    response = Client(REMOTE_ADDR="198.51.100.4").post(
        reverse("admin:login"), {"username": "agent7", "password": "pw"}
    )
    assert response.status_code in (200, 302)
    (login,) = fetch(TrailQuery(user_id=agent.pk), superuser)
    assert (login.action, login.summary, login.user_name) == ("login", "Login.", "agent7")
    assert [(f.label, f.value) for f in login.facts] == [("IP address", "198.51.100.4")]
    assert login.dom_id == f"entry-easyaudit-1-{login.tiebreak[1]}"
    # Not for a model's or an object's page, nor an action filter without logins, nor a
    # viewer who may not see users.
    assert fetch(TrailQuery(user_id=agent.pk, content_type=content_type(Supplier)), superuser) == []
    assert fetch(TrailQuery(user_id=agent.pk, actions=frozenset({"change"})), superuser) == []
    assert fetch(TrailQuery(user_id=agent.pk), make_user("reader", console_perms=None)) == []
    assert len(fetch(TrailQuery(user_id=agent.pk), agent)) == 1


def test_what_it_cannot_read(superuser) -> None:
    event = CRUDEvent(
        event_type=2,
        content_type=content_type(Supplier),
        object_id="1",
        changed_fields="not json",
        object_json_repr="",
    )
    assert crud_changes(event) == []
    event.event_type, event.changed_fields, event.object_json_repr = 1, None, "[{}]"
    assert crud_changes(event) == []
