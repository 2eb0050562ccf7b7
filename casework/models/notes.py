"""Notes on a case, each with a visibility by domain, organisation or role."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case
from mda.models import Organisation
from mda.models.base import Model


class NoteVisibility(models.TextChoices):
    PARTICIPANTS = "participants", _("All participants at level 2")
    DOMAIN = "domain", _("My domain only")
    ORGANISATION = "organisation", _("My organisation and the coordinators")
    COORDINATORS = "coordinators", _("Coordinators only")


class Note(Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    # Copied from the organisation when written: a later change of domain must not widen access.
    author_domain = models.CharField(max_length=20)
    visibility = models.CharField(_("visibility"), max_length=20, choices=NoteVisibility.choices)
    body_ct = models.BinaryField()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"note {self.pk} ({self.visibility})"
