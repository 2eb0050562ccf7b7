"""The end of a case: legal holds, the warnings before destruction, and the destruction records.

A hold and a warning belong to their case and go with it; a destruction record outlives the case's
content (it is the privacy officer's account of what was destroyed, when and under which rule),
and holds nothing the tombstone does not: reference, region, dates, status.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case, CaseStatus
from mda.models import Region
from mda.models.base import Model


class RetentionRule(models.TextChoices):
    CLOSED = "closed", _("Term after closing")
    SHORT = "short", _("Shorter term: declined or advice only")


class LegalHold(Model):
    """A coordinator postpones destruction (e.g. a running criminal investigation) until a date.

    The reason is free text that may name people, so it is sealed with the case's key and is
    destroyed with the case. Placing and releasing are audited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_holds")
    reason_ct = models.BinaryField(_("reason (encrypted)"))
    until = models.DateField(_("held until"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-placed_at"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return f"hold on {self.case_id} until {self.until:%Y-%m-%d}"


class RetentionWarning(Model):
    """The warning to the region's coordinators that a case will be destroyed on ``destroy_on``.

    One per case and planned date (a unique constraint; the sweep inserts before it notifies), so
    each warning goes out exactly once; a hold that moves the date earns a new warning."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="retention_warnings")
    destroy_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "destroy_on"], name="retention_warning_once_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"warning {self.case_id} for {self.destroy_on:%Y-%m-%d}"


class DestructionRun(Model):
    """One run of the destruction sweep. A run that crashed has no ``finished_at``; the next run
    picks up the cases it did not finish (each case is its own transaction)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    destroyed = models.PositiveIntegerField(_("cases destroyed"), default=0)
    # Cases whose destruction failed with an error (logged); they are tried again next run.
    failed = models.PositiveIntegerField(_("cases failed"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("destruction run")
        verbose_name_plural = _("destruction runs")

    def __str__(self) -> str:
        return f"destruction run {self.started_at:%Y-%m-%d %H:%M}"


class DestructionRecord(Model):
    """What one destruction did, for the privacy officer: which case (its tombstone), when, under
    which rule and term. The one-to-one on the case is the last defence against destroying twice.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(DestructionRun, on_delete=models.PROTECT, related_name="records")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="destruction")
    reference = models.CharField(_("reference"), max_length=32)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("final status"), max_length=20, choices=CaseStatus.choices)
    rule = models.CharField(_("rule"), max_length=10, choices=RetentionRule.choices)
    term_months = models.PositiveSmallIntegerField(_("term in months"))
    referred_at = models.DateTimeField(_("referred at"))
    ended_at = models.DateTimeField(_("ended at"))
    due_on = models.DateField(_("due on"))
    held_until = models.DateField(_("last legal hold until"), null=True, blank=True)
    destroyed_at = models.DateTimeField(_("destroyed at"))

    class Meta:
        ordering = ["-destroyed_at", "reference"]
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        indexes = [models.Index(fields=["region", "-destroyed_at"], name="destruction_region")]

    def __str__(self) -> str:
        return f"{self.reference} destroyed {self.destroyed_at:%Y-%m-%d}"
