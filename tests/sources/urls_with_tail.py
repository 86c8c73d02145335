"""A URLconf where the live-tail page exists, to test the links pointing at it."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import include, path

from auditconsole import urls as console_urls


def tail_page(request, key: str) -> HttpResponse:
    return HttpResponse(key)


urlpatterns = [
    path(
        "audit/",
        include(
            (
                [*console_urls.urlpatterns, path("tail/<slug:key>/", tail_page, name="tail")],
                "auditconsole",
            )
        ),
    ),
    path("accounts/login/", tail_page, {"key": "login"}, name="login"),
]
