"""Reads of referrals: the referral as a reader may see it, bekendheid and repeats (on the blind
index, never on plaintext), and who hears of a triage decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet

from casework.models import (
    AccessLevel,
    Case,
    CaseStatus,
    Criterion,
    HouseholdMember,
    Identity,
    NotInformedReason,
    Referral,
    RiskAssessment,
)
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, Membership, User
from mda.workdays import add_months

REPEAT_WINDOW_MONTHS = 12


def repeat_window_start(moment: datetime) -> datetime:
    """Referrals on or after this moment count for a repeat at *moment*."""
    return add_months(moment, -REPEAT_WINDOW_MONTHS)


def matching_identities(case: Case) -> Q | None:
    own = Identity.objects.filter(member__case=case)
    bsn = [i for i in own.values_list("bsn_index", flat=True) if i]
    name_dob = [i for i in own.values_list("name_dob_index", flat=True) if i]
    if not bsn and not name_dob:
        return None
    return Q(bsn_index__in=bsn) | Q(name_dob_index__in=name_dob)


def known_elsewhere_counts(case: Case) -> tuple[int, bool]:
    """(other cases of the region, known in another region) for *case*'s household."""
    match = matching_identities(case)
    if match is None:
        return 0, False
    cases = Case.objects.filter(members__identity__in=Identity.objects.filter(match)).exclude(
        pk=case.pk
    )
    same = cases.filter(region_id=case.region_id).values("pk").distinct().count()
    other = cases.exclude(region_id=case.region_id).exists()
    return same, other


def repeat_candidate(case: Case) -> Case | None:
    """The latest earlier case of the region, referred within 12 months before *case*, with a
    household member whose blind index matches: *case* is then a repeat of it."""
    match = matching_identities(case)
    if match is None:
        return None
    since = repeat_window_start(case.created_at)
    return (
        Case.objects.filter(
            region_id=case.region_id,
            created_at__gte=since,
            created_at__lte=case.created_at,
            members__identity__in=Identity.objects.filter(match),
        )
        .exclude(pk=case.pk)
        .select_related("region", "data_key")
        .order_by("-created_at")
        .first()
    )


def referrer_recipients(case: Case) -> list[User]:
    """Who hears of the triage decision: the referrer, if still with the organisation."""
    still_there = Membership.objects.filter(
        user_id=case.referred_by_id, organisation_id=case.referring_organisation_id
    )
    return [case.referred_by] if still_there.exists() else []


@dataclass
class KnownElsewhere:
    reference: str
    region: str
    same_region: bool


def known_elsewhere(*, case: Case) -> list[KnownElsewhere]:
    """Bekendheid, for coordinators only (the caller checks): other cases with a household
    member whose blind index matches, never their content.

    In the case's own region: the other case's reference. In another region: that region's name
    and nothing else (no reference, no count), so the coordinator knows which safety house to
    call, as the national bekendheid check does.
    """
    own = Identity.objects.filter(member__case=case)
    bsn = [i for i in own.values_list("bsn_index", flat=True) if i]
    name_dob = [i for i in own.values_list("name_dob_index", flat=True) if i]
    if not bsn and not name_dob:
        return []
    matches = (
        Identity.objects.filter(Q(bsn_index__in=bsn) | Q(name_dob_index__in=name_dob))
        .exclude(member__case=case)
        .values_list(
            "member__case__reference", "member__case__region__name", "member__case__region_id"
        )
        .distinct()
    )
    result = []
    for reference, region_name, region_id in matches:
        same = region_id == case.region_id
        result.append(
            KnownElsewhere(
                reference=reference if same else "", region=region_name, same_region=same
            )
        )
    return sorted(
        {(k.same_region, k.reference, k.region): k for k in result}.values(),
        key=lambda k: (not k.same_region, k.reference, k.region),
    )


@dataclass
class ReferralView:
    referral: Referral
    criteria: list[str]
    partners: list[str]
    goal: str | None = None
    not_informed_reason: str = ""
    not_informed_explanation: str | None = None
    risk_assessments: list[RiskAssessment] = field(default_factory=list)
    # Only in the referral as submitted (the case page shows these in sections of their own).
    reason: str | None = None
    members: list[HouseholdMember] = field(default_factory=list)


def referral_view_for(
    case: Case, level: int, *, full: bool | None = None
) -> tuple[ReferralView | None, list[str]]:
    """The referral of *case*: in *full* (default: at level 2) or only the ticked criteria, since
    why the family was not told, or which partners were involved, can reveal a criminal
    investigation. Returns the view and the parts read (for the caller's audit record)."""
    referral = Referral.objects.filter(case=case).first()
    if referral is None:
        return None, []
    view = ReferralView(
        referral=referral,
        criteria=[str(Criterion(c).label) for c in referral.criteria if c in Criterion.values],
        partners=[],
    )
    if not (level >= AccessLevel.FULL if full is None else full):
        return view, []
    view.partners = [o.name for o in referral.partners_involved.order_by("name")]
    if referral.not_informed_reason:
        view.not_informed_reason = str(NotInformedReason(referral.not_informed_reason).label)
    view.goal = crypto.unseal(referral, "goal_ct", case.data_key)
    if referral.not_informed_explanation_ct is not None:
        view.not_informed_explanation = crypto.unseal(
            referral, "not_informed_explanation_ct", case.data_key
        )
    view.risk_assessments = list(  # as submitted: later outcomes are in the case's history
        RiskAssessment.objects.filter(case=case, at_referral=True).select_related(
            "assessor_organisation"
        )
    )
    return view, ["referral"]


def referral_as_submitted(*, actor: User, case: Case) -> ReferralView | None:
    """The whole referral as it was sent, reason and household labels included, for *actor*
    (from ``casework.access.access_referral``); the read is recorded. Identities stay in the
    vault (coordinators reveal them)."""
    view, _read = referral_view_for(case, case.access_level, full=True)
    if view is None:
        return None
    view.reason = crypto.unseal(case, "reason_ct", case.data_key)
    view.members = list(case.members.order_by("position", "label"))
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="referral",
        object_id=str(case.pk),
        case=case,
    )
    return view


def household_cases_in_follow_up(case: Case) -> QuerySet[Case]:
    """Other cases of the region in follow-up with a member of *case*'s household."""
    match = matching_identities(case)
    if match is None:
        return Case.objects.none()
    return (
        Case.objects.filter(
            region_id=case.region_id,
            status=CaseStatus.FOLLOW_UP,
            members__identity__in=Identity.objects.filter(match),
        )
        .exclude(pk=case.pk)
        .distinct()
    )
