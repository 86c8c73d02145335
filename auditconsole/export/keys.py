"""The Ed25519 key that signs export manifests.

Configured as PEM text in ``AUDITCONSOLE_SIGNING_KEY`` (from a secrets manager, say) or as
a PEM file named by ``AUDITCONSOLE_SIGNING_KEY_FILE``, never both. The standalone project
creates such a file under ``var/`` on its first run (:func:`ensure_key_file`), readable by
its owner only. The key is read on each use, so a replaced file takes effect at once.

The key is parsed once and kept (a changed file, by its modification time, size or inode,
is read again): an export then opens no file but its log.

The public half is shown on the console's "Signing key" page and printed by
``manage.py auditconsole_public_key``; with it, anyone can check a manifest without any
secret.
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from auditconsole.conf import conf

KEY_SETTING = "AUDITCONSOLE_SIGNING_KEY"
FILE_SETTING = "AUDITCONSOLE_SIGNING_KEY_FILE"


class SigningKeyError(Exception):
    """No usable signing key: what is wrong, in words."""


def private_key() -> Ed25519PrivateKey:
    """The configured key. Raises :class:`SigningKeyError` saying what is wrong."""
    text, path = conf.SIGNING_KEY, conf.SIGNING_KEY_FILE
    if text and path:
        raise SigningKeyError(f"both {KEY_SETTING} and {FILE_SETTING} are set: set one of them")
    if text:
        if not isinstance(text, str | bytes):
            raise SigningKeyError(f"{KEY_SETTING} must be PEM text, not {type(text).__name__}")
        return _parsed(text.encode() if isinstance(text, str) else text, KEY_SETTING)
    if path:
        if not isinstance(path, str | os.PathLike):
            raise SigningKeyError(f"{FILE_SETTING} must be a path, not {type(path).__name__}")
        try:
            found = os.stat(path)
        except OSError as exc:
            raise SigningKeyError(
                f"{FILE_SETTING} {str(path)!r} cannot be read: {exc.strerror or exc}"
            ) from exc
        return _from_file(os.fspath(path), found.st_mtime_ns, found.st_size, found.st_ino)
    raise SigningKeyError(f"no key signs export manifests: set {FILE_SETTING} or {KEY_SETTING}")


@lru_cache(maxsize=8)
def _from_file(path: str, mtime_ns: int, size: int, inode: int) -> Ed25519PrivateKey:
    # The file's identity is part of the cache key: a replaced key is read again.
    where = f"{FILE_SETTING} {path!r}"
    try:
        pem = Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"{where} cannot be read: {exc.strerror or exc}") from exc
    return load_private_key(pem, where)


@lru_cache(maxsize=8)
def _parsed(pem: bytes, where: str) -> Ed25519PrivateKey:
    return load_private_key(pem, where)


def load_private_key(pem: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(
            f"{where} is not a PEM private key without a passphrase ({exc})"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{where} is not an Ed25519 key")
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """A public key as PEM (``SubjectPublicKeyInfo``); ``ValueError`` if it is not Ed25519."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"not a PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def ensure_key_file(path: str | os.PathLike[str]) -> Path:
    """Create a new key at ``path`` (mode 0600) unless a file is there already.

    ``O_EXCL`` makes two processes starting at once agree: one creates the key, the other
    finds it. An existing file is never overwritten, whatever it holds: a key that
    signed manifests must not be lost.
    """
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return target
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_pem(Ed25519PrivateKey.generate()))
    return target


def readable_by_others(path: str | os.PathLike[str]) -> bool:
    """Whether the key file's group or other users may read it."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))
