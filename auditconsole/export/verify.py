"""Checking exports against their manifests, and manifests against their chain.

Two checks, neither needing Django (``auditconsole_verify`` wraps them):

* :func:`check_file`: a CSV file against its manifest. The signature must hold under a
  trusted public key, and the file must have the manifest's byte length, SHA-256 and row
  count. Each way it can fail has its own message: a changed byte, a row removed, a
  truncated file, a manifest changed after signing, a manifest signed by another key.
* :class:`ChainWalk`: the manifests as the console's log holds them, newest first, one at
  a time (memory does not grow with the log). Each must be signed by a trusted key, agree
  with the export record around it, and name its predecessor's hash as ``previous`` with
  the number before its own; the newest must be the chain head the database holds. A
  removed record leaves a gap in the numbers, an edited line breaks a signature.

The file is read twice, in blocks (hash and length, then rows), so memory stays flat
however large the export.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from auditconsole.export import manifest as manifests

BLOCK = 1024 * 1024
NEWLINE = b"\r\n"
#: Record fields that repeat what the manifest says: an edit of one shows as a disagreement.
MIRRORED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("user_id", ("exported_by", "user_id")),
    ("username", ("exported_by", "username")),
    ("via", ("via",)),
    ("export_file", ("file", "name")),
    ("rows", ("file", "rows")),
    ("completed", ("completed",)),
    ("capped", ("capped",)),
)


@dataclass
class FileCheck:
    """What :func:`check_file` found: ``problems`` empty when everything holds."""

    problems: list[str] = field(default_factory=list)
    #: Measured values against the manifest's, for the report.
    details: list[str] = field(default_factory=list)
    size: int = 0
    sha256: str = ""
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def short(key_id: str) -> str:
    return f"{key_id[:16]}…" if len(key_id) > 16 else key_id


def signature_problem(
    signed: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey]
) -> str | None:
    """Why the manifest's signature cannot be trusted, or ``None`` when it holds."""
    key_id = signed.get(manifests.KEY_ID)
    key = keys.get(key_id) if isinstance(key_id, str) else None
    if key is None:
        trusted = ", ".join(short(k) for k in keys) or "none"
        return (
            f"the manifest is signed by another key (key id {short(str(key_id))}), "
            f"not by the trusted key (key id {trusted}): a foreign or forged signature"
        )
    if not manifests.signature_holds(signed, key):
        return "the manifest was changed after it was signed: its signature does not hold"
    return None


def check_file(
    path: Path, signed: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey]
) -> FileCheck:
    result = FileCheck()
    if not manifests.is_manifest(signed):
        result.problems.append("this is not an export manifest of auditconsole")
        return result
    problem = signature_problem(signed, keys)
    if problem:
        result.problems.append(problem)
    expected = signed["file"]
    digest, size, tail = hashlib.sha256(), 0, b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
            size += len(block)
            tail = (tail + block)[-len(NEWLINE) :]
    result.size, result.sha256 = size, digest.hexdigest()
    result.rows, open_quote = count_rows(path)
    want_size, want_rows, want_sha = (
        expected.get("bytes"),
        expected.get("rows"),
        expected.get("sha256"),
    )
    result.details = [
        f"bytes: {size:,} (manifest: {want_size:,})"
        if isinstance(want_size, int)
        else f"bytes: {size:,}",
        f"rows: {_count(result.rows)} (manifest: {_count(want_rows)})",
        f"SHA-256: {result.sha256} (manifest: {want_sha})",
    ]
    if isinstance(want_size, int) and size < want_size and (open_quote or tail != NEWLINE):
        result.problems.append(
            f"the file is truncated: it holds {size:,} of {want_size:,} bytes and ends in the "
            "middle of a row"
        )
    elif open_quote:
        result.problems.append("the file ends inside a quoted cell: it is not the CSV exported")
    elif isinstance(want_rows, int) and result.rows < want_rows:
        missing = want_rows - result.rows
        result.problems.append(
            f"{missing:,} row{'s' if missing != 1 else ''} missing: the file has "
            f"{result.rows:,}, the manifest says {want_rows:,}"
        )
    elif isinstance(want_rows, int) and result.rows > want_rows:
        extra = result.rows - want_rows
        result.problems.append(
            f"{extra:,} row{'s' if extra != 1 else ''} added: the file has {result.rows:,}, "
            f"the manifest says {want_rows:,}"
        )
    elif size != want_size:
        result.problems.append(
            f"the file's length differs: {size:,} bytes, the manifest says {_count(want_size)}"
        )
    elif result.sha256 != want_sha:
        result.problems.append(
            "the file's content was changed (a byte differs): same length, another SHA-256"
        )
    return result


