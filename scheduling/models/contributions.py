"""Partner contributions before a meeting's information deadline: per agenda slot, one per invited
organisation, its free text sealed with the case's data key.

Visibility follows the notes of a case (``casework.models.NoteVisibility``): the author's domain
is copied when written, so a later change of the organisation's domain does not widen access.
The rules are in ``scheduling.access.contributions_visible_to``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models import Case, NoteVisibility
from mda.models import Organisation
from mda.models.base import Model
from scheduling.models.agendas import AgendaItem

# The sealed fields, in the order a reader sees them.
CONTRIBUTION_FIELDS = ("known_since", "involvement", "risks", "proposals")


class ContributionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Contribution(Model):
    """What one organisation brings to one case's slot. A draft is read only by its own
    organisation; a submitted one counts on the agenda and is read per its visibility."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="contributions")
    # The item's case, kept on the row so the access rules read like those of notes.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Copied from the organisation when written: a later change of domain must not widen access.
    author_domain = models.CharField(max_length=20)
    visibility = models.CharField(_("visibility"), max_length=20, choices=NoteVisibility.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ContributionStatus.choices,
        default=ContributionStatus.DRAFT,
    )
    known_since_ct = models.BinaryField(null=True, blank=True)
    involvement_ct = models.BinaryField(null=True, blank=True)
    risks_ct = models.BinaryField(null=True, blank=True)
    proposals_ct = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "organisation"], name="contribution_once_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"contribution {self.pk} ({self.status})"

    @property
    def is_submitted(self) -> bool:
        return self.status == ContributionStatus.SUBMITTED
