"""System checks for exports: the audit trail of exports must actually be kept.

``auditconsole.W020``: the ``auditconsole.exports`` logger would drop its INFO records
(no handler reaches it, or its level is above INFO), so exports would go unrecorded.
``auditconsole.W021``: ``AUDITCONSOLE_EXPORT_AUDIT_SOURCE`` names no configured log source,
so user pages cannot list anyone's exports.

The key that signs manifests (:func:`check_signing_key`): ``auditconsole.E030`` the PEM text
of ``AUDITCONSOLE_SIGNING_KEY`` is not an Ed25519 private key, ``E031`` the file of
``AUDITCONSOLE_SIGNING_KEY_FILE`` cannot be read or holds no such key, ``E032`` neither is
set, ``E033`` both are, ``W034`` the key file is readable by its group or by others.
(The settings' types are checked with the others, in :mod:`auditconsole.checks`.)

``auditconsole.W035``: the newest manifests in the console's log show a gap or an edit
(:func:`check_manifest_chain`; bounded, see :mod:`auditconsole.export.ledger`).
``auditconsole.W036``: ``AUDITCONSOLE_REDACT_KEYS`` would mask a manifest's field when the
log is read back, so manifests read from the log would no longer verify.

(``auditconsole.E022``, a non-boolean ``AUDITCONSOLE_EXPORT_REQUIRE_RECORD``, and
``auditconsole.E017``, an ``AUDITCONSOLE_EXPORT_AUDIT_SOURCE`` that is neither a string nor
``None``, are checked with the other settings' types in :mod:`auditconsole.checks`.)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks

from auditconsole.conf import conf
from auditconsole.export import keys, ledger
from auditconsole.export.audit import LOGGER_NAME
from auditconsole.export.manifest import FIELD_NAMES, key_id
from auditconsole.export.plans import ACTIVITY_PARAMS
from auditconsole.redaction import is_sensitive
from auditconsole.sources.query import FILTER_PARAMS as LOG_FILTER_PARAMS
from auditconsole.sources.query import SOURCES


def check_export_audit(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    logger = logging.getLogger(LOGGER_NAME)
    if not (logger.isEnabledFor(logging.INFO) and logger.hasHandlers()):
        messages.append(
            checks.Warning(
                f"Exports are not recorded: the {LOGGER_NAME!r} logger drops INFO records.",
                hint=(
                    f"Route {LOGGER_NAME!r} (or 'auditconsole') at level INFO to a handler that "
                    "writes a file, e.g. with auditconsole.logconfig.build(log_file=...); "
                    "see docs/export.md."
                    + (
                        " Until then every export is refused (AUDITCONSOLE_EXPORT_REQUIRE_RECORD)."
                        if conf.EXPORT_REQUIRE_RECORD
                        else ""
                    )
                ),
                id="auditconsole.W020",
            )
        )
    key: object = conf.EXPORT_AUDIT_SOURCE
    sources: object = conf.LOG_SOURCES
    # A key that is not a string is auditconsole.E017's to report; looking it up here could
    # raise (a list is unhashable) and would only repeat that error.
    if isinstance(key, str) and key and not (isinstance(sources, dict) and key in sources):
        messages.append(
            checks.Warning(
                f"AUDITCONSOLE_EXPORT_AUDIT_SOURCE is {key!r}, which is not a configured log source: "
                "user pages cannot list exports.",
                hint=(
                    "Add a log source that reads the file the 'auditconsole.exports' logger writes, "
                    "or set AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None."
                ),
                id="auditconsole.W021",
            )
        )
    return messages


def check_signing_key(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    text: object = conf.SIGNING_KEY
    path: object = conf.SIGNING_KEY_FILE
    if not (text is None or isinstance(text, str | bytes)) or not (
        path is None or isinstance(path, str | os.PathLike)
    ):
        return []  # a wrong type: auditconsole.E030 / E031 with the other settings' types
    if text and path:
        return [
            checks.Error(
                "Both AUDITCONSOLE_SIGNING_KEY and AUDITCONSOLE_SIGNING_KEY_FILE are set.",
                hint="Set one of them: the key that signs export manifests must be unambiguous.",
                id="auditconsole.E033",
            )
        ]
    if not text and not path:
        return [
            checks.Error(
                "No key signs export manifests: every export is refused.",
                hint=(
                    "Set AUDITCONSOLE_SIGNING_KEY_FILE to an Ed25519 private key in PEM "
                    "(auditconsole.export.keys.ensure_key_file(path) creates one), or "
                    "AUDITCONSOLE_SIGNING_KEY to its PEM text; see docs/export.md."
                ),
                id="auditconsole.E032",
            )
        ]
    try:
        keys.private_key()
    except keys.SigningKeyError as exc:
        return [
            checks.Error(
                f"Export manifests cannot be signed: {exc}.",
                hint="Exports are refused until they can be; see docs/export.md.",
                id="auditconsole.E030" if text else "auditconsole.E031",
            )
        ]
    if path and keys.readable_by_others(path):
        return [
            checks.Warning(
                f"AUDITCONSOLE_SIGNING_KEY_FILE {str(path)!r} is readable by other users.",
                hint=f"Whoever can read it can sign forged manifests: chmod 600 {str(path)!r}.",
                id="auditconsole.W034",
            )
        ]
    return []


def check_manifest_fields(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    redact_keys: object = conf.REDACT_KEYS
    if not isinstance(redact_keys, tuple | list | set | frozenset):
        return []  # auditconsole.E006 says it
    masked = [name for name in manifest_keys() if is_sensitive(name)]
    if not masked:
        return []
    return [
        checks.Warning(
            f"AUDITCONSOLE_REDACT_KEYS masks manifest fields ({', '.join(masked)}): manifests "
            "read back from the console's log would no longer verify.",
            hint="Make the keys more specific (a key matches any field name containing it).",
            id="auditconsole.W036",
        )
    ]


def manifest_keys() -> tuple[str, ...]:
    """Every key a manifest can hold: its fields, and the filters' parameter names."""
    return tuple(dict.fromkeys((*FIELD_NAMES, *ACTIVITY_PARAMS, *LOG_FILTER_PARAMS, SOURCES)))


def check_manifest_chain(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """The newest manifests in the console's log, checked cheaply (bounded: see ledger)."""
    try:
        source = ledger.audit_source()
        public = keys.private_key().public_key()
    except (ledger.LedgerUnavailable, keys.SigningKeyError):
        return []  # auditconsole.W021 / E032 and its kin say why
    try:
        findings = ledger.walk_recent(source, {key_id(public): public})
    except (OSError, ValueError):
        return []  # an unreadable log: its source's own checks say so
    if not findings:
        return []
    shown = "; ".join(finding.message for finding in findings[:3])
    more = f" (and {len(findings) - 3} more)" if len(findings) > 3 else ""
    return [
        checks.Warning(
            f"The export manifests in the console's log (source {source.key!r}) show "
            f"{len(findings)} problem{'s' if len(findings) != 1 else ''}: {shown}{more}.",
            hint=(
                f"This check reads only the newest {ledger.RECENT_MANIFESTS} manifests; run "
                "manage.py auditconsole_verify --log for the whole chain (docs/export.md)."
            ),
            id="auditconsole.W035",
        )
    ]
