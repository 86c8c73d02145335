"""The manifests as the console's own log holds them, read back through a log source.

The log source is the one named by ``AUDITCONSOLE_EXPORT_AUDIT_SOURCE`` (the console's own
log by default), as for "Exports by this user". Everything here reads: the chain is
written by :mod:`auditconsole.export.audit`.

* :func:`walk` checks the whole chain (``auditconsole_verify --log``); :func:`walk_recent`
  only the newest manifests within a small budget, cheap enough for a system check.
* :func:`find` looks for one manifest in the log (``auditconsole_verify FILE``: a manifest
  missing from the chain was removed from the log, or never was in it).
* :func:`export_ref` and :func:`record_at` name an export record in a URL (its manifest's
  download link) and find it again.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core import signing
from django.core.exceptions import ImproperlyConfigured

from auditconsole.conf import conf
from auditconsole.export import manifest as manifests
from auditconsole.export.audit import LOGGER_NAME
from auditconsole.export.verify import ChainWalk, Finding
from auditconsole.sources.base import LogSource
from auditconsole.sources.query import FieldFilter, Query
from auditconsole.sources.records import Record, RecordRef
from auditconsole.sources.registry import UnknownSource, get_source
from auditconsole.sources.scanning import Budget, ScanContext

#: What the system check reads at most: the newest manifests, within these bounds.
RECENT_MANIFESTS = 50
RECENT_SECONDS = 1.0
RECENT_BYTES = 8 * 1024 * 1024


#: Export references are signed for this use only.
REF_SALT = "auditconsole.export.ledger.ref"
MAX_REF_LENGTH = 1024


class LedgerUnavailable(Exception):
    """The console's log cannot be read back: why, in words."""


def audit_source() -> LogSource:
    key = conf.EXPORT_AUDIT_SOURCE
    if not key or not isinstance(key, str):
        raise LedgerUnavailable(
            "no log source reads the console's log (AUDITCONSOLE_EXPORT_AUDIT_SOURCE is not set)"
        )
    try:
        return get_source(key)
    except UnknownSource:
        raise LedgerUnavailable(
            f"AUDITCONSOLE_EXPORT_AUDIT_SOURCE names {key!r}, which is not a configured log source"
        ) from None
    except ImproperlyConfigured as exc:
        raise LedgerUnavailable(f"the log source {key!r} is misconfigured: {exc}") from None


def where(record: Record) -> str:
    return f"{record.file or record.source}, byte {record.offset:,}"


def export_records(
    source: LogSource, budget: Budget | None = None
) -> Generator[Record, None, None]:
    """The export records, newest first (the start records are not among them)."""
    query = Query(logger=LOGGER_NAME)
    if budget is None:
        yield from source.iter_records(query)
        return
    yield from source.scan(query, None, ScanContext(query=query, budget=budget))


def _is_export(record: Record) -> bool:
    # The logger filter is a prefix: keep the exports' own name only.
    return record.logger == LOGGER_NAME


def walk(
    source: LogSource,
    keys: dict[str, Ed25519PublicKey],
    head: tuple[int, str] | None,
) -> ChainWalk:
    """The whole chain, newest first, against the chain head the database holds."""
    chain = ChainWalk(keys=keys, head=head)
    for record in export_records(source):
        if _is_export(record):
            chain.add(record.data, where(record))
    chain.finish()
    return chain


def walk_recent(source: LogSource, keys: dict[str, Ed25519PublicKey]) -> list[Finding]:
    """The newest manifests only (bounded), without the database: for the system check.

    Gaps and edits among them show; a record removed from the very end, or further back
    than the window, is for ``auditconsole_verify --log`` to find.
    """
    chain = ChainWalk(keys=keys)
    records = export_records(source, Budget(RECENT_SECONDS, RECENT_BYTES))
    try:
        for record in records:
            if not _is_export(record):
                continue
            chain.add(record.data, where(record))
            if chain.manifests >= RECENT_MANIFESTS:
                break
    finally:
        records.close()
    # Only what was found among them: "the oldest is #n" is the window's edge, not news.
    return [finding for finding in chain.findings if finding.serious]


@dataclass(frozen=True)
class Located:
    record: Record

    @property
    def where(self) -> str:
        return where(self.record)


def find(source: LogSource, signed: Mapping[str, Any]) -> Located | None:
    """The export record holding exactly this manifest, if the log has it."""
    signature = signed.get(manifests.SIGNATURE)
    if not isinstance(signature, str) or not signature:
        return None
    query = Query(logger=LOGGER_NAME, fields=(FieldFilter(("manifest", "signature"), signature),))
    wanted = manifests.digest(signed)
    for record in source.iter_records(query):
        found = record.data.get("manifest")
        if manifests.is_manifest(found) and manifests.digest(found) == wanted:
            return Located(record)
    return None


def export_ref(record: Record) -> str:
    """A signed reference to an export record, for its manifest's URL.

    Not the record page's token: that one is timestamped, so a page listing exports
    would change every second; this one is the same for the same record, every time.
    """
    return signing.Signer(salt=REF_SALT).sign_object(
        [record.source, record.ref.to_state()], compress=True
    )


def record_at(source: LogSource, token: str) -> Record | None:
    """The export record ``token`` names in ``source``; ``None`` if none (or forged)."""
    if not token or len(token) > MAX_REF_LENGTH:
        return None
    try:
        scope, state = signing.Signer(salt=REF_SALT).unsign_object(token)
        if scope != source.key:
            return None
        ref = RecordRef.from_state(source.key, state)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    record = source.get(ref)
    if record is None or not _is_export(record):
        return None
    return record
