"""A tracked model per audit package, as a project would register it."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class Supplier(models.Model):
    """Tracked by django-simple-history (and by LogEntry, when the admin edits it)."""

    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    api_token = models.CharField(max_length=100, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


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
