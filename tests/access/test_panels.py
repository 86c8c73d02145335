"""'Viewed by' and 'Recent searches': for holders of view_access, read from the console's log."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from project.demo.models import Customer, Invoice
from tests.activity.entries import log

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def acme(support_user):
    customer = Customer.objects.create(name="Acme Ltd", email="ops@acme.example")
    log(support_user, Customer, customer.pk, CHANGE, name="Acme Ltd")
    return customer


@pytest.fixture
def overseer(make_user):
    """Checks the checkers: sees who viewed what, and may browse logs."""
    return make_user(
        "overseer",
        console_perms=("view_activity", "view_logs", "view_access"),
        perms=("demo.view_customer",),
    )


def viewers_url(customer: Customer) -> str:
    content_type = ContentType.objects.get_for_model(Customer)
    return reverse("auditconsole:object_viewers", args=[content_type.pk, str(customer.pk)])


def object_url(customer: Customer) -> str:
    content_type = ContentType.objects.get_for_model(Customer)
    return reverse("auditconsole:object", args=[content_type.pk, str(customer.pk)])


def test_viewed_by_lists_who_opened_the_object(
    console_log, acme, client_for, support_user, overseer, viewer_user
):
    client_for(support_user).get(object_url(acme))
    client_for(viewer_user).get(object_url(acme))
    watcher = client_for(overseer)
    page = watcher.get(object_url(acme)).content.decode()
    assert f'hx-get="{viewers_url(acme)}"' in page  # the panel's slot
    fragment = watcher.get(viewers_url(acme), **HX).content.decode()
    assert "<h2>Viewed by</h2>" in fragment
    # Newest first: the overseer's own view, then the viewer's, then the agent's.
    assert (
        fragment.index(">overseer</a>")
        < fragment.index(">viewer</a>")
        < fragment.index(">agent</a>")
    )
    assert f'href="/audit/user/{viewer_user.pk}/"' in fragment
    assert "/audit/logs/console/?logger=auditconsole.access&amp;field=event%3Dobject" in fragment
    whole = watcher.get(viewers_url(acme)).content.decode()
    assert "<!doctype html>" in whole and "Viewed by" in whole


def test_recent_searches_of_a_user(console_log, acme, client_for, support_user, overseer):
    agent = client_for(support_user)
    agent.get("/audit/activity/?q=Acme")
    agent.get("/audit/logs/app/?level=ERROR")
    agent.get(object_url(acme))  # not a search
    watcher = client_for(overseer)
    page = watcher.get(f"/audit/user/{support_user.pk}/").content.decode()
    assert f'hx-get="/audit/user/{support_user.pk}/searches/"' in page
    fragment = watcher.get(f"/audit/user/{support_user.pk}/searches/", **HX).content.decode()
    assert "<h2>Recent searches</h2>" in fragment
    assert fragment.count("<tr>") == 1 + 2
    assert '<span class="mono">level=ERROR</span>' in fragment
    assert 'log <span class="mono">app</span>' in fragment
    assert '<span class="mono">q=Acme</span>' in fragment
    nobody = watcher.get(f"/audit/user/{overseer.pk}/searches/", **HX).content.decode()
    assert "No search by this user is recorded." in nobody
    assert watcher.get("/audit/user/999999/searches/").status_code == 404


def test_only_holders_of_view_access_see_the_panels(
    console_log, acme, client_for, support_user, viewer_user
):
    client = client_for(viewer_user)
    assert "viewed-by" not in client.get(object_url(acme)).content.decode()
    assert "/searches/" not in client.get(f"/audit/user/{support_user.pk}/").content.decode()
    assert client.get(viewers_url(acme)).status_code == 403
    assert client.get(f"/audit/user/{support_user.pk}/searches/").status_code == 403


def test_panels_without_the_log_or_its_permission(
    console_log, acme, client_for, make_user, settings
):
    reader = make_user(
        "reader", console_perms=("view_activity", "view_access"), perms=("demo.view_customer",)
    )
    client = client_for(reader)
    fragment = client.get(viewers_url(acme), **HX).content.decode()
    # May see who viewed, not browse the log itself: no link to it.
    assert "Nobody's view of this page is recorded." in fragment
    assert "/audit/logs/console/" not in fragment
    settings.AUDITCONSOLE_LOG_SOURCES["console"]["PERMISSION"] = "demo.view_invoice"
    assert "a log you may not see" in client.get(viewers_url(acme), **HX).content.decode()
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "gone"
    assert (
        "no log source reads the console's own log"
        in client.get(viewers_url(acme), **HX).content.decode()
    )
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None
    assert (
        "no log source reads"
        in client.get(f"/audit/user/{reader.pk}/searches/", **HX).content.decode()
    )


def test_objects_one_may_not_see_do_not_exist(console_log, client_for, overseer):
    client = client_for(overseer)
    invoice = ContentType.objects.get_for_model(Invoice)
    assert (
        client.get(reverse("auditconsole:object_viewers", args=[invoice.pk, "INV-1"])).status_code
        == 404
    )
    assert client.get(reverse("auditconsole:object_viewers", args=[999999, "1"])).status_code == 404
    long_id = "x" * 300
    customer = ContentType.objects.get_for_model(Customer)
    assert (
        client.get(reverse("auditconsole:object_viewers", args=[customer.pk, long_id])).status_code
        == 404
    )


def test_an_unknown_model_is_a_404_for_superusers_too(console_log, client_for, superuser):
    response = client_for(superuser).get(reverse("auditconsole:object_viewers", args=[999999, "1"]))
    assert response.status_code == 404


def test_the_user_type_is_a_model_too(console_log, client_for, superuser):
    """Object ids of any model the viewer may see, a user included."""
    user_type = ContentType.objects.get_for_model(User)
    response = client_for(superuser).get(
        reverse("auditconsole:object_viewers", args=[user_type.pk, str(superuser.pk)]), **HX
    )
    assert response.status_code == 200
