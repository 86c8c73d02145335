"""Chaining export manifests, one after the other, even when exports finish at once.

Each manifest names the hash of the one before it (``previous``) and its number in the
chain (``seq``). The newest link lives in the database (:class:`ManifestChain`, one row),
and :func:`extend` holds that row locked from the moment it is read until the export's
record has been written to the log and the row updated, in one transaction. A second
export finishing meanwhile waits for the first to commit, then chains onto it; the log
therefore holds the manifests in chain order.

Why the database rather than a file lock beside the log: the console does not know where
its log is written (``LOGGING`` decides), gunicorn workers on several hosts share the
database but not a lock file, and the row also serves ``auditconsole_verify --log`` as
the chain's expected end, so a record removed from the end of the log shows.

Why ``UPDATE`` first rather than ``select_for_update()``: SQLite ignores ``FOR UPDATE``
and takes its write lock at the first write; a transaction that read the row first and
then wrote would meet another one doing the same and fail with "database is locked"
instead of waiting. Incrementing the number first takes the write lock (SQLite) or the
row lock (PostgreSQL, MySQL) before anything is read, and the waiting is then the
database's own (SQLite's busy timeout, a row lock wait).

If writing the record fails and the export is refused (``ExportNotRecorded``), the
transaction rolls back and the chain does not move. If the export goes ahead without its
record (``AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False``) the chain moves all the same: the
missing record then shows as a gap, which is the truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, router, transaction
from django.db.models import F

from auditconsole.models import ManifestChain

HEAD_ID = 1


@dataclass
class Link:
    """The place of the manifest being written: its number and its predecessor's hash."""

    seq: int
    #: The previous manifest's hash; ``None`` for the first of a chain.
    previous: str | None
    #: Set by the caller once the manifest is written: its own hash.
    digest: str | None = None


@dataclass(frozen=True)
class Head:
    seq: int
    digest: str


@contextmanager
def extend() -> Iterator[Link]:
    """The next link, held until the block ends; set ``link.digest`` to commit it.

    A block that raises rolls back (the chain does not move); one that ends without
    setting ``digest`` is a programming error.
    """
    using = router.db_for_write(ManifestChain)
    with transaction.atomic(using=using):
        row = _lock_next(using)
        link = Link(seq=row.seq, previous=row.digest or None)
        yield link
        if link.digest is None:
            raise RuntimeError("the manifest's hash was not set: the chain cannot move")
        ManifestChain.objects.using(using).filter(pk=HEAD_ID).update(digest=link.digest)


def _lock_next(using: str) -> ManifestChain:
    """The head row, its number already incremented: locked until the transaction ends."""
    rows = ManifestChain.objects.using(using)
    if not rows.filter(pk=HEAD_ID).update(seq=F("seq") + 1):
        try:
            with transaction.atomic(using=using):
                # The first export of this database.
                return rows.create(pk=HEAD_ID, seq=1, digest="")
        except IntegrityError:
            # Another export created it meanwhile: lock it like any other time.
            rows.filter(pk=HEAD_ID).update(seq=F("seq") + 1)
    return rows.get(pk=HEAD_ID)


def head() -> Head | None:
    """The newest link, as the database has it (``None``: no export was ever chained)."""
    row = ManifestChain.objects.filter(pk=HEAD_ID).first()
    if row is None or not row.seq:
        return None
    return Head(seq=row.seq, digest=row.digest)
