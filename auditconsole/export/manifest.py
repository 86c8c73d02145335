"""The export manifest as a document: its canonical bytes, its hash, its signature.

A manifest is a JSON object of strings, integers, booleans, ``null``, lists and objects
(never a float: a number that does not round-trip exactly would break the signature).
Its **canonical form** is what gets hashed and signed::

    json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

Keys sorted, no whitespace, UTF-8. For these value types that is also the JSON
Canonicalization Scheme of RFC 8785, so a verifier in another language can rebuild it.

* The **signature** (Ed25519, 64 bytes written as 128 hex digits) covers the canonical form of every key but
  ``signature`` itself, ``key_id`` included.
* The manifest's **hash** (SHA-256, hex) is taken over the canonical form of the whole
  manifest, signature included; the next manifest's ``previous`` is that hash, which
  chains them.

Nothing here needs Django: ``docs/export.md`` shows the same steps in a dozen lines of
Python with ``cryptography`` alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypeGuard

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORMAT = "auditconsole-export-manifest/1"
#: Every key a manifest has, at any depth (and the record's key that holds it). A log
#: source masks the value of a key whose name matches ``AUDITCONSOLE_REDACT_KEYS``: one of
#: these masked on the way back would break the signature (check ``auditconsole.W036``).
FIELD_NAMES: tuple[str, ...] = (
    "manifest",
    "format",
    "seq",
    "previous",
    "exported_by",
    "user_id",
    "username",
    "via",
    "started",
    "finished",
    "view",
    "page",
    "filters",
    "words",
    "params",
    "time_range",
    "since",
    "until",
    "sources",
    "kind",
    "key",
    "label",
    "table",
    "file",
    "name",
    "rows",
    "bytes",
    "sha256",
    "bom",
    "completed",
    "capped",
    "max_rows",
    "console",
    "version",
    "key_id",
    "signature",
)
SIGNATURE = "signature"
KEY_ID = "key_id"
PREVIOUS = "previous"
SEQ = "seq"


def canonical(document: Mapping[str, Any]) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def signed_bytes(manifest: Mapping[str, Any]) -> bytes:
    """What the signature covers: the manifest without its signature."""
    return canonical({key: value for key, value in manifest.items() if key != SIGNATURE})


def digest(manifest: Mapping[str, Any]) -> str:
    """The manifest's hash: what the next manifest names as ``previous``."""
    return hashlib.sha256(canonical(manifest)).hexdigest()


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, hex: names the key without showing it."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(unsigned: Mapping[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """``unsigned`` with the signing key's id and the signature added."""
    manifest = {key: value for key, value in unsigned.items() if key not in (SIGNATURE, KEY_ID)}
    manifest[KEY_ID] = key_id(private_key.public_key())
    # Hex, not base64: the manifest is read back from the log through redaction, which
    # could take a base64 run such as "...csrf==" for a secret; hex digits cannot spell
    # any of the keys it looks for.
    manifest[SIGNATURE] = private_key.sign(signed_bytes(manifest)).hex()
    return manifest


def signature_holds(manifest: Mapping[str, Any], public_key: Ed25519PublicKey) -> bool:
    """Whether ``public_key`` signed exactly this manifest."""
    text = manifest.get(SIGNATURE)
    if not isinstance(text, str):
        return False
    try:
        public_key.verify(bytes.fromhex(text), signed_bytes(manifest))
    except (ValueError, InvalidSignature):
        return False
    return True


def is_manifest(value: object) -> TypeGuard[dict[str, Any]]:
    """Shaped like one of ours (whether it holds is another matter)."""
    return (
        isinstance(value, dict)
        and value.get("format") == FORMAT
        and isinstance(value.get(SEQ), int)
        and isinstance(value.get("file"), dict)
    )
