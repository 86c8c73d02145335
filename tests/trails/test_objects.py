"""The object's state across trails: its deletion read from the newest page when it can be."""

from __future__ import annotations

from django.contrib.admin.models import DELETION

from auditconsole.activity.scoping import scope_for
from auditconsole.trails.base import TrailQuery
from auditconsole.trails.logentry import LogEntryTrail
from auditconsole.trails.objects import latest_deletion
from auditconsole.trails.simple_history import SimpleHistoryTrail
from auditconsole.trails.timeline import timeline_page
from tests.activity.entries import content_type, log
from tests.trailapp.models import Supplier

ADMIN = LogEntryTrail("admin", {})
HISTORY = SimpleHistoryTrail("history", {})


def deleted_supplier(save_as, user, *, edits: int) -> str:
    """A supplier edited ``edits`` times and deleted: simple-history holds every record."""
    supplier = save_as(Supplier(), user, name="Acme")
    for number in range(edits):
        save_as(supplier, user, name=f"Acme {number}")
    pk = str(supplier.pk)
    supplier._history_user = user  # type: ignore[attr-defined]
    supplier.delete()
    return pk


def test_a_deletion_on_the_newest_page_is_not_asked_again(
    save_as, superuser, django_assert_num_queries
) -> None:
    pk = deleted_supplier(save_as, superuser, edits=5)
    ct, scope = content_type(Supplier), scope_for(superuser)
    query = TrailQuery(content_type=ct, object_id=pk)
    page = timeline_page([ADMIN, HISTORY], query, scope, size=3)
    assert page.has_next
    expected = HISTORY.latest_deletion(ct, pk, scope)
    assert expected is not None
    with django_assert_num_queries(0):
        assert latest_deletion(HISTORY, ct, pk, scope, page) == expected
    with django_assert_num_queries(1):
        # No LogEntry deletion on a page with more to come: LogEntry is asked.
        assert latest_deletion(ADMIN, ct, pk, scope, page) is None


def test_a_trail_read_to_its_end_has_no_older_deletion(
    save_as, superuser, django_assert_num_queries
) -> None:
    supplier = save_as(Supplier(), superuser, name="Acme")
    ct, scope, pk = content_type(Supplier), scope_for(superuser), str(supplier.pk)
    page = timeline_page([HISTORY], TrailQuery(content_type=ct, object_id=pk), scope, size=50)
    assert not page.has_next and page.entries
    with django_assert_num_queries(0):
        assert latest_deletion(HISTORY, ct, pk, scope, page) is None


def test_an_older_deletion_beyond_the_page_is_asked_for(save_as, superuser) -> None:
    pk = deleted_supplier(save_as, superuser, edits=0)
    ct, scope = content_type(Supplier), scope_for(superuser)
    # Recreated under the same key and edited since: its deletion is older than the page.
    save_as(Supplier(pk=int(pk)), superuser, name="Again")
    for number in range(4):
        save_as(Supplier.objects.get(pk=pk), superuser, name=f"Again {number}")
    query = TrailQuery(content_type=ct, object_id=pk)
    page = timeline_page([HISTORY], query, scope, size=2)
    assert page.has_next
    assert all(e.action != "deletion" for e in page.entries)
    found = latest_deletion(HISTORY, ct, pk, scope, page)
    assert found is not None and found == HISTORY.latest_deletion(ct, pk, scope)


def test_a_later_page_or_none_asks_the_trail(save_as, superuser) -> None:
    pk = deleted_supplier(save_as, superuser, edits=3)
    ct, scope = content_type(Supplier), scope_for(superuser)
    log(superuser, Supplier, pk, DELETION, name="Acme 2")
    query = TrailQuery(content_type=ct, object_id=pk)
    first = timeline_page([ADMIN, HISTORY], query, scope, size=1)
    later = timeline_page([ADMIN, HISTORY], query, scope, size=1, after=first.entries[-1].position)
    assert not later.is_first
    for newest in (later, None):
        for trail in (ADMIN, HISTORY):
            assert latest_deletion(trail, ct, pk, scope, newest) == trail.latest_deletion(
                ct, pk, scope
            )
