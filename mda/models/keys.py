"""Per-case data keys for envelope encryption (see mda/crypto.py)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from mda.models.base import Model


class DataKey(Model):
    """An AES-256 data key, stored only wrapped by a versioned master key.

    Shredding sets ``wrapped_key`` to NULL: every ciphertext made with this key, wherever a copy of
    it is, becomes unreadable.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped_key = models.BinaryField(null=True, editable=False)
    master_key_version = models.PositiveIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rewrapped_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")

    def __str__(self) -> str:
        return f"DataKey {self.id} (master v{self.master_key_version})"
