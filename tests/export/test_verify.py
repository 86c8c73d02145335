"""check_file and ChainWalk: each kind of tampering, found and named."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auditconsole.export import manifest
from auditconsole.export.streaming import BOM
from auditconsole.export.verify import ChainWalk, check_file, count_rows

KEY = Ed25519PrivateKey.generate()
TRUSTED = {manifest.key_id(KEY.public_key()): KEY.public_key()}
CSV = (BOM + 'id,name\r\n1,alpha\r\n2,beta\r\n3,"gamma\r\ndelta"\r\n').encode()


def signed_for(data: bytes, rows: int = 3, *, seq: int = 1, previous: str | None = None) -> dict:
    return manifest.sign(
        {
            "format": manifest.FORMAT,
            "seq": seq,
            "previous": previous,
            "exported_by": {"user_id": 1, "username": "agent"},
            "via": "web",
            "file": {
                "name": "x.csv",
                "rows": rows,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "bom": True,
            },
            "completed": True,
            "capped": False,
        },
        KEY,
    )


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    path = tmp_path / "x.csv"
    path.write_bytes(CSV)
    return path


def test_an_untouched_file_holds(exported):
    result = check_file(exported, signed_for(CSV), TRUSTED)
    assert result.ok, result.problems
    assert (result.rows, result.size) == (3, len(CSV))
    assert result.details[0] == f"bytes: {len(CSV):,} (manifest: {len(CSV):,})"


def test_one_byte_changed(exported):
    exported.write_bytes(CSV.replace(b"alpha", b"alphA"))
    (problem,) = check_file(exported, signed_for(CSV), TRUSTED).problems
    assert (
        problem == "the file's content was changed (a byte differs): same length, another SHA-256"
    )


def test_one_row_removed(exported):
    exported.write_bytes(CSV.replace(b"2,beta\r\n", b""))
    (problem,) = check_file(exported, signed_for(CSV), TRUSTED).problems
    assert problem == "1 row missing: the file has 2, the manifest says 3"


def test_a_row_added(exported):
    exported.write_bytes(CSV + b"4,extra\r\n")
    (problem,) = check_file(exported, signed_for(CSV), TRUSTED).problems
    assert problem == "1 row added: the file has 4, the manifest says 3"


def test_a_truncated_file(exported):
    exported.write_bytes(CSV[:-9])
    (problem,) = check_file(exported, signed_for(CSV), TRUSTED).problems
    assert problem == (
        f"the file is truncated: it holds {len(CSV) - 9:,} of {len(CSV):,} bytes and ends in "
        "the middle of a row"
    )


def test_a_cell_shortened(exported):
    exported.write_bytes(CSV.replace(b"alpha", b"alph"))
    (problem,) = check_file(exported, signed_for(CSV), TRUSTED).problems
    assert (
        problem
        == f"the file's length differs: {len(CSV) - 1:,} bytes, the manifest says {len(CSV):,}"
    )


def test_a_manifest_changed_after_signing(exported):
    signed = signed_for(CSV)
    signed["exported_by"]["username"] = "someone else"
    (problem,) = check_file(exported, signed, TRUSTED).problems
    assert problem == "the manifest was changed after it was signed: its signature does not hold"


def test_a_manifest_signed_by_another_key(exported):
    forged = manifest.sign(signed_for(CSV), Ed25519PrivateKey.generate())
    (problem,) = check_file(exported, forged, TRUSTED).problems
    assert problem.startswith("the manifest is signed by another key (key id ")
    assert f"not by the trusted key (key id {next(iter(TRUSTED))[:16]}…)" in problem
    assert (
        check_file(exported, forged, {})
        .problems[0]
        .endswith("not by the trusted key (key id none): a foreign or forged signature")
    )


def test_not_a_manifest_or_an_open_quote(exported, tmp_path):
    assert check_file(exported, {"format": "?"}, TRUSTED).problems == [
        "this is not an export manifest of auditconsole"
    ]
    quoted = tmp_path / "quoted.csv"
    quoted.write_bytes(b'id\r\n"open\r\n')
    result = check_file(quoted, signed_for(b'id\r\n"open\r\n', rows=1), TRUSTED)
    assert result.problems == ["the file ends inside a quoted cell: it is not the CSV exported"]
    # Cut inside a quoted cell, even right after a line break in it: truncated.
    exported.write_bytes(CSV[: CSV.index(b"gamma\r\n") + 7])
    assert (
        check_file(exported, signed_for(CSV), TRUSTED)
        .problems[0]
        .startswith("the file is truncated")
    )


def test_row_counts(tmp_path):
    path = tmp_path / "e.csv"
    for data, rows in (
        (b"", 0),
        (b"h\r\nx\r\n", 1),
        (b"h\r\nx", 1),
        (b'h\r\n"a ""quoted""\r\ncell",2\r\n', 1),
        (b"h\r\n\xff\xfe\r\n", 1),  # not UTF-8: still counted
        (b'h\r\n"' + b"x" * 300_000 + b'"\r\n', 1),  # larger than csv.reader takes
    ):
        path.write_bytes(data)
        assert count_rows(path) == (rows, False), data[:20]


# -- the chain, newest first ------------------------------------------------------------------


def chain_of(count: int) -> list[dict]:
    """``count`` export records, oldest first, each with its chained manifest."""
    found, previous = [], None
    for seq in range(1, count + 1):
        signed = signed_for(CSV, seq=seq, previous=previous)
        previous = manifest.digest(signed)
        found.append(record_for(signed))
    return found


def record_for(signed: dict) -> dict:
    return {
        "user_id": 1,
        "username": "agent",
        "via": "web",
        "export_file": "x.csv",
        "rows": signed["file"]["rows"],
        "completed": True,
        "capped": False,
        "manifest": signed,
    }


def walk(records: list[dict], head=None) -> ChainWalk:
    chain = ChainWalk(keys=TRUSTED, head=head)
    for n, record in reversed(list(enumerate(records))):
        chain.add(record, f"console.log, line {n + 1}")
    chain.finish()
    return chain


def messages(chain: ChainWalk) -> list[str]:
    return [finding.message for finding in chain.findings if finding.serious]


def test_an_intact_chain():
    records = chain_of(4)
    last = records[-1]["manifest"]
    chain = walk(records, head=(4, manifest.digest(last)))
    assert chain.findings == [] and chain.manifests == 4


def test_a_manifest_removed_from_the_middle():
    records = chain_of(4)
    del records[1]
    assert messages(walk(records)) == [
        "1 manifest missing between manifest #1 (console.log, line 1) and #3 "
        "(console.log, line 2): export records were removed from the log"
    ]


def test_a_changed_line_in_the_manifest():
    records = chain_of(3)
    records[1]["manifest"]["file"]["rows"] = 2
    records[1]["rows"] = 2
    assert messages(walk(records)) == [
        "manifest #2 (console.log, line 2): the manifest was changed after it was signed: "
        "its signature does not hold"
    ]


def test_a_changed_line_outside_the_manifest():
    records = chain_of(3)
    records[1]["rows"] = 1
    assert messages(walk(records)) == [
        "manifest #2 (console.log, line 2): the export record was changed: its rows is 1, "
        "its signed manifest says 3"
    ]


def test_a_replaced_manifest_signed_anew():
    """Re-signed with the right key (a stolen key), but the chain still breaks."""
    records = chain_of(3)
    # Another file's manifest, in the right place, linked to #1: only #3's link shows it.
    replaced = signed_for(CSV + b"x", seq=2, previous=manifest.digest(records[0]["manifest"]))
    records[1] = record_for(replaced)
    assert messages(walk(records)) == [
        "#3 (console.log, line 3) does not follow manifest #2 (console.log, line 2): its "
        "previous hash is not this manifest's (one of them was replaced)"
    ]


def test_a_record_disagreeing_in_shape():
    records = chain_of(1)
    records[0]["manifest"] = manifest.sign({**records[0]["manifest"], "exported_by": "agent"}, KEY)
    assert messages(walk(records)) == [
        "manifest #1 (console.log, line 1): the export record was changed: its user_id is 1, "
        "its signed manifest says None"
    ]


def test_foreign_and_malformed_manifests():
    records = chain_of(2)
    records[0]["manifest"] = manifest.sign(records[0]["manifest"], Ed25519PrivateKey.generate())
    records.append({**records[1], "manifest": {"format": "nonsense"}})
    found = messages(walk(records))
    assert (
        found[0] == "console.log, line 3: the export record's manifest is not a manifest (edited)"
    )
    assert found[1].startswith(
        "manifest #1 (console.log, line 1): the manifest is signed by another key"
    )


def test_removed_from_the_end_and_other_head_mismatches():
    records = chain_of(3)
    newest = manifest.digest(records[-1]["manifest"])
    assert messages(walk(records, head=(5, "f" * 64))) == [
        "the newest 2 manifests are missing from the log: the chain head is #5, the log ends "
        "at manifest #3 (console.log, line 3) (export records removed from the end)"
    ]
    assert messages(walk(records, head=(4, "f" * 64)))[0].startswith(
        "the newest 1 manifest is missing from the log"
    )
    assert messages(walk(records, head=(3, "f" * 64))) == [
        "manifest #3 (console.log, line 3) is not the manifest the chain head names: it was replaced"
    ]
    assert messages(walk(records, head=(2, newest)))[0].startswith(
        "the log goes past the chain head (#2) up to manifest #3"
    )
    assert messages(walk([], head=(2, newest))) == [
        "the chain head is #2 but the log holds no manifest: every export record was removed, "
        "or rotated out of the log"
    ]
    assert walk([], head=None).findings == []


def test_restarts_and_disorder():
    first, second = chain_of(2), chain_of(2)
    assert messages(walk(first + second)) == [
        "the chain starts again at #1 (console.log, line 3), after manifest #2 "
        "(console.log, line 2): its head in the database was reset"
    ]
    one, two, three = chain_of(3)
    found = messages(walk([one, three, two]))
    assert found[0] == (
        "manifest #3 (console.log, line 2) comes before #2 (console.log, line 3) in the log: out "
        "of order, or two consoles write to this log"
    )


def test_notes_prove_nothing_wrong():
    records = chain_of(4)[2:]
    records.insert(0, {"rows": 1})  # an export recorded before manifests existed
    chain = walk(records)
    assert messages(chain) == []
    assert [finding.message for finding in chain.findings] == [
        "the log's oldest manifest is #3 (console.log, line 2): the 2 before it were rotated "
        "out of the log (or removed from its start) and are not checked",
        "1 export record carry no manifest (written before manifests existed, or when none "
        "could be made)",
    ]
    assert chain.unsigned == 1
