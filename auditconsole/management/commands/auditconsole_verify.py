"""Check an export against its signed manifest, or the manifests' chain in the console's log.

    manage.py auditconsole_verify activity.csv                       # activity.csv.manifest.json
    manage.py auditconsole_verify export.csv --manifest m.json --public-key console.pub.pem
    manage.py auditconsole_verify --log                              # the whole chain

For a file: the manifest's signature must hold under the trusted public key (the
console's own key, or those given with ``--public-key``), and the file must have the
byte length, SHA-256 and row count the manifest gives; the manifest must also be in the
console's log (unless ``--no-log``, or no log source reads that log). Exit status 0 and a
description of the file when all of it holds; 1 and what failed otherwise.

``--log`` walks every manifest in the console's log, newest first, and reports a gap (a
removed export record) or an edit (a changed line), and whether the newest manifest is the
chain head the database holds. Exit status 1 if anything is wrong.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management.base import BaseCommand, CommandError

from auditconsole.export import chain, keys, ledger
from auditconsole.export import manifest as manifests
from auditconsole.export.verify import check_file, short, signature_problem
from auditconsole.management.commands.auditconsole_export import MANIFEST_SUFFIX


class Command(BaseCommand):
    help = "Verify a CSV export against its signed manifest, or the manifest chain (--log)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", help="the exported CSV file")
        parser.add_argument(
            "--manifest", metavar="PATH", help=f"its manifest (default: FILE{MANIFEST_SUFFIX})"
        )
        parser.add_argument(
            "--public-key",
            action="append",
            metavar="PEM",
            dest="public_keys",
            help="a trusted public key file (repeatable; default: this console's own key)",
        )
        parser.add_argument(
            "--log", action="store_true", help="walk the manifest chain in the console's log"
        )
        parser.add_argument(
            "--no-log",
            action="store_true",
            help="do not look for the manifest in the console's log",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        trusted = self.trusted_keys(options.get("public_keys"))
        if options["log"]:
            if options.get("file"):
                raise CommandError("Give a FILE or --log, not both.")
            self.verify_log(trusted)
        elif options.get("file"):
            self.verify_file(Path(options["file"]), options.get("manifest"), trusted, options)
        else:
            raise CommandError("Give the exported FILE to check, or --log.")

    # -- keys -------------------------------------------------------------------------------

    def trusted_keys(self, paths: list[str] | None) -> dict[str, Ed25519PublicKey]:
        found: list[Ed25519PublicKey] = []
        if paths:
            for path in paths:
                try:
                    found.append(keys.load_public_key(Path(path).read_bytes()))
                except OSError as exc:
                    raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
                except ValueError as exc:
                    raise CommandError(f"{path} is {exc}.") from None
        else:
            try:
                found.append(keys.private_key().public_key())
            except keys.SigningKeyError as exc:
                raise CommandError(
                    f"No public key to verify with ({exc}); give one with --public-key."
                ) from None
        return {manifests.key_id(key): key for key in found}

    # -- one file -----------------------------------------------------------------------------

    def verify_file(
        self,
        path: Path,
        manifest_option: str | None,
        trusted: dict[str, Ed25519PublicKey],
        options: dict[str, Any],
    ) -> None:
        manifest_path = (
            Path(manifest_option) if manifest_option else Path(f"{path}{MANIFEST_SUFFIX}")
        )
        signed = self.read_manifest(manifest_path)
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        result = check_file(path, signed, trusted)
        problems = list(result.problems)
        place = None
        # Only a manifest whose signature holds is worth looking for in the chain.
        trustworthy = manifests.is_manifest(signed) and signature_problem(signed, trusted) is None
        if trustworthy and not options["no_log"]:
            place, problem = self.in_log(signed)
            if problem:
                problems.append(problem)
        if manifests.is_manifest(signed):
            self.describe(path, signed, place)
        for line in result.details:
            self.stdout.write(f"  {line}")
        if problems:
            for problem in problems:
                self.stdout.write(f"FAILED: {problem}")
            raise CommandError(f"{path} does not match its manifest: {'; '.join(problems)}.")
        self.stdout.write(f"OK: {path} is the export its manifest describes.")

    def read_manifest(self, path: Path) -> dict[str, Any]:
        try:
            signed = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read the manifest {path}: {exc.strerror or exc}.") from None
        except ValueError as exc:
            raise CommandError(f"The manifest {path} is not JSON: {exc}.") from None
        if not isinstance(signed, dict):
            raise CommandError(f"The manifest {path} is not a JSON object.")
        return signed

    def in_log(self, signed: dict[str, Any]) -> tuple[str | None, str | None]:
        """(where the manifest is in the log, or the problem if it is not)."""
        try:
            source = ledger.audit_source()
        except ledger.LedgerUnavailable as exc:
            self.stdout.write(f"  chain: not checked ({exc})")
            return None, None
        found = ledger.find(source, signed)
        if found is None:
            return None, (
                f"manifest #{signed[manifests.SEQ]:,} is not in the console's log "
                f"(source {source.key!r}): it is missing from the chain (its export record "
                "was removed), or this console never recorded it"
            )
        return found.where, None

    def describe(self, path: Path, signed: dict[str, Any], place: str | None) -> None:
        file = signed["file"]
        who = signed.get("exported_by") or {}
        user = f" (user #{who['user_id']})" if who.get("user_id") is not None else ""
        filters = (signed.get("filters") or {}).get("words") or []
        time_range = signed.get("time_range") or {}
        sources = ", ".join(
            source.get("key") or source.get("table") or "?"
            for source in signed.get("sources") or []
        )
        lines = [
            f"{path}: {file.get('name')}, {_n(file.get('rows'))} rows, {_n(file.get('bytes'))} bytes",
            f"  exported by {who.get('username')}{user} via {signed.get('via')}, "
            f"{signed.get('started')} to {signed.get('finished')}",
            f"  page: {signed.get('page')}",
            "  filters: "
            + ("; ".join(f"{label}: {value}" for label, value in filters) if filters else "none"),
            f"  time range: {time_range.get('since') or 'open'} to {time_range.get('until') or 'open'}",
            f"  from: {signed.get('view')} ({sources})",
        ]
        if not signed.get("completed"):
            lines.append(
                "  INTERRUPTED: the export was cut short; the manifest covers the rows and bytes sent"
            )
        if signed.get("capped"):
            lines.append(f"  capped at {_n(signed.get('max_rows'))} rows: more rows matched")
        console = signed.get("console") or {}
        lines.append(
            f"  console: {console.get('name')} {console.get('version')}; signed by key "
            f"{short(str(signed.get(manifests.KEY_ID)))}; manifest #{_n(signed.get(manifests.SEQ))}"
            + (f", in the console's log ({place})" if place else "")
        )
        for line in lines:
            self.stdout.write(line)

    # -- the chain ----------------------------------------------------------------------------

    def verify_log(self, trusted: dict[str, Ed25519PublicKey]) -> None:
        try:
            source = ledger.audit_source()
        except ledger.LedgerUnavailable as exc:
            raise CommandError(f"Cannot read the console's log: {exc}.") from None
        current = chain.head()
        walked = ledger.walk(source, trusted, (current.seq, current.digest) if current else None)
        head = f"#{current.seq:,}" if current else "none"
        self.stdout.write(
            f"{walked.manifests:,} manifests in the log source {source.key!r}; chain head: {head}."
        )
        serious = [finding for finding in walked.findings if finding.serious]
        for finding in walked.findings:
            self.stdout.write(f"{'FAILED' if finding.serious else 'note'}: {finding.message}")
        if serious:
            raise CommandError(
                f"The manifest chain has {len(serious)} problem{'s' if len(serious) != 1 else ''}: "
                + "; ".join(finding.message for finding in serious)
                + "."
            )
        self.stdout.write("OK: the chain holds, with no gap and no edit.")


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)
