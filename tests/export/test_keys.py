"""The signing key: from PEM text or a file, created once with mode 0600, parsed once."""

from __future__ import annotations

import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auditconsole.export import keys
from auditconsole.export.manifest import key_id


@pytest.fixture
def no_key(settings):
    settings.AUDITCONSOLE_SIGNING_KEY = None
    settings.AUDITCONSOLE_SIGNING_KEY_FILE = None
    return settings


def ec_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_the_project_creates_a_key_file_readable_by_its_owner_only(settings):
    path = settings.AUDITCONSOLE_SIGNING_KEY_FILE
    assert path.name == "signing-key.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert isinstance(keys.private_key(), Ed25519PrivateKey)


def test_ensure_key_file_creates_once_and_never_overwrites(tmp_path):
    path = keys.ensure_key_file(tmp_path / "deep" / "key.pem")
    first = path.read_bytes()
    assert first.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.ensure_key_file(path) == path
    assert path.read_bytes() == first
    assert not keys.readable_by_others(path)
    path.chmod(0o644)
    assert keys.readable_by_others(path)
    assert not keys.readable_by_others(tmp_path / "missing.pem")


def test_pem_text_setting(no_key):
    key = Ed25519PrivateKey.generate()
    no_key.AUDITCONSOLE_SIGNING_KEY = keys.private_pem(key).decode()
    assert key_id(keys.private_key().public_key()) == key_id(key.public_key())
    no_key.AUDITCONSOLE_SIGNING_KEY = keys.private_pem(key)  # bytes will do too
    assert key_id(keys.private_key().public_key()) == key_id(key.public_key())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a key", "AUDITCONSOLE_SIGNING_KEY is not a PEM private key"),
        (ec_pem().decode(), "AUDITCONSOLE_SIGNING_KEY is not an Ed25519 key"),
        (12, "AUDITCONSOLE_SIGNING_KEY must be PEM text, not int"),
    ],
)
def test_bad_pem_text(no_key, text, message):
    no_key.AUDITCONSOLE_SIGNING_KEY = text
    with pytest.raises(keys.SigningKeyError, match=message):
        keys.private_key()


def test_no_key_and_two_keys(no_key, tmp_path):
    with pytest.raises(keys.SigningKeyError, match="no key signs export manifests"):
        keys.private_key()
    no_key.AUDITCONSOLE_SIGNING_KEY = "x"
    no_key.AUDITCONSOLE_SIGNING_KEY_FILE = tmp_path / "k.pem"
    with pytest.raises(keys.SigningKeyError, match=r"both .* are set"):
        keys.private_key()


def test_bad_key_files(no_key, tmp_path):
    no_key.AUDITCONSOLE_SIGNING_KEY_FILE = tmp_path / "missing.pem"
    with pytest.raises(keys.SigningKeyError, match="cannot be read: No such file"):
        keys.private_key()
    no_key.AUDITCONSOLE_SIGNING_KEY_FILE = 3.5
    with pytest.raises(keys.SigningKeyError, match="must be a path, not float"):
        keys.private_key()
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("garbage")
    no_key.AUDITCONSOLE_SIGNING_KEY_FILE = str(garbage)
    with pytest.raises(keys.SigningKeyError, match="is not a PEM private key"):
        keys.private_key()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_key_file(no_key, tmp_path):
    path = keys.ensure_key_file(tmp_path / "k.pem")
    path.chmod(0)
    no_key.AUDITCONSOLE_SIGNING_KEY_FILE = path
    with pytest.raises(keys.SigningKeyError, match="cannot be read"):
        keys.private_key()


def test_a_replaced_key_file_is_read_again(no_key, tmp_path):
    path = tmp_path / "k.pem"
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    path.write_bytes(keys.private_pem(old))
    no_key.AUDITCONSOLE_SIGNING_KEY_FILE = path
    assert key_id(keys.private_key().public_key()) == key_id(old.public_key())
    replacement = tmp_path / "k2.pem"
    replacement.write_bytes(keys.private_pem(new))
    replacement.replace(path)
    assert key_id(keys.private_key().public_key()) == key_id(new.public_key())


def test_a_key_file_vanishing_between_stat_and_read(tmp_path):
    with pytest.raises(keys.SigningKeyError, match="cannot be read"):
        keys._from_file(str(tmp_path / "gone.pem"), 1, 2, 3)


def test_public_keys():
    key = Ed25519PrivateKey.generate()
    pem = keys.public_pem(key)
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert keys.public_pem(key.public_key()) == pem
    assert key_id(keys.load_public_key(pem.encode())) == key_id(key.public_key())
    with pytest.raises(ValueError, match="not a PEM public key"):
        keys.load_public_key(b"nonsense")
    ec_public = ec.generate_private_key(ec.SECP256R1()).public_key()
    ec_public_pem = ec_public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(ValueError, match="not an Ed25519 public key"):
        keys.load_public_key(ec_public_pem)
