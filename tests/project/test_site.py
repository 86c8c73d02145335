"""The standalone project: settings from the environment, admin, health, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.urls import reverse

from project import settings as project_settings
from project.settings import env_bool, env_list

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-" + "k3y-material-" * 5,
    "ALLOWED_HOSTS": "audit.example.com",
    "DJANGO_SETTINGS_MODULE": "project.settings",
}


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    full_env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        },
        "AUDITCONSOLE_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_env_helpers(monkeypatch) -> None:
    monkeypatch.setenv("X_FLAG", "Yes")
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env_bool("X_FLAG") is True
    assert env_bool("X_MISSING", default=True) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG") is False
    assert env_list("X_LIST") == ["a", "b", "c"]
    assert env_list("X_MISSING", "d") == ["d"]


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path) -> None:
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path) -> None:
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_database_url_selects_the_database(tmp_path) -> None:
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://u:p@db.internal:5433/audit"}
    code = "from django.conf import settings; d=settings.DATABASES['default']; print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'])"
    result = manage("shell", "--no-imports", "-c", code, env=env, tmp_path=tmp_path)
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.internal",
        "5433",
        "audit",
    ]


def test_default_database_is_sqlite_under_var(tmp_path) -> None:
    code = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    result = manage("shell", "--no-imports", "-c", code, env={**PRODUCTION_ENV}, tmp_path=tmp_path)
    assert result.stdout.strip() == str(tmp_path / "db.sqlite3")


@pytest.mark.django_db
def test_healthz(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_admin_refuses_console_only_staff(client_for, support_user) -> None:
    response = client_for(support_user).get(reverse("admin:index"))
    # The admin sends non-permitted users to its login page instead of showing anything.
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_admits_superuser(client_for, superuser) -> None:
    assert client_for(superuser).get(reverse("admin:index")).status_code == 200


def test_login_page_renders(client, db) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_login_and_logout(client, support_user) -> None:
    response = client.post(reverse("login"), {"username": "agent", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == reverse("auditconsole:index")
    assert client.get(reverse("auditconsole:index")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("auditconsole:index")).status_code == 302


def test_strict_content_security_policy(client, db) -> None:
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_one_policy_whichever_middleware_sends_it(client, db, settings) -> None:
    """Django's own CSP middleware from 6.0 on, django-csp before: the same header."""
    own = "django.middleware.csp.ContentSecurityPolicyMiddleware"
    third_party = "csp.middleware.CSPMiddleware"
    expected, other = (own, third_party) if django.VERSION >= (6, 0) else (third_party, own)
    assert expected in settings.MIDDLEWARE
    assert other not in settings.MIDDLEWARE
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = {
        name: values.split()
        for name, _, values in (part.strip().partition(" ") for part in policy.split(";"))
    }
    assert directives == project_settings.CSP_DIRECTIVES


def test_security_headers(client, db) -> None:
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_favicon_redirects_to_the_static_icon(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("auditconsole/favicon.svg")
