"""manage.py auditconsole_verify: round trips from the web and the shell, and every tampering.

Each export here is real (the web download or the export command, recorded through a real
log handler into a real file read back by a real log source), and so is each tampering:
bytes changed in the file, lines removed from or edited in the console's log.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.admin.models import CHANGE, DELETION
from django.core.management import CommandError, call_command

from auditconsole.export import keys, manifest
from auditconsole.export.audit import LOGGER_NAME
from auditconsole.export.streaming import BOM
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from project.demo.models import Customer, Ticket
from tests.activity.entries import log

HX = {"HTTP_HX_REQUEST": "true"}


def run(command: str, *args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of a management command, as the shell would see them."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except CommandError as exc:
        return 1, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def verify(*args: str) -> tuple[int, str]:
    code, out, err = run("auditconsole_verify", *args)
    return code, out + err


@pytest.fixture
def entries(support_user):
    for n in range(12):
        log(
            support_user,
            Ticket if n % 2 else Customer,
            n,
            CHANGE if n % 3 else DELETION,
            name=f"thing {n}",
        )
    return support_user


def export(tmp_path: Path, name: str = "out.csv", *options: str) -> Path:
    target = tmp_path / name
    code, _, err = run("auditconsole_export", "activity", *options, "--output", str(target))
    assert code == 0, err
    return target


def manifest_of(path: Path) -> dict:
    return json.loads(Path(f"{path}.manifest.json").read_text())


# -- round trips --------------------------------------------------------------------------------


def test_command_line_round_trip(entries, tmp_path, audit_log):
    target = export(tmp_path, "out.csv", "--action", "change")
    signed = manifest_of(target)
    assert signed["via"] == "command"
    assert signed["filters"] == {"words": [["Action", "Change"]], "params": {"action": ["change"]}}
    assert signed["page"] == "/audit/activity/?action=change"
    code, out = verify(str(target))
    assert code == 0, out
    assert out.splitlines()[0] == f"{target}: out.csv, 8 rows, {target.stat().st_size:,} bytes"
    assert "  filters: Action: Change" in out
    assert "  from: activity (django_admin_log)" in out
    assert re.search(
        rf"manifest #{signed['seq']}, in the console's log \(console\.log, byte [\d,]+\)", out
    )
    assert out.rstrip().endswith(f"OK: {target} is the export its manifest describes.")


def test_the_export_command_says_where_the_manifest_is(entries, tmp_path, audit_log):
    target = tmp_path / "out.csv"
    code, _, err = run("auditconsole_export", "activity", "-o", str(target))
    assert code == 0
    assert err.splitlines()[1] == f"Manifest #1: {target}.manifest.json"
    # To stdout, the manifest goes where --manifest says.
    elsewhere = tmp_path / "elsewhere.json"
    code, out, _ = run("auditconsole_export", "activity", "--manifest", str(elsewhere))
    assert code == 0
    signed = json.loads(elsewhere.read_text())
    assert signed["file"]["bytes"] == len(out.encode())
    assert signed["seq"] == 2


def test_web_round_trip_through_the_user_page(entries, client_for, tmp_path, audit_log):
    client = client_for(entries)
    response = client.get("/audit/activity/export.csv?action=change")
    data = b"".join(response.streaming_content)
    name = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
    panel = client.get(f"/audit/user/{entries.pk}/exports/", **HX).content.decode()
    link = re.search(r'<a href="(/audit/exports/[^"]+/manifest\.json)"', panel).group(1)
    fetched = client.get(link)
    assert fetched.status_code == 200
    assert fetched["Content-Type"] == "application/json; charset=utf-8"
    assert fetched["Content-Disposition"] == f'inline; filename="{name}.manifest.json"'
    target = tmp_path / name
    target.write_bytes(data)
    Path(f"{target}.manifest.json").write_bytes(fetched.content)
    signed = json.loads(fetched.content)
    assert signed["via"] == "web"
    assert signed["exported_by"] == {"user_id": entries.pk, "username": "agent"}
    code, out = verify(str(target))
    assert code == 0, out
    assert f"exported by agent (user #{entries.pk}) via web" in out


def test_an_interrupted_download_gets_a_manifest_that_says_so(
    entries, client_for, tmp_path, audit_log
):
    response = client_for(entries).get("/audit/activity/export.csv")
    received = next(iter(response.streaming_content))  # the first chunk, then the browser goes away
    response.close()  # what the server does then (the test's database connection goes too)
    (record,) = get_source("console").iter_records(Query(logger=LOGGER_NAME))
    signed = record.data["manifest"]
    assert signed["completed"] is False
    assert signed["file"]["bytes"] == len(received)
    target = tmp_path / "partial.csv"
    target.write_bytes(received)
    code, out = verify(str(target), "--manifest", str(_save(tmp_path, signed)))
    assert code == 0, out
    assert "INTERRUPTED: the export was cut short" in out


def _save(tmp_path: Path, signed: dict) -> Path:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(signed))
    return path


# -- tampering with the file ------------------------------------------------------------------


def test_one_byte_changed(entries, tmp_path, audit_log):
    target = export(tmp_path)
    data = target.read_bytes()
    target.write_bytes(data.replace(b"thing 1", b"thing 7", 1))
    code, out = verify(str(target))
    assert code == 1
    assert "FAILED: the file's content was changed (a byte differs)" in out


def test_one_row_removed(entries, tmp_path, audit_log):
    target = export(tmp_path)
    lines = target.read_bytes().split(b"\r\n")
    target.write_bytes(b"\r\n".join(lines[:3] + lines[4:]))
    code, out = verify(str(target))
    assert code == 1
    assert "FAILED: 1 row missing: the file has 11, the manifest says 12" in out


def test_a_truncated_file(entries, tmp_path, audit_log):
    target = export(tmp_path)
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2 + 3])
    code, out = verify(str(target))
    assert code == 1
    assert "FAILED: the file is truncated" in out


def test_a_manifest_signed_by_another_key(entries, tmp_path, audit_log):
    target = export(tmp_path)
    forged = manifest.sign(manifest_of(target), Ed25519PrivateKey.generate())
    Path(f"{target}.manifest.json").write_text(json.dumps(forged))
    code, out = verify(str(target))
    assert code == 1
    assert "FAILED: the manifest is signed by another key" in out
    # Edited without re-signing: the console's own key no longer vouches for it.
    honest = export(tmp_path, "second.csv")
    altered = {**manifest_of(honest), "via": "web"}
    Path(f"{honest}.manifest.json").write_text(json.dumps(altered))
    code, out = verify(str(honest))
    assert code == 1
    assert "FAILED: the manifest was changed after it was signed" in out


# -- tampering with the console's log ---------------------------------------------------------


def drop_manifest(log_file: Path, seq: int) -> None:
    """Remove the export record holding manifest #seq, as someone covering tracks would."""
    lines = log_file.read_text().splitlines(keepends=True)
    kept = [line for line in lines if f'"seq": {seq},' not in line]
    assert len(kept) == len(lines) - 1
    log_file.write_text("".join(kept))