def count_rows(path: Path) -> tuple[int, bool]:
    """(data rows, the header left out; whether the file ends inside a quoted cell).

    A row ends at a line break outside quotes (RFC 4180, as ``csv.writer`` writes: a
    quote inside a cell is doubled, so counting quotes tells inside from outside). Counted
    on bytes, a block at a time: no cell is too large for it, unlike ``csv.reader``.
    """
    records, inside, last = 0, False, b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            for n, part in enumerate(block.split(b'"')):
                if n:
                    inside = not inside
                if not inside:
                    records += part.count(b"\n")
            last = block[-1:]
    if last and (last != b"\n" or inside):
        records += 1  # a last row without its line break
    return max(records - 1, 0), inside


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "?"


# -- the chain ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    message: str
    #: ``False`` for a note that proves nothing wrong (the oldest manifests rotated away).
    serious: bool = True


@dataclass
class _Seen:
    seq: int
    previous: str | None
    where: str


@dataclass
class ChainWalk:
    """Feed it the log's export records newest first (:meth:`add`), then :meth:`finish`."""

    keys: Mapping[str, Ed25519PublicKey]
    #: The chain head the database holds: ``(seq, digest)``, or ``None``.
    head: tuple[int, str] | None = None
    findings: list[Finding] = field(default_factory=list)
    manifests: int = 0
    unsigned: int = 0
    _newer: _Seen | None = None

    def add(self, record: Mapping[str, Any], where: str) -> None:
        """One export record (its JSON fields), found at ``where`` in the log."""
        signed = record.get("manifest")
        if signed is None:
            self.unsigned += 1
            return
        if not manifests.is_manifest(signed):
            self._report(f"{where}: the export record's manifest is not a manifest (edited)")
            return
        self.manifests += 1
        seq, previous = signed[manifests.SEQ], signed.get(manifests.PREVIOUS)
        label = f"manifest #{seq:,} ({where})"
        problem = signature_problem(signed, self.keys)
        edited = problem is not None
        if problem:
            self._report(f"{label}: {problem}")
        for name, path in MIRRORED:
            if record.get(name) != _lookup(signed, path):
                edited = True
                self._report(
                    f"{label}: the export record was changed: its {name} is "
                    f"{record.get(name)!r}, its signed manifest says {_lookup(signed, path)!r}"
                )
                break
        digest = manifests.digest(signed)
        newer = self._newer
        if newer is None:
            self._against_head(seq, digest, label)
        else:
            self._link(newer, seq, digest, label, edited)
        self._newer = _Seen(seq, previous if isinstance(previous, str) else None, where)

    def _against_head(self, seq: int, digest: str, label: str) -> None:
        if self.head is None:
            return
        head_seq, head_digest = self.head
        if head_seq > seq:
            missing = head_seq - seq
            self._report(
                f"the newest {missing:,} manifest{'s are' if missing != 1 else ' is'} missing "
                f"from the log: the chain head is #{head_seq:,}, the log ends at {label} "
                "(export records removed from the end)"
            )
        elif head_seq < seq:
            self._report(
                f"the log goes past the chain head (#{head_seq:,}) up to {label}: the database "
                "was restored from an older copy, or another console writes to this log"
            )
        elif head_digest != digest:
            self._report(f"{label} is not the manifest the chain head names: it was replaced")

    def _link(self, newer: _Seen, seq: int, digest: str, label: str, edited: bool) -> None:
        gap = newer.seq - seq
        newer_label = f"#{newer.seq:,} ({newer.where})"
        if newer.seq == 1 and newer.previous is None:
            self._report(
                f"the chain starts again at {newer_label}, after {label}: its head in the "
                "database was reset"
            )
        elif gap > 1:
            self._report(
                f"{gap - 1:,} manifest{'s' if gap != 2 else ''} missing between {label} and "
                f"{newer_label}: export records were removed from the log"
            )
        elif gap < 1:
            self._report(
                f"{label} comes before {newer_label} in the log: out of order, or two "
                "consoles write to this log"
            )
        elif newer.previous != digest and not edited:
            self._report(
                f"{newer_label} does not follow {label}: its previous hash is not this "
                "manifest's (one of them was replaced)"
            )

    def finish(self) -> list[Finding]:
        oldest = self._newer
        if oldest is None:
            if self.head is not None:
                self._report(
                    f"the chain head is #{self.head[0]:,} but the log holds no manifest: every "
                    "export record was removed, or rotated out of the log"
                )
        elif oldest.seq > 1 or oldest.previous is not None:
            self.findings.append(
                Finding(
                    f"the log's oldest manifest is #{oldest.seq:,} ({oldest.where}): the "
                    f"{oldest.seq - 1:,} before it were rotated out of the log (or removed from "
                    "its start) and are not checked",
                    serious=False,
                )
            )
        if self.unsigned:
            self.findings.append(
                Finding(
                    f"{self.unsigned:,} export record{'s' if self.unsigned != 1 else ''} carry "
                    "no manifest (written before manifests existed, or when none could be made)",
                    serious=False,
                )
            )
        return self.findings

    def _report(self, message: str) -> None:
        self.findings.append(Finding(message))


def _lookup(document: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = document
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
