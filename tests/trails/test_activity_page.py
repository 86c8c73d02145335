"""The activity list and user page across trails: facet, refusals, merged pages."""

from __future__ import annotations

import re

import reversion
from django.contrib.admin.models import CHANGE
from django.urls import reverse

from tests.activity.entries import content_type, log
from tests.trailapp.models import Supplier, Warehouse

HX = {"HTTP_HX_REQUEST": "true"}
LIST = "/audit/activity/trails/"


def admin_and_history(*, permission: str) -> dict[str, dict[str, str]]:
    """The admin's log for everyone, simple-history for holders of ``permission``."""
    return {
        "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"},
        "history": {
            "BACKEND": "auditconsole.trails.simple_history.SimpleHistoryTrail",
            "PERMISSION": permission,
        },
    }


def ids(response) -> list[str]:
    return re.findall(r'<li id="(entry-[\w-]+)"', response.content.decode())


def facet(response) -> dict[str, str]:
    html = response.content.decode()
    return dict(
        re.findall(
            r'data-trail="(\w+)"[^>]*><span>[^<]*</span><span class="facet-count">([^<]*)<', html
        )
    )


def test_every_trail_with_filters_facet_and_refusals(
    client_for, superuser, make_user, save_as
) -> None:
    other = make_user("other")
    supplier = save_as(Supplier(), superuser, name="Acme")
    with reversion.create_revision():
        supplier.save()
        reversion.set_user(other)
    warehouse = Warehouse.objects.create(name="North")
    entry = log(other, warehouse, warehouse.pk, CHANGE, name="North")
    client = client_for(superuser)
    response = client.get(LIST)
    assert response.status_code == 200
    # Each trail counted: the admin's change, simple-history's two saves, one version.
    counts = facet(response)
    assert (counts["admin"], counts["history"], counts["reversion"]) == ("1", "2", "1")
    assert f"entry-{entry.pk}" in ids(response)
    # Filters apply to every trail that can answer them.
    by_other = client.get(LIST, {"user": other.pk})
    assert {i.split("-")[1] for i in ids(by_other)} == {str(entry.pk), "reversion"}
    # One that cannot is left out, and says so.
    changes = client.get(LIST, {"action": "change"})
    html = changes.content.decode()
    assert 'data-refused="reversion"' in html and "cannot filter by action" in html
    assert facet(changes)["reversion"] == "—"
    assert not [i for i in ids(changes) if i.startswith("entry-reversion")]
    # The trail facet narrows to one trail; the fragment is the results alone.
    only = client.get(LIST, {"trail": "admin"}, **HX)
    assert only.content.decode().lstrip().startswith('<div id="results"')
    assert ids(only) == [f"entry-{entry.pk}"]
    # A search: the admin's log answers it, simple-history says it cannot.
    searched = client.get(LIST, {"q": "North"}).content.decode()
    assert f'id="entry-{entry.pk}"' in searched and 'data-refused="history"' in searched


def test_merged_pages_and_the_user_page(client_for, superuser, save_as, settings) -> None:
    settings.AUDITCONSOLE_PAGE_SIZE = 2
    settings.AUDITCONSOLE_TRAILS = {
        "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"},
        "history": {"BACKEND": "auditconsole.trails.simple_history.SimpleHistoryTrail"},
    }
    supplier = save_as(Supplier(), superuser, name="S0")
    for n in range(1, 4):
        save_as(supplier, superuser, name=f"S{n}")
    log(superuser, supplier, supplier.pk, CHANGE, message="Called")
    client = client_for(superuser)
    url = reverse("auditconsole:user_trails", args=[superuser.pk])
    seen = []
    response = client.get(url)
    while True:
        seen.extend(ids(response))
        found = re.search(r'href="([^"]+)"[^>]*rel="next"', response.content.decode())
        if not found:
            break
        response = client.get(found.group(1).replace("&amp;", "&"))
    assert len(seen) == len(set(seen)) == 5
    # The list and the user page link here, with their filters.
    listing = client.get(reverse("auditconsole:user", args=[superuser.pk]), {"action": "change"})
    assert f'href="{url}?action=change"' in listing.content.decode()
    assert client.get(url, {"after": "garbage"}).status_code == 200
    assert "not valid any more" in client.get(url, {"after": "garbage"}).content.decode()


def test_scoping_and_trail_permissions(
    client_for, supplier_reader, superuser, save_as, settings
) -> None:
    settings.AUDITCONSOLE_TRAILS = admin_and_history(permission="auth.view_user")
    supplier = save_as(Supplier(), superuser, name="Acme")
    warehouse = Warehouse.objects.create(name="North")
    hidden = log(superuser, warehouse, warehouse.pk, CHANGE)
    seen = log(superuser, supplier, supplier.pk, CHANGE)
    response = client_for(supplier_reader).get(LIST)
    found = ids(response)
    assert f"entry-{seen.pk}" in found and f"entry-{hidden.pk}" not in found
    assert facet(response)["admin"] == "1"
    # A trail the viewer may not see is neither counted nor read.
    assert set(facet(response)) == {"admin"}
    assert not [i for i in found if i.startswith("entry-history")]


def test_activity_leads_to_every_trail_for_whoever_sees_more_than_the_admin_log(
    client_for, superuser, make_user, save_as, settings
) -> None:
    """ "Activity", "My activity", the overview's card and users' names lead to the merged
    pages for a viewer who sees a trail beyond the admin's log; to the admin log's own
    pages (with their chart and facets) for one who sees the admin's log alone."""
    settings.AUDITCONSOLE_TRAILS = admin_and_history(permission="trailapp.change_supplier")
    supplier = save_as(Supplier(), superuser, name="Acme")
    log(superuser, supplier, supplier.pk, CHANGE, name="Acme", message="Called")
    agent = make_user("agent", console_perms=None, perms=("trailapp.view_supplier",))
    object_url = reverse("auditconsole:object", args=[content_type(Supplier).pk, supplier.pk])
    for viewer, suffix in ((superuser, "trails/"), (agent, "")):
        client = client_for(viewer)
        home = client.get(reverse("auditconsole:index")).content.decode()
        assert f'<a class="card card--link" href="/audit/activity/{suffix}">' in home
        assert f'<li><a href="/audit/activity/{suffix}" >Activity</a></li>' in home
        assert f'<a href="/audit/user/{viewer.pk}/{suffix}">My activity</a>' in home
        page = client.get(object_url).content.decode()
        assert f'<a href="/audit/user/{superuser.pk}/{suffix}">root</a>' in page
        assert f'<a href="/audit/activity/{suffix}">Activity</a> › ' in page
        assert f'href="/audit/activity/{suffix}?content_type=trailapp.supplier"' in page
    # Whichever page the viewer is on, the section is the same.
    merged = client_for(superuser).get(LIST).content.decode()
    assert '<li><a href="/audit/activity/trails/" aria-current="page">Activity</a></li>' in merged