def test_a_manifest_removed_from_the_middle_of_the_chain(entries, tmp_path, audit_log):
    files = [export(tmp_path, f"out{n}.csv") for n in range(3)]
    assert verify("--log")[0] == 0
    drop_manifest(audit_log, 2)
    code, out = verify(str(files[1]))
    assert code == 1
    assert (
        "FAILED: manifest #2 is not in the console's log (source 'console'): it is missing from "
        "the chain (its export record was removed), or this console never recorded it"
    ) in out
    assert verify(str(files[0]))[0] == 0  # the others still hold
    code, out = verify("--log")
    assert code == 1
    assert re.search(
        r"FAILED: 1 manifest missing between manifest #1 \(console\.log, byte [\d,]+\) and #3 "
        r"\(console\.log, byte [\d,]+\): export records were removed from the log",
        out,
    )
    assert "The manifest chain has 1 problem: 1 manifest missing between" in out


def test_a_changed_line_in_the_log(entries, tmp_path, audit_log):
    for n in range(2):
        export(tmp_path, f"out{n}.csv")
    text = audit_log.read_text()
    audit_log.write_text(text.replace('"rows": 12', '"rows": 11', 1))
    code, out = verify("--log")
    assert code == 1
    assert "the export record was changed: its rows is 11, its signed manifest says 12" in out


def test_a_record_removed_from_the_end_of_the_log(entries, tmp_path, audit_log):
    for n in range(3):
        export(tmp_path, f"out{n}.csv")
    drop_manifest(audit_log, 3)
    code, out = verify("--log")
    assert code == 1
    assert "FAILED: the newest 1 manifest is missing from the log: the chain head is #3" in out


def test_an_intact_chain(entries, tmp_path, audit_log):
    assert verify("--log") == (
        0,
        "0 manifests in the log source 'console'; chain head: none.\n"
        "OK: the chain holds, with no gap and no edit.\n",
    )
    for n in range(2):
        export(tmp_path, f"out{n}.csv")
    code, out = verify("--log")
    assert code == 0
    assert out.splitlines() == [
        "2 manifests in the log source 'console'; chain head: #2.",
        "OK: the chain holds, with no gap and no edit.",
    ]


