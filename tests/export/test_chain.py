"""The chain head: numbered links, each naming its predecessor, one export at a time."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.models import QuerySet

from auditconsole.export import chain
from auditconsole.export.audit import ExportNotRecorded, record_export
from auditconsole.export.manifest import digest
from auditconsole.models import ManifestChain
from tests.export.helpers import INFO, FailingHandler, finished


def test_links_are_numbered_and_name_their_predecessor():
    assert chain.head() is None
    with chain.extend() as first:
        assert (first.seq, first.previous) == (1, None)
        first.digest = "a" * 64
    with chain.extend() as second:
        assert (second.seq, second.previous) == (2, "a" * 64)
        second.digest = "b" * 64
    assert chain.head() == chain.Head(seq=2, digest="b" * 64)
    assert str(ManifestChain.objects.get()) == "manifest chain at #2"


def test_a_head_created_meanwhile_by_another_export(monkeypatch):
    """Two first exports at once: one creates the row, the other's insert fails, and locks it."""
    ManifestChain.objects.create(pk=chain.HEAD_ID, seq=4, digest="d" * 64)
    real_update = QuerySet.update
    calls = []

    def update(self, **kwargs):
        calls.append(kwargs)
        # The first update runs before the other export's insert commits: no row yet.
        return 0 if len(calls) == 1 else real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update)
    with chain.extend() as link:
        assert (link.seq, link.previous) == (5, "d" * 64)
        link.digest = "e" * 64
    monkeypatch.undo()
    assert chain.head() == chain.Head(seq=5, digest="e" * 64)


def test_a_failed_block_leaves_the_chain_where_it_was():
    with chain.extend() as link:
        link.digest = "a" * 64
    with pytest.raises(OSError), chain.extend():
        raise OSError("the log is full")
    with pytest.raises(RuntimeError, match="hash was not set"), chain.extend():
        pass
    assert chain.head() == chain.Head(seq=1, digest="a" * 64)


def test_a_refused_export_does_not_move_the_chain(audit_log, add_exports_handler):
    record_export(INFO, finished(1))
    before = chain.head()
    add_exports_handler(FailingHandler())
    with pytest.raises(ExportNotRecorded):
        record_export(INFO, finished(2))
    assert chain.head() == before


def test_an_unrecorded_export_that_goes_ahead_moves_it(
    audit_log, add_exports_handler, settings, capsys
):
    """Without the requirement, the export's manifest is missing from a log: a gap, the truth."""
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False
    add_exports_handler(FailingHandler())
    signed = record_export(INFO, finished(1))
    assert chain.head() == chain.Head(seq=1, digest=digest(signed))


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's test database is in memory, shared by threads without waiting on locks",
)
@pytest.mark.django_db(transaction=True)
def test_exports_finishing_at_once_are_chained_one_after_the_other():
    """Two exports in two threads: the second waits for the first's lock, then follows it."""
    inside, release = threading.Event(), threading.Event()
    links: dict[str, chain.Link] = {}

    def first() -> None:
        try:
            with chain.extend() as link:
                links["first"] = link
                inside.set()
                release.wait(10)  # still holding the head while the other one starts
                link.digest = "1" * 64
        finally:
            connections.close_all()

    def second() -> None:
        try:
            inside.wait(10)
            with chain.extend() as link:
                links["second"] = link
                link.digest = "2" * 64
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inside.wait(10)
    # Wait until the second export is blocked on the first one's lock (not a timing guess:
    # PostgreSQL says so), then let the first one finish.
    waiting = 0
    for _ in range(1000):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            waiting = cursor.fetchone()[0]
        if waiting:
            break
        threading.Event().wait(0.01)
    assert waiting, "the second export never waited for the first one's lock"
    assert "second" not in links
    release.set()
    for thread in threads:
        thread.join(20)
    assert (links["first"].seq, links["second"].seq) == (1, 2)
    assert links["second"].previous == "1" * 64
    assert chain.head() == chain.Head(seq=2, digest="2" * 64)
