from __future__ import annotations

from django.db import models

from mda.models.base import Model


class ServiceHeartbeat(Model):
    """The last time a background process (worker, beat) proved it was alive."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%H:%M:%S}"
