"""The referral of a case: criteria, whether the family was informed, risk instrument outcomes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case
from mda.models import Organisation
from mda.models.base import Model


class Criterion(models.TextChoices):
    """The MDA++ criteria a referral is checked against in triage."""

    STRUCTURAL_UNSAFETY = "structural_unsafety", _("Structural unsafety")
    REGULAR_HELP_EXHAUSTED = (
        "regular_help_exhausted",
        _("Regular help has been tried to the maximum without result"),
    )
    REPEATED_INCIDENTS = "repeated_incidents", _("Repeated or continuing unsafe events")
    SEVERAL_LIFE_DOMAINS = (
        "several_life_domains",
        _("Problems on several life domains (e.g. addiction, psychiatry, debt, disability)"),
    )


class NotInformedReason(models.TextChoices):
    CRIMINAL_INVESTIGATION = (
        "criminal_investigation",
        _("Informing them would harm a criminal investigation"),
    )
    SAFETY = "safety", _("Informing them would endanger someone's safety")
    OTHER = "other", _("Another reason (explain)")


class Referral(Model):
    """What the referrer told us besides the reason (which lives on ``Case``)."""

    # The case's id is the row's id: ciphertext is bound to it (mda.crypto).
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="referral", primary_key=True
    )
    goal_ct = models.BinaryField(_("goal of the conference (encrypted)"))
    criteria = models.JSONField(_("MDA++ criteria met"), default=list)
    family_informed = models.BooleanField(_("the family was informed"))
    not_informed_reason = models.CharField(
        _("why the family was not informed"),
        max_length=30,
        choices=NotInformedReason.choices,
        blank=True,
    )
    not_informed_explanation_ct = models.BinaryField(
        _("explanation (encrypted)"), null=True, blank=True
    )
    partners_involved = models.ManyToManyField(
        Organisation, related_name="+", blank=True, verbose_name=_("partners already involved")
    )
    # The bekendheid check at the moment of referral (blind index; counts, never content).
    known_in_region = models.PositiveIntegerField(
        _("known in other cases of the region"), default=0
    )
    known_in_other_region = models.BooleanField(_("known in another region"), default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(family_informed=True) | ~Q(not_informed_reason=""),
                name="referral_not_informed_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"referral of {self.case}"


class RiskInstrument(models.TextChoices):
    ARIJ = "arij", "ARIJ"
    LIRIK = "lirik", "LIRIK"
    RIHG = "rihg", "RiHG"
    B_SAFER = "b_safer", "B-SAFER"
    DASH = "dash", "DASH"


class RiskOutcome(models.TextChoices):
    """The outcome category as the instrument reported it; the system never recomputes it."""

    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")
    VERY_HIGH = "very_high", _("Very high / acute risk")


class RiskAssessment(Model):
    """An outcome of a risk instrument as an organisation reported it: given with the referral or
    recorded later, any number over the life of a case (the history is the trend)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    instrument = models.CharField(_("instrument"), max_length=20, choices=RiskInstrument.choices)
    assessed_on = models.DateField(_("date"))
    assessor_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessor organisation"),
    )
    outcome = models.CharField(_("outcome category"), max_length=20, choices=RiskOutcome.choices)
    at_referral = models.BooleanField(_("given with the referral"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by organisation"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["assessed_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.assessed_on:%Y-%m-%d}"
