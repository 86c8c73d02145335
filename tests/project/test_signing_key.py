"""The standalone project's export signing key: made on the first run, kept afterwards."""

from __future__ import annotations

import runpy
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from auditconsole.export.keys import private_pem
from tests.project.test_site import PRODUCTION_ENV, ROOT, manage


def test_the_first_run_creates_a_key_readable_by_its_owner_only(tmp_path) -> None:
    result = manage("auditconsole_public_key", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "signing-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert result.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    # The next run uses the same key.
    again = manage("auditconsole_public_key", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert again.stdout == result.stdout


def test_a_key_from_the_environment_wins(tmp_path) -> None:
    pem = private_pem(Ed25519PrivateKey.generate()).decode()
    env = {**PRODUCTION_ENV, "AUDITCONSOLE_SIGNING_KEY": pem}
    result = manage("auditconsole_public_key", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "signing-key.pem").exists()
    elsewhere = tmp_path / "keys" / "console.pem"
    env = {**PRODUCTION_ENV, "AUDITCONSOLE_SIGNING_KEY_FILE": str(elsewhere)}
    assert manage("auditconsole_public_key", env=env, tmp_path=tmp_path).returncode == 0
    assert elsewhere.exists()


def test_a_key_that_cannot_be_created_stops_the_start(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    env = {**PRODUCTION_ENV, "AUDITCONSOLE_SIGNING_KEY_FILE": str(blocker / "key.pem")}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "The export signing key" in result.stderr and "cannot be created" in result.stderr


def settings_with(monkeypatch, tmp_path, **env: str) -> dict:
    """The project's settings module run afresh (in this process) with ``env``."""
    monkeypatch.setenv("AUDITCONSOLE_VAR_DIR", str(tmp_path))
    for name in ("AUDITCONSOLE_SIGNING_KEY", "AUDITCONSOLE_SIGNING_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "project" / "settings.py"))


def test_the_settings_choose_the_key(monkeypatch, tmp_path) -> None:
    made = settings_with(monkeypatch, tmp_path)
    assert made["AUDITCONSOLE_SIGNING_KEY"] is None
    assert made["AUDITCONSOLE_SIGNING_KEY_FILE"] == tmp_path / "signing-key.pem"
    assert stat.S_IMODE((tmp_path / "signing-key.pem").stat().st_mode) == 0o600
    pem = private_pem(Ed25519PrivateKey.generate()).decode()
    given = settings_with(monkeypatch, tmp_path / "other", AUDITCONSOLE_SIGNING_KEY=pem)
    assert given["AUDITCONSOLE_SIGNING_KEY"] == pem
    assert "AUDITCONSOLE_SIGNING_KEY_FILE" not in given
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ImproperlyConfigured, match="cannot be created"):
        settings_with(monkeypatch, tmp_path, AUDITCONSOLE_SIGNING_KEY_FILE=str(blocker / "k.pem"))
