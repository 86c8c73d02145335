"""A tracked model per audit package, as a project would register it."""

from __future__ import annotations

import reversion
from auditlog.registry import auditlog
from django.db import models
from simple_history.models import HistoricalRecords


class Supplier(models.Model):
    """Tracked by simple-history, reversion and auditlog (and LogEntry, by the admin)."""

    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    api_token = models.CharField(max_length=100, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict[str, str] | None:
        """What auditlog stores beside an entry, set by the code that saves."""
        data: dict[str, str] | None = getattr(self, "_audit_data", None)
        return data


class Warehouse(models.Model):
    """Not tracked by simple-history: LogEntry only."""

    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class Carrier(models.Model):
    """A second table of simple-history's, so that its trail reads several."""

    name = models.CharField(max_length=100)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


# The same supplier kept by every package, as a project that adopted them in turn would.
reversion.register(Supplier)
auditlog.register(Supplier)
