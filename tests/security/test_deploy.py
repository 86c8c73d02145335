"""Production hardening of the whole console: headers, cookies, caching, CSRF.

``check --deploy`` with production settings is already proven clean in
``tests/project/test_site.py``; this module checks what the running console actually
sends, on every one of its URLs.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from auditconsole.conf import conf
from tests.project.test_site import PRODUCTION_ENV, manage
from tests.security.conftest import World
from tests.security.console_urls import Samples, body_of, console_urls

URLS = console_urls()
HSTS = "max-age=31536000; includeSubDomains; preload"


@pytest.fixture
def root(world: World) -> Client:
    client = Client()
    client.force_login(world.users["superuser"])
    return client


def test_production_settings_secure_the_cookies(tmp_path) -> None:
    code = (
        "from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "True",
        "31536000",
        "DENY",
        "True",
    ]


def test_every_page_sends_the_security_headers(
    world: World, samples: Samples, root: Client
) -> None:
    missing = []
    for url in URLS:
        path = samples.path_for(url)
        response = root.get(path, secure=True)
        body_of(response)
        assert response.status_code == 200, (url.name, response.status_code)
        expected = {
            "Strict-Transport-Security": HSTS,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        for header, value in expected.items():
            if response.get(header) != value:
                missing.append(f"{url.name}: {header} is {response.get(header)!r}")
        policy = response.get("Content-Security-Policy", "")
        if "default-src 'self'" not in policy or "unsafe-" in policy:
            missing.append(f"{url.name}: CSP {policy!r}")
        # Audit data is never kept by a shared cache, nor by the browser's.
        if "no-store" not in response.get("Cache-Control", ""):
            missing.append(f"{url.name}: Cache-Control {response.get('Cache-Control')!r}")
    assert not missing, "\n".join(missing)


def test_hsts_only_on_secure_requests(world: World, root: Client) -> None:
    assert "Strict-Transport-Security" not in root.get(reverse("auditconsole:index"))
    assert root.get(reverse("auditconsole:index"), secure=True)["Strict-Transport-Security"] == HSTS


def test_plain_http_is_redirected_in_production(world: World, root: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True  # tests.settings turns it off for the test client
    response = root.get(reverse("auditconsole:activity"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_login_sets_secure_cookies(world: World) -> None:
    client = Client()
    page = client.get(resolve_url(django_settings.LOGIN_URL), secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    response = client.post(
        resolve_url(django_settings.LOGIN_URL),
        {"username": "exporter", "password": "pw"},
        secure=True,
        HTTP_REFERER="https://testserver/accounts/login/",
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    # The CSRF token is rotated at login: one planted before it is worthless after.
    assert client.cookies["csrftoken"].value != csrf.value


# -- CSRF on every POST endpoint -------------------------------------------------------------


def csrf_client(user: Any) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(resolve_url(django_settings.LOGIN_URL))
    return client, client.cookies["csrftoken"].value


def post_endpoints(world: World, samples: Samples) -> list[str]:
    """Every console URL plus the logout it links to, whichever of them accept a POST."""
    return [samples.path_for(url) for url in URLS] + [resolve_url(conf.LOGOUT_URL)]


def test_every_post_is_refused_without_the_csrf_token(world: World, samples: Samples) -> None:
    client, _ = csrf_client(world.users["superuser"])
    for path in post_endpoints(world, samples):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.post(path, **headers)
            assert response.status_code == 403, path
            assert b"CSRF" in response.content, path


def test_htmx_posts_with_the_header_are_accepted(world: World, samples: Samples) -> None:
    """The X-CSRFToken header console.js adds to every non-GET htmx request is enough."""
    client, token = csrf_client(world.users["superuser"])
    accepting = []
    for path in post_endpoints(world, samples):
        response = client.post(path, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
        assert response.status_code != 403, path
        if response.status_code != 405:
            accepting.append(path)
    # Today only the logout takes a POST; any new one is covered by the loop above.
    assert resolve_url(conf.LOGOUT_URL) in accepting
    assert client.get(reverse("auditconsole:index")).status_code == 302  # logged out
