from __future__ import annotations

import pytest
from django.urls import reverse

CONSOLE_URLS = [
    reverse("auditconsole:index"),
    reverse("auditconsole:activity"),
    reverse("auditconsole:sources"),
    reverse("auditconsole:tail_index"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", CONSOLE_URLS)
def test_anonymous_is_redirected_to_login(client, url) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("url", CONSOLE_URLS)
def test_staff_without_console_permission_gets_403_page(client_for, staff_user, url) -> None:
    response = client_for(staff_user).get(url)
    assert response.status_code == 403
    assert b"You don\xe2\x80\x99t have access" in response.content


def test_index_lists_only_permitted_sections(client_for, make_user) -> None:
    logs_only = make_user("logs", console_perms=("view_logs",))
    response = client_for(logs_only).get(reverse("auditconsole:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("auditconsole:sources") in body
    assert reverse("auditconsole:activity") not in body


def test_index_layout_for_support_agent(client_for, support_user) -> None:
    response = client_for(support_user).get(reverse("auditconsole:index"))
    body = response.content.decode()
    assert response.status_code == 200
    for label in ("Activity", "Logs", "Live tail", "Log out", support_user.username):
        assert label in body
    # htmx and the stylesheet are served locally: no CDN.
    assert "/static/django_htmx/htmx-2.min.js" in body
    assert "/static/auditconsole/console.css" in body
    assert "https://" not in body


def test_root_redirects_to_console(client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("auditconsole:index")
