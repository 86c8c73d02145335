from __future__ import annotations

import pghistory
from django.db import models


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Shipment(models.Model):
    reference = models.CharField(max_length=50)
    status = models.CharField(max_length=20, blank=True)
    api_token = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.reference
