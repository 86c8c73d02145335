"""The Docker image's own steps, performed without a Docker engine.

Build the wheel, install it into a clean virtualenv, collectstatic, ``check --deploy`` with
production variables, migrate, start gunicorn with uvicorn workers (ASGI) on a loopback
port and fetch pages, exactly as the Dockerfile's stages do.

The clean virtualenv gets the Django the suite runs on, pinned by ``constraints/`` as the
Makefile pins it: ``make test`` runs this once on Django 5.2 and once on 6.1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import django
import pytest

from tests.services import free_port

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.packaging


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result


def fetch(port: int, path: str, host: str = "audit.example.com") -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def test_dockerfile_shape() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) == 2, "multi-stage"
    assert re.search(r"^USER auditconsole$", dockerfile, re.M), "runs as non-root"
    assert "HEALTHCHECK" in dockerfile and "gunicorn" in dockerfile
    assert "migrate --noinput" in dockerfile and "collectstatic" in dockerfile


def test_dockerfile_runs_the_newest_django() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM python:3\.(\d+)-slim", dockerfile, re.M)
    assert len(bases) == 2 and all(int(minor) >= 12 for minor in bases), "Django 6 needs 3.12+"
    assert "-c /tmp/wheels/django-6.1.txt" in dockerfile
    assert (ROOT / "constraints" / "django-6.1.txt").read_text().count("Django>=6.1,<6.2") == 1


def test_wheel_installs_and_serves_like_the_image(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)])
    (wheel,) = dist.glob("django_auditconsole-*.whl")

    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    assert {t for t in top_level if not t.endswith(".dist-info")} == {"auditconsole"}
    assert "auditconsole/templates/auditconsole/base.html" in names
    assert "auditconsole/static/auditconsole/console.css" in names
    assert "auditconsole/py.typed" in names, "type checkers read the package's hints (PEP 561)"
    assert not any(n.startswith(("project/", "tests/")) for n in names)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    series = f"{django.VERSION[0]}.{django.VERSION[1]}"
    constraints = ROOT / "constraints" / f"django-{series}.txt"
    run([python, "-m", "pip", "install", "-q", "-c", str(constraints), f"{wheel}[server]"])
    installed = run([python, "-c", "import django; print(django.get_version())"]).stdout
    assert installed.startswith(f"{series}."), installed

    app = tmp_path / "app"
    app.mkdir()
    for item in ("project", "templates", "static"):
        shutil.copytree(ROOT / item, app / item, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", app / "manage.py")

    port = free_port()
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DEBUG": "0",
        "SECRET_KEY": "packaging-test-" + "s3cret-" * 8,
        "ALLOWED_HOSTS": "audit.example.com",
        "AUDITCONSOLE_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "staticfiles"),
        "PORT": str(port),
    }
    manage = [python, "manage.py"]
    run([*manage, "collectstatic", "--noinput"], cwd=app, env=env)
    result = run([*manage, "check", "--deploy", "--fail-level", "WARNING"], cwd=app, env=env)
    assert "no issues" in result.stdout
    run([*manage, "migrate", "--noinput"], cwd=app, env=env)

    server = subprocess.Popen(
        [
            str(venv / "bin" / "gunicorn"),
            "project.asgi:application",
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=app,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            health = subprocess.run(
                [python, "-m", "project.healthcheck"], cwd=app, env=env, check=False
            )
            if health.returncode == 0:
                break
            assert server.poll() is None, server.stdout.read().decode()
            assert time.monotonic() < deadline, "gunicorn did not become healthy"
            time.sleep(0.3)

        status, body = fetch(port, "/accounts/login/")
        assert status == 200
        assert b"Sign in" in body
        stylesheet = re.search(rb'href="(/static/auditconsole/console\.[0-9a-f]+\.css)"', body)
        assert stylesheet, "whitenoise's manifest storage names the stylesheet by content hash"
        status, css = fetch(port, stylesheet.group(1).decode())
        assert status == 200 and b"--accent" in css
    finally:
        server.terminate()
        server.wait(timeout=10)
