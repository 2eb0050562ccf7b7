"""Signs of Safety readings: 0-10 per perspective, at several moments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case, HouseholdMember
from mda.models import Organisation
from mda.models.base import Model


class Perspective(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional (organisation)")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    NETWORK = "network", _("Network")


class SafetyScore(Model):
    """A Signs of Safety reading: 0 (the children cannot stay at home) to 10 (everyone knows
    the children are safe enough to close the case), from one perspective on one date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safety_scores")
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    scored_on = models.DateField(_("date"))
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    member = models.ForeignKey(
        HouseholdMember,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("household member"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["scored_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0, value__lte=10), name="safetyscore_value_0_10"
            ),
            models.CheckConstraint(
                condition=(
                    Q(perspective="professional", organisation__isnull=False, member__isnull=True)
                    | Q(
                        perspective__in=["parent", "child"],
                        member__isnull=False,
                        organisation__isnull=True,
                    )
                    | Q(perspective="network", member__isnull=True, organisation__isnull=True)
                ),
                name="safetyscore_perspective_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.perspective} {self.value} on {self.scored_on:%Y-%m-%d}"
