"""The life of a case after triage: the plan and follow-up check-ins.

The status itself, the safety phase, the case director and the repeat link are fields on
``Case`` (``casework.models.cases``); which status may follow which is the table in
``casework.transitions``. Free text (safety goals, remarks) is stored only as ciphertext
(``*_ct``), sealed with the case's data key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case
from mda.models.base import Model


class CasePlan(Model):
    """One family, one plan: the safety goals and how often the case is reviewed."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="plan", primary_key=True
    )
    safety_goals_ct = models.BinaryField(_("safety goals (encrypted)"))
    review_every_weeks = models.PositiveSmallIntegerField(
        _("review every (weeks)"), validators=[MinValueValidator(1), MaxValueValidator(26)]
    )
    next_review_on = models.DateField(_("next review"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"))

    def __str__(self) -> str:
        return f"plan of {self.case}"


class CheckInOutcome(models.TextChoices):
    STABLE = "stable", _("Stable: safety holds")
    CONCERNS = "concerns", _("Concerns: re-open the case")


class CheckInQuerySet(models.QuerySet["CheckIn"]):
    def pending(self) -> CheckInQuerySet:
        return self.filter(completed_at__isnull=True, cancelled_at__isnull=True)


class CheckIn(Model):
    """A scheduled follow-up check-in: a task for the case director (and an agenda item)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="check_ins")
    months_after = models.PositiveSmallIntegerField(_("months after the start of follow-up"))
    due_on = models.DateField(_("due on"))
    notified_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=CheckInOutcome.choices, blank=True
    )
    remark_ct = models.BinaryField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.case} · check-in {self.due_on:%Y-%m-%d}"
