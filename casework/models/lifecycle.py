"""The life of a case: the referral's details, regional settings, the timeline, the plan,
follow-up check-ins and Signs of Safety readings.

The status itself, the safety phase, the case director and the repeat link are fields on
``Case`` (``casework.models.register``); which status may follow which is the table in
``casework.services.lifecycle``. Free text (goal, reasons, safety goals, remarks) is stored only
as ciphertext (``*_ct``), sealed with the case's data key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models.register import Case, CaseStatus, HouseholdMember
from mda.models import Organisation, Region

DEFAULT_TRIAGE_WORKING_DAYS = 5
DEFAULT_FOLLOW_UP_MONTHS = 12
DEFAULT_CHECK_IN_MONTHS = (3, 6, 12)


def default_check_in_months() -> list[int]:
    return list(DEFAULT_CHECK_IN_MONTHS)


class RegionPolicy(models.Model):
    """Lifecycle settings of one region; a region without a row uses the defaults."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="case_policy")
    triage_working_days = models.PositiveSmallIntegerField(
        _("working days for a triage decision"),
        default=DEFAULT_TRIAGE_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Counted from the referral; weekends and Dutch public holidays excluded."),
    )
    follow_up_months = models.PositiveSmallIntegerField(
        _("follow-up period in months"),
        default=DEFAULT_FOLLOW_UP_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    check_in_months = models.JSONField(
        _("check-ins (months after the start of follow-up)"),
        default=default_check_in_months,
        help_text=_("For example [3, 6, 12]."),
    )

    class Meta:
        verbose_name = _("lifecycle settings of a region")
        verbose_name_plural = _("lifecycle settings of regions")

    def __str__(self) -> str:
        return str(self.region)

    def clean(self) -> None:
        months = self.check_in_months
        if not isinstance(months, list) or not all(
            isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= self.follow_up_months
            for m in months
        ):
            raise ValidationError(
                {
                    "check_in_months": _(
                        "Give whole months between 1 and the follow-up period, e.g. [3, 6, 12]."
                    )
                }
            )
        self.check_in_months = sorted(set(months))


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


class Referral(models.Model):
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


class RiskAssessment(models.Model):
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

    class Meta:
        ordering = ["assessed_on", "instrument"]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.assessed_on:%Y-%m-%d}"


class EventKind(models.TextChoices):
    REFERRED = "referred", _("Referred")
    KNOWN_ELSEWHERE = "known_elsewhere", _("Bekendheid check")
    REPEAT = "repeat", _("Repeat")
    TRANSITION = "transition", _("Status changed")
    SAFETY_PHASE = "safety_phase", _("Safety phase changed")
    DIRECTOR = "director", _("Case director assigned")
    PLAN = "plan", _("Plan updated")
    CHECK_IN = "check_in", _("Follow-up check-in")


class EventAudience(models.TextChoices):
    """Who sees an entry at all; its text is governed by ``mda.access.may_read_event_text``."""

    PROCESS = "process", _("Everyone from access level 1")
    COORDINATORS = "coordinators", _("Coordinators only")


class CaseEvent(models.Model):
    """One entry of the case timeline: who did what, when, and (encrypted) why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    audience = models.CharField(
        max_length=20, choices=EventAudience.choices, default=EventAudience.PROCESS
    )
    transition = models.CharField(_("transition"), max_length=30, blank=True)
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    actor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    automatic = models.BooleanField(default=False)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    text_ct = models.BinaryField(null=True, blank=True)
    # Metadata only (phases, counts, references, an organisation name): never content.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="caseevent_case_time")]

    def __str__(self) -> str:
        return f"{self.case} · {self.kind} · {self.occurred_at:%Y-%m-%d %H:%M}"


class CasePlan(models.Model):
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


class CheckIn(models.Model):
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


class Perspective(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional (organisation)")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    NETWORK = "network", _("Network")


class SafetyScore(models.Model):
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