# -- keys and arguments -------------------------------------------------------------------------


def test_the_public_key_command_and_a_given_key(entries, tmp_path, audit_log, settings):
    target = export(tmp_path)
    code, pem, err = run("auditconsole_public_key")
    assert code == 0
    assert pem.startswith("-----BEGIN PUBLIC KEY-----") and pem.endswith(
        "-----END PUBLIC KEY-----\n"
    )
    assert err.strip() == f"key id: {manifest_of(target)['key_id']}"
    public = tmp_path / "console.pub.pem"
    public.write_text(pem)
    # A verifier without the private key: the public one is all it takes.
    settings.AUDITCONSOLE_SIGNING_KEY_FILE = None
    assert verify(str(target), "--public-key", str(public))[0] == 0
    code, out = verify(str(target))
    assert code == 1 and "No public key to verify with" in out
    code, out = run("auditconsole_public_key")[::2]
    assert code == 1 and "No signing key: no key signs export manifests" in out
    other = tmp_path / "other.pub.pem"
    other.write_text(keys.public_pem(Ed25519PrivateKey.generate()))
    code, out = verify(str(target), "--public-key", str(other))
    assert code == 1 and "signed by another key" in out


def test_bad_arguments(entries, tmp_path, audit_log):
    target = export(tmp_path)
    assert "Give the exported FILE to check, or --log." in verify()[1]
    assert "Give a FILE or --log, not both." in verify(str(target), "--log")[1]
    assert (
        "No file" in verify(str(tmp_path / "none.csv"), "--manifest", f"{target}.manifest.json")[1]
    )
    assert "Cannot read the manifest" in verify(str(tmp_path / "none.csv"))[1]
    not_json = tmp_path / "bad.json"
    not_json.write_text("{")
    assert "is not JSON" in verify(str(target), "--manifest", str(not_json))[1]
    not_json.write_text("[1]")
    assert "is not a JSON object" in verify(str(target), "--manifest", str(not_json))[1]
    not_json.write_text('{"format": "x"}')
    code, out = verify(str(target), "--manifest", str(not_json))
    assert code == 1 and "this is not an export manifest" in out
    assert "Cannot read" in verify(str(target), "--public-key", str(tmp_path / "none.pem"))[1]
    assert "is not a PEM public key" in verify(str(target), "--public-key", str(not_json))[1]


def test_without_the_console_s_log(entries, tmp_path, audit_log, settings):
    target = export(tmp_path)
    drop_manifest(audit_log, 1)
    assert verify(str(target), "--no-log")[0] == 0
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None
    code, out = verify(str(target))
    assert code == 0
    assert "  chain: not checked (no log source reads the console's log" in out
    code, out = verify("--log")
    assert code == 1 and "Cannot read the console's log" in out


def test_the_file_starts_with_the_bom(entries, tmp_path, audit_log):
    target = export(tmp_path)
    assert target.read_bytes().startswith(BOM.encode())
    no_bom = export(tmp_path, "nobom.csv", "--no-bom")
    assert manifest_of(no_bom)["file"]["bom"] is False
    assert verify(str(no_bom))[0] == 0


def test_a_capped_export_says_so(entries, tmp_path, audit_log):
    target = export(tmp_path, "capped.csv", "--max-rows", "5")
    code, out = verify(str(target))
    assert code == 0
    assert "  capped at 5 rows: more rows matched" in out


def test_what_the_log_holds_besides_export_records(entries, tmp_path, audit_log):
    """Records of another logger under the same prefix, and a copy with another manifest."""
    target = export(tmp_path)
    signed = manifest_of(target)
    line = audit_log.read_text().splitlines()[-1]
    impostor = json.loads(line)
    impostor["name"] = "auditconsole.exports.copies"
    tampered = json.loads(line)
    tampered["manifest"] = {**signed, "via": "web"}  # the same signature, another manifest
    with audit_log.open("a") as handle:
        handle.write(json.dumps(tampered) + "\n" + json.dumps(impostor) + "\n")
    code, out = verify(str(target))
    assert code == 0, out  # found: the genuine record, not the tampered copy
    code, out = verify("--log")
    assert code == 1  # the copy is an edit
    assert "the manifest was changed after it was signed" in out
    no_signature = {key: value for key, value in signed.items() if key != "signature"}
    Path(f"{target}.manifest.json").write_text(json.dumps(no_signature))
    code, out = verify(str(target))
    assert code == 1 and "its signature does not hold" in out
