"""The verification script of docs/export.md, run as written, without Django or auditconsole."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.admin.models import CHANGE
from django.core.management import call_command

from auditconsole.export import keys, manifest
from project.demo.models import Ticket
from tests.activity.entries import log

DOCS = Path(__file__).resolve().parents[2] / "docs" / "export.md"
MARKER = "# verify_export.py"
#: Runs the script with both packages made unimportable: it must need neither.
HARNESS = """
import runpy, sys
for name in ("django", "auditconsole"):
    sys.modules[name] = None
sys.argv = ["verify_export.py", *sys.argv[1:]]
runpy.run_path("verify_export.py", run_name="__main__")
"""


def snippet() -> str:
    """The fenced Python block of the docs that starts with the marker line."""
    blocks = DOCS.read_text().split("```python\n")[1:]
    (script,) = [block.split("```", 1)[0] for block in blocks if block.startswith(MARKER)]
    return script


def run_script(tmp_path: Path, *args: Path) -> subprocess.CompletedProcess:
    (tmp_path / "verify_export.py").write_text(snippet())
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO", "PYTHONPATH"))
    }
    return subprocess.run(
        [sys.executable, "-I", "-c", HARNESS, *map(str, args)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def exported(tmp_path, support_user, audit_log) -> tuple[Path, Path, Path]:
    for n in range(5):
        log(support_user, Ticket, n, CHANGE, name=f"ticket {n}")
    target = tmp_path / "activity.csv"
    call_command(
        "auditconsole_export",
        "activity",
        "-o",
        str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    public = tmp_path / "console.pub.pem"
    public.write_text(keys.public_pem(keys.private_key()))
    return target, Path(f"{target}.manifest.json"), public


def test_the_snippet_is_in_the_docs():
    script = snippet()
    assert "cryptography" in script
    assert "django" not in script and "auditconsole" not in script.replace(MARKER, "")


def test_a_genuine_export_verifies(exported, tmp_path):
    result = run_script(tmp_path, *exported)
    assert result.returncode == 0, result.stderr
    signed = json.loads(exported[1].read_text())
    assert result.stdout == (
        f"OK: activity.csv, 5 rows, exported by {signed['exported_by']['username']} (command) at "
        f"{signed['finished']}, manifest #{signed['seq']}\n"
    )


def test_a_changed_byte_fails(exported, tmp_path):
    target = exported[0]
    target.write_bytes(target.read_bytes().replace(b"ticket 3", b"ticket 4"))
    result = run_script(tmp_path, *exported)
    assert result.returncode == 1
    assert result.stderr.startswith(f"FAILED: {target} is not the file exported")


def test_another_key_or_an_edited_manifest_fails(exported, tmp_path):
    target, manifest_path, public = exported
    other = tmp_path / "other.pub.pem"
    other.write_text(keys.public_pem(Ed25519PrivateKey.generate()))
    result = run_script(tmp_path, target, manifest_path, other)
    assert result.returncode == 1
    assert result.stderr == "FAILED: the manifest is not signed by this key, or was changed since\n"
    edited = json.loads(manifest_path.read_text())
    edited["file"]["rows"] = 4
    manifest_path.write_text(json.dumps(edited))
    assert run_script(tmp_path, target, manifest_path, public).returncode == 1


def test_the_row_check(exported, tmp_path):
    """A manifest signed for the right bytes but the wrong row count (only a key holder could)."""
    target, manifest_path, public = exported
    tampered = json.loads(manifest_path.read_text())
    tampered["file"]["rows"] = 99
    manifest_path.write_text(json.dumps(manifest.sign(tampered, keys.private_key())))
    result = run_script(tmp_path, target, manifest_path, public)
    assert result.returncode == 1
    assert result.stderr == "FAILED: 5 rows, the manifest says 99\n"
