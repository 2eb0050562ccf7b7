"""Reads of the life of a case: the triage queue, the case's lifecycle as a viewer may see it,
its timeline, and check-ins as tasks. Plaintext comes only from here, and reads are recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import (
    AccessLevel,
    Case,
    CasePlan,
    CaseStatus,
    CheckIn,
    Participation,
    SafetyScore,
)
from casework.selectors.referral import ReferralView, referral_view_for
from casework.selectors.scores import ScaleChart, scale_chart, scores_of
from casework.selectors.timeline import TimelineEntry, phase_label, timeline
from casework.transitions import ACTIVE, Transition, transitions_from
from mda import crypto
from mda.access import organisations_user_may_act_for
from mda.audit import audit_record
from mda.models import AuditAction, Membership, Organisation, Role, User

# --- Triage queue ------------------------------------------------------------------------------


# --- Timeline ----------------------------------------------------------------------------------


# --- The lifecycle of one case -----------------------------------------------------------------


@dataclass
class LifecycleView:
    case: Case
    level: int
    as_coordinator: bool
    may_direct: bool
    may_score: bool
    transitions: list[Transition] = field(default_factory=list)
    triage_pending: bool = False
    triage_overdue: bool = False
    referral: ReferralView | None = None
    plan: CasePlan | None = None
    safety_goals: str | None = None
    check_ins: list[CheckIn] = field(default_factory=list)
    repeat_of: Case | None = None
    repeats: list[Case] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    chart: ScaleChart | None = None
    scores: list[SafetyScore] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(CaseStatus(self.case.status).label)

    @property
    def is_active(self) -> bool:
        """From intake until closing: director, plan, phase and readings can change."""
        return self.case.status in ACTIVE

    @property
    def safety_phase_label(self) -> str:
        return phase_label(self.case.safety_phase)


def _plan(case: Case, level: int) -> tuple[CasePlan | None, str | None]:
    plan = CasePlan.objects.filter(case=case).select_related("updated_by").first()
    if plan is None or level < AccessLevel.FULL:
        return plan, None
    return plan, crypto.unseal(plan, "safety_goals_ct", case.data_key)


def lifecycle_view(*, actor: User, case: Case, with_timeline: bool = True) -> LifecycleView:
    """The life of *case* (from access.access_case) as *actor* may see it; decrypted reads are
    recorded in the audit trail."""
    level = case.access_level  # annotated by casework.access
    view = LifecycleView(
        case=case,
        level=level,
        as_coordinator=case.as_coordinator,
        may_direct=access.can_direct(actor, case),
        may_score=access.can_add_score(actor, case),
    )
    if level < AccessLevel.PROCESS:
        return view
    today = timezone.localdate()
    view.triage_pending = case.status in (CaseStatus.REFERRED, CaseStatus.TRIAGE)
    view.triage_overdue = bool(
        view.triage_pending and case.triage_due_on and today > case.triage_due_on
    )
    if view.as_coordinator:
        view.transitions = transitions_from(case.status)
        view.repeat_of = case.repeat_of
        view.repeats = list(case.repeats.order_by("created_at"))
    view.referral, read = referral_view_for(case, level)
    view.plan, view.safety_goals = _plan(case, level)
    if view.safety_goals is not None:
        read.append("plan")
    view.check_ins = list(case.check_ins.filter(cancelled_at__isnull=True))
    if level >= AccessLevel.FULL:
        view.scores = scores_of(case)
        view.chart = scale_chart(case, view.scores)
    if with_timeline:
        view.timeline = timeline(actor=actor, case=case, scores=view.scores)
    if read:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="lifecycle",
            object_id=str(case.pk),
            case=case,
            detail={"parts": read},
        )
    return view


# --- Check-ins as tasks, and small look-ups ----------------------------------------------------


def check_ins_for(*, actor: User) -> QuerySet[CheckIn]:
    return (
        access.check_ins_visible_to(actor).select_related("case", "case__region").order_by("due_on")
    )


def check_in_of_case(*, case: Case, check_in_id: Any) -> CheckIn:
    check_in = case.check_ins.filter(pk=check_in_id).first()
    if check_in is None:
        raise Http404
    return check_in


def director_memberships(*, case: Case) -> QuerySet[Membership]:
    """Who may direct *case*: professionals of the organisations taking part at level 2, each
    with the organisation they would direct it for (the people pickers)."""
    full = Participation.objects.active().filter(case=case, level=AccessLevel.FULL)
    return Membership.objects.filter(
        user__is_active=True,
        role=Role.PROFESSIONAL,
        organisation__in=full.values("organisation_id"),
    )


def director_candidates(*, case: Case) -> QuerySet[User]:
    """Professionals of the organisations that take part in *case* at level 2."""
    return User.objects.filter(pk__in=director_memberships(case=case).values("user_id")).order_by(
        "last_name", "first_name"
    )


def coordinator_organisation(actor: User, case: Case) -> Organisation | None:
    return (
        organisations_user_may_act_for(actor, (Role.COORDINATOR,))
        .filter(region_id=case.region_id)
        .first()
    )


def director_organisation(case: Case, user: User) -> Organisation | None:
    """The organisation for which *user* can direct *case*: a professional of an organisation
    taking part at level 2."""
    full = Participation.objects.active().filter(case=case, level=AccessLevel.FULL)
    return (
        Organisation.objects.filter(
            participations__in=full,
            memberships__user=user,
            memberships__role=Role.PROFESSIONAL,
        ).first()
        if user.is_active
        else None
    )
