"""The pseudonymised case register: cases, household members and the identity vault.

Sensitive text is stored only as ciphertext (``*_ct`` fields), sealed with the case's data key by
``mda.crypto``; plaintext is produced only by selectors/services that record the read.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mda.models import DataKey, Organisation, Region
from mda.models.base import Model


class CaseStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    TRIAGE = "triage", _("In triage")
    INTAKE = "intake", _("Intake")
    PLAN = "plan", _("Plan")
    EXECUTION = "execution", _("Execution")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    ADVICE_ONLY = "advice_only", _("Advice only")
    DECLINED = "declined", _("Declined")
    ACUTE_ROUTE = "acute_route", _("Acute route")
    REOPENED = "reopened", _("Re-opened")


class SafetyPhase(models.IntegerChoices):
    """Gefaseerd Samenwerken aan Veiligheid: runs alongside the status (casework.lifecycle)."""

    DIRECT_SAFETY = 1, _("1 – direct safety")
    STABLE_SAFETY = 2, _("2 – stable safety")
    LASTING_RECOVERY = 3, _("3 – lasting recovery")


class AccessLevel(models.IntegerChoices):
    EXISTENCE = 0, _("0 – that the case exists")
    PROCESS = 1, _("1 – process context without personal data")
    FULL = 2, _("2 – full content")


class Case(Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=32)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REFERRED
    )
    referring_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referred_cases",
        verbose_name=_("referring organisation"),
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="case")
    reason_ct = models.BinaryField(_("reason (encrypted)"))
    safety_phase = models.PositiveSmallIntegerField(
        _("safety phase"), choices=SafetyPhase.choices, null=True, blank=True
    )
    case_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="directed_cases",
        null=True,
        blank=True,
        verbose_name=_("case director"),
    )
    case_director_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("organisation of the case director"),
    )
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="repeats",
        null=True,
        blank=True,
        verbose_name=_("repeat of"),
    )
    triage_due_on = models.DateField(_("triage decision due on"), null=True, blank=True)
    follow_up_until = models.DateField(_("follow-up until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the case reached a final status (closed, declined, advice only, acute route): the
    # retention term counts from here (casework.services.retention).
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Set when retention destroyed the case: what is left is a tombstone (reference, region,
    # dates, status) that no list or page shows, except the privacy officer's records.
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)

    # Set by casework.access.cases_visible_to for the user who loaded the case; a case loaded
    # any other way gives no access.
    access_level: int = -1
    as_coordinator: bool = False
    # Set by casework.access.access_case when it read them: (organisation id, domain) of the
    # user's organisations taking part in the case at level 2, for the note rule of that case.
    full_participants: frozenset[tuple[int, str]] | None = None

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["region", "reference"], name="case_unique_reference"),
        ]
        indexes = [
            # The retention sweep: ended cases not destroyed yet, oldest first.
            models.Index(
                fields=["ended_at"],
                condition=models.Q(destroyed_at__isnull=True, ended_at__isnull=False),
                name="case_retention_due",
            ),
            # Case lists: a region's cases newest first, page by page (keyset).
            models.Index(fields=["region", "-created_at", "-id"], name="case_region_newest"),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseSequence(Model):
    """The last case number handed out per region and year (MDA-2026-0042)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="case_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}: {self.last_number}"


class MemberRole(models.TextChoices):
    VICTIM = "victim", _("Victim")
    PERPETRATOR = "perpetrator", _("Perpetrator")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other")


class HouseholdMember(Model):
    """A person in the household, known only by a pseudonymous label ("moeder", "kind 1")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    label = models.CharField(
        _("label"),
        max_length=40,
        help_text=_("A pseudonymous label such as 'moeder' or 'kind 1'; never a name."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["case", "label"], name="member_unique_label"),
        ]

    def __str__(self) -> str:
        return self.label


class Identity(Model):
    """The identity vault: identifying data of one household member, every field encrypted.

    The blind indexes (keyed HMACs) allow "is this person known?" without decrypting anything.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.OneToOneField(
        HouseholdMember, on_delete=models.CASCADE, related_name="identity"
    )
    name_ct = models.BinaryField(null=True)
    bsn_ct = models.BinaryField(null=True)
    date_of_birth_ct = models.BinaryField(null=True)
    address_ct = models.BinaryField(null=True)
    bsn_index = models.CharField(max_length=64, blank=True, db_index=True)
    name_dob_index = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"identity of {self.member_id}"


class IdentityReveal(Model):
    """A coordinator's reveal of a household member's identity, with the reason (encrypted with
    the case key: free text may name people). The audit trail records the reveal itself; privacy
    officers read the reasons on the case's access log."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reveals")
    member = models.ForeignKey(HouseholdMember, on_delete=models.CASCADE, related_name="reveals")
    revealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revealed_at = models.DateTimeField(_("revealed at"), auto_now_add=True)
    justification_ct = models.BinaryField()

    class Meta:
        ordering = ["-revealed_at"]

    def __str__(self) -> str:
        return f"reveal {self.pk}"
