from __future__ import annotations

from django.template import Context
from django.test import RequestFactory

from auditconsole.templatetags.auditconsole import console_nav


def test_nav_for_anonymous_has_no_links(rf: RequestFactory) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    nav = console_nav(Context({"request": request}))
    assert not nav["can_activity"] and not nav["can_logs"] and not nav["can_export"]


def test_nav_tolerates_a_project_without_logout_url(rf, settings, superuser) -> None:
    settings.AUDITCONSOLE_LOGOUT_URL = "no-such-url-name"
    request = rf.get("/")
    request.user = superuser
    nav = console_nav(Context({"request": request, "console_section": "logs"}))
    assert nav["logout_url"] is None
    assert nav["can_activity"] and nav["can_logs"] and nav["can_export"]
    assert nav["section"] == "logs"


def test_nav_without_request() -> None:
    nav = console_nav(Context({}))
    assert nav["user"] is None
    assert not nav["can_logs"]
