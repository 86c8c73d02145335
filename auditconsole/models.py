from __future__ import annotations

from django.db import models

from auditconsole.permissions import PERMISSIONS


class Console(models.Model):
    """Holds the console's permissions; it has no table.

    Django only creates permissions for models, so this unmanaged model exists to carry
    them. ``default_permissions`` is empty because add/change/delete make no sense here.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = PERMISSIONS
        verbose_name = "audit console"

    def __str__(self) -> str:
        return "audit console"


class ManifestChain(models.Model):
    """The newest link of the chain of export manifests: its number and its hash.

    One row (``pk=1``). Each export's manifest carries the hash of the one before it; this
    row says which that is, and is updated in the transaction that writes the export's
    record, so two exports finishing at once are chained one after the other
    (:mod:`auditconsole.export.chain`). ``auditconsole_verify --log`` compares it with the
    newest manifest in the console's log: a record removed from the end shows.
    """

    seq = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64, blank=True, default="")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ()
        verbose_name = "export manifest chain"

    def __str__(self) -> str:
        return f"manifest chain at #{self.seq}"
