"""The object page merged across trails: badges, one change recorded twice, the state."""

from __future__ import annotations

import datetime
import re

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.urls import reverse

from auditconsole.audit import log_action
from tests.activity.entries import content_type, log
from tests.trailapp.models import Supplier
from tests.trails.every import EVERY_TRAIL, supplier_in_every_trail

HX = {"HTTP_HX_REQUEST": "true"}
ADMIN_AND_HISTORY = {
    "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"},
    "history": {"BACKEND": "auditconsole.trails.simple_history.SimpleHistoryTrail"},
}


def page_of(client, obj_id, **params):
    url = reverse("auditconsole:object", args=[content_type(Supplier).pk, obj_id])
    return client.get(url, params)


def items(response) -> list[tuple[str, list[str]]]:
    """(entry id, the trail badges) of each timeline item."""
    html = response.content.decode()
    found = []
    for match in re.finditer(r'<li id="(entry-[\w-]+)"(.*?)</li>', html, re.S):
        found.append((match.group(1), re.findall(r'data-trail="(\w+)"', match.group(2))))
    return found


def test_an_admin_edit_is_one_entry_with_both_badges(client_for, superuser) -> None:
    client = client_for(superuser)
    supplier = Supplier.objects.create(name="Acme", email="a@example.com")
    change_url = reverse("admin:trailapp_supplier_change", args=[supplier.pk])
    response = client.post(change_url, {"name": "Acme Ltd", "email": "a@example.com"})
    assert response.status_code == 302
    # The admin wrote "Changed Name." and simple-history the values: one change, two trails.
    assert LogEntry.objects.get().get_change_message() == "Changed Name."
    # And auditlog, whose middleware knew the user too: one entry, three badges.
    found = items(page_of(client, supplier.pk))
    history_id = Supplier.history.latest().history_id  # type: ignore[attr-defined]
    ct = content_type(Supplier).pk
    assert found[0] == (f"entry-history-{ct}-{history_id}", ["admin", "history", "auditlog"])
    # The creation, outside a request (no user): each trail's own.
    assert sorted(badges for _, badges in found[1:]) == [["auditlog"], ["history"]]
    html = page_of(client, supplier.pk).content.decode()
    # The richer diff leads: simple-history's before and after.
    assert "Acme Ltd" in html and ">Acme<" in html
    assert f'href="/admin/trailapp/supplier/{supplier.pk}/history/"' in html
    assert f'href="/audit/user/{superuser.pk}/trails/"' in html


def test_changes_that_do_not_match_stay_apart(
    client_for, superuser, make_user, save_as, settings
) -> None:
    settings.AUDITCONSOLE_TRAILS = ADMIN_AND_HISTORY
    other = make_user("other")
    supplier = save_as(Supplier(), superuser, name="Acme")
    entry_ids = []
    # Another user; another field; too long before: three entries beside the history's.
    save_as(supplier, other, name="Acme 2")
    entry_ids.append(
        log(
            superuser, supplier, supplier.pk, CHANGE, message=[{"changed": {"fields": ["Name"]}}]
        ).pk
    )
    save_as(supplier, superuser, email="x@example.com")
    entry_ids.append(
        log(
            superuser, supplier, supplier.pk, CHANGE, message=[{"changed": {"fields": ["Name"]}}]
        ).pk
    )
    long_ago = supplier.history.earliest().history_date - datetime.timedelta(seconds=30)  # type: ignore[attr-defined]
    entry_ids.append(log(superuser, supplier, supplier.pk, CHANGE, when=long_ago).pk)
    found = items(page_of(client_for(superuser), supplier.pk))
    assert len(found) == 6
    assert all(len(badges) == 1 for _, badges in found)
    assert {f"entry-{pk}" for pk in entry_ids} <= {dom_id for dom_id, _ in found}


def test_deleted_is_decided_across_trails(client_for, superuser, save_as) -> None:
    client = client_for(superuser)
    supplier = save_as(Supplier(), superuser, name="Gone Ltd")
    pk = supplier.pk
    supplier._history_user = superuser  # type: ignore[attr-defined]
    supplier.delete()
    # No LogEntry at all: simple-history knows who deleted it.
    html = page_of(client, pk).content.decode()
    assert "Deleted" in html and f'href="/audit/user/{superuser.pk}/trails/">root</a>' in html
    assert "Gone Ltd" in html
    # A LogEntry deletion recorded later is the newer one.
    entry = log_action(superuser, Supplier(pk=pk, name="Gone Ltd"), DELETION)
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    assert page_of(client, pk).status_code == 200
    # Never known to any trail and not there: 404.
    assert page_of(client, 999_999).status_code == 404


def test_trails_the_viewer_may_not_see_are_left_out(
    client_for, superuser, supplier_reader, save_as, settings
) -> None:
    supplier = save_as(Supplier(), superuser, name="Acme")
    logged = log(superuser, supplier, supplier.pk, CHANGE, message="Called")
    settings.AUDITCONSOLE_TRAILS = {
        "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"},
        "history": {
            "BACKEND": "auditconsole.trails.simple_history.SimpleHistoryTrail",
            "PERMISSION": "auth.view_user",
        },
    }
    found = items(page_of(client_for(supplier_reader), supplier.pk))
    assert found == [(f"entry-{logged.pk}", [])]  # one trail: no badges
    assert len(items(page_of(client_for(superuser), supplier.pk))) == 2


def test_paging_both_ways_and_a_bad_cursor(client_for, superuser, save_as, settings) -> None:
    settings.AUDITCONSOLE_TRAILS = ADMIN_AND_HISTORY
    settings.AUDITCONSOLE_PAGE_SIZE = 2
    client = client_for(superuser)
    supplier = save_as(Supplier(), superuser, name="S0")
    for n in range(1, 5):
        save_as(supplier, None, name=f"S{n}")
    first = page_of(client, supplier.pk)
    html = first.content.decode()
    next_url = re.search(r'href="([^"]+)"[^>]*rel="next"', html).group(1).replace("&amp;", "&")
    second = client.get(next_url)
    assert re.findall(r"as “(S\d)”", second.content.decode()) == ["S2", "S1"]
    fragment = client.get(next_url, **HX).content.decode()
    assert fragment.lstrip().startswith('<div id="timeline"')
    prev_url = re.search(r'href="([^"]+)"[^>]*rel="prev"', fragment).group(1).replace("&amp;", "&")
    assert items(client.get(prev_url)) == items(first)
    bad = page_of(client, supplier.pk, after="garbage")
    assert bad.status_code == 200 and "not valid any more" in bad.content.decode()


def test_one_object_with_every_trail(
    client_for, superuser, django_capture_on_commit_callbacks
) -> None:
    """One creation, recorded by the admin's log and each package: one entry, five badges."""
    commits = django_capture_on_commit_callbacks(execute=True)
    supplier = supplier_in_every_trail(superuser, commits)
    ((_, badges),) = items(page_of(client_for(superuser), supplier.pk))
    assert badges == EVERY_TRAIL
