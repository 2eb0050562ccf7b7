"""Reads of the life of a case: the triage queue, the case's lifecycle as a viewer may see it,
its timeline, and check-ins as tasks. Plaintext comes only from here, and reads are recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import access
from casework.models import (
    AccessLevel,
    Case,
    CaseEvent,
    CasePlan,
    CaseStatus,
    CheckIn,
    CheckInOutcome,
    Criterion,
    EventKind,
    NotInformedReason,
    Participation,
    Referral,
    RiskAssessment,
    SafetyPhase,
    SafetyScore,
)
from casework.selectors.scores import ScaleChart, scale_chart, scores_of
from casework.services.lifecycle import ACTIVE, TRANSITIONS, Transition, transitions_from
from casework.services.referral import repeat_window_start
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, Role, User

# --- Triage queue ------------------------------------------------------------------------------


@dataclass
class TriageRow:
    case: Case
    due_on: date | None
    overdue: bool
    due_today: bool
    criteria: int
    known_in_region: int
    known_in_other_region: bool


def triage_queue(*, actor: User, today: date | None = None) -> list[TriageRow]:
    """Referrals awaiting a decision in *actor*'s regions, the most urgent first."""
    today = today or timezone.localdate()
    cases = (
        access.triage_cases_visible_to(actor)
        .select_related("region", "referring_organisation", "repeat_of", "referral")
        .order_by("triage_due_on", "created_at")
    )
    rows = []
    for case in cases:
        referral = getattr(case, "referral", None)
        due = case.triage_due_on
        rows.append(
            TriageRow(
                case=case,
                due_on=due,
                overdue=bool(due and today > due),
                due_today=due == today,
                criteria=len(referral.criteria) if referral else 0,
                known_in_region=referral.known_in_region if referral else 0,
                known_in_other_region=referral.known_in_other_region if referral else False,
            )
        )
    return rows


def repeats_in_last_year(*, actor: User) -> int:
    """Referrals of the last 12 months that were repeats, in the regions *actor* coordinates."""
    since = repeat_window_start(timezone.now())
    return (
        access.cases_coordinated_by(actor)
        .filter(repeat_of__isnull=False, created_at__gte=since)
        .count()
    )


# --- Timeline ----------------------------------------------------------------------------------


# What a timeline entry is about: the events of casework.models.EventKind, and entries made from
# participations, notes and Signs of Safety readings.
TIMELINE_KINDS = [
    *EventKind.choices,
    ("participation", gettext_lazy("Takes part")),
    ("participation_revoked", gettext_lazy("No longer takes part")),
    ("note", gettext_lazy("Note")),
    ("score", gettext_lazy("Signs of Safety reading")),
]


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    summary: str
    by: str = ""
    text: str | None = None
    text_withheld: bool = False
    anchor: str = ""
    transition: str = ""
    from_status: str = ""
    to_status: str = ""


def _actor_label(event: CaseEvent) -> str:
    if event.automatic and event.actor is None:
        return _("the service, by itself")
    name = event.actor.get_full_name() or event.actor.get_username() if event.actor else ""
    org = event.actor_organisation.name if event.actor_organisation else ""
    return f"{name} ({org})" if name and org else name or org


CAUSES = {
    "new_referral": gettext_lazy("a new referral for a household member"),
    "check_in_concerns": gettext_lazy("a follow-up check-in with concerns"),
}


def _status_label(value: str) -> str:
    return str(CaseStatus(value).label) if value else ""


def _event_summary(event: CaseEvent) -> str:
    d = event.detail or {}
    if event.kind == EventKind.TRANSITION:
        label = TRANSITIONS[event.transition].label if event.transition in TRANSITIONS else ""
        text = _("%(label)s: %(from)s → %(to)s") % {
            "label": label,
            "from": _status_label(event.from_status),
            "to": _status_label(event.to_status),
        }
        if d.get("cause"):
            text += " — " + _("caused by %(cause)s") % {
                "cause": CAUSES.get(str(d["cause"]), d["cause"])
            }
        return text
    if event.kind == EventKind.REFERRED:
        org = event.actor_organisation.name if event.actor_organisation else ""
        return _("Referred by %(org)s") % {"org": org}
    if event.kind == EventKind.KNOWN_ELSEWHERE:
        text = _("Bekendheid: a household member is known in %(n)d other case(s) of the region")
        text %= {"n": d.get("same_region", 0)}
        return text + (" " + _("and in another region") if d.get("other_region") else "")
    if event.kind == EventKind.REPEAT:
        return _("Repeat of %(ref)s (referred within the last 12 months)") % {
            "ref": d.get("repeat_of", "")
        }
    if event.kind == EventKind.DIRECTOR:
        return _("Case director assigned: %(who)s (%(org)s)") % {
            "who": d.get("director", ""),
            "org": d.get("organisation", ""),
        }
    if event.kind == EventKind.PLAN:
        return _("Plan recorded; review every %(n)s weeks") % {"n": d.get("review_every_weeks")}
    if event.kind == EventKind.SAFETY_PHASE:
        return _("Safety phase: %(from)s → %(to)s") % {
            "from": _phase_label(d.get("from")),
            "to": _phase_label(d.get("to")),
        }
    if event.kind == EventKind.CHECK_IN:
        outcome = d.get("outcome")
        label = CheckInOutcome(outcome).label if outcome in CheckInOutcome.values else ""
        return _("Check-in after %(n)s months: %(outcome)s") % {
            "n": d.get("months_after"),
            "outcome": label,
        }
    return str(EventKind(event.kind).label)


def _phase_label(value: Any) -> str:
    return str(SafetyPhase(value).label) if value in SafetyPhase.values else "—"


def _event_entries(actor: User, case: Case) -> tuple[list[TimelineEntry], list[str]]:
    audiences = access.timeline_audiences(actor, case)
    events = CaseEvent.objects.filter(case=case, audience__in=audiences).select_related(
        "actor", "actor_organisation"
    )
    entries, read = [], []
    for event in events:
        entry = TimelineEntry(
            at=event.occurred_at,
            kind=event.kind,
            summary=_event_summary(event),
            by=_actor_label(event),
            anchor=f"event-{event.pk}",
            transition=event.transition,
            from_status=event.from_status,
            to_status=event.to_status,
        )
        if event.text_ct is not None:
            triage = event.transition in TRANSITIONS and TRANSITIONS[event.transition].triage
            if access.can_read_event_text(actor, case, triage_decision=triage):
                entry.text = crypto.unseal(event, "text_ct", case.data_key)
                read.append(str(event.pk))
            else:
                entry.text_withheld = True
        entries.append(entry)
    return entries, read


def _participation_entries(case: Case) -> list[TimelineEntry]:
    entries = []
    for p in Participation.objects.filter(case=case).select_related("organisation"):
        entries.append(
            TimelineEntry(
                at=p.decided_at,
                kind="participation",
                summary=_("%(org)s takes part at information level %(level)d")
                % {"org": p.organisation.name, "level": p.level},
            )
        )
        if p.revoked_at:
            entries.append(
                TimelineEntry(
                    at=p.revoked_at,
                    kind="participation_revoked",
                    summary=_("%(org)s no longer takes part") % {"org": p.organisation.name},
                )
            )
    return entries


def _note_entries(actor: User, case: Case) -> list[TimelineEntry]:
    notes = _notes_visible(actor, case)
    return [
        TimelineEntry(
            at=n.created_at,
            kind="note",
            anchor=f"note-{n.pk}",
            summary=_("Note by %(org)s (%(visibility)s)")
            % {"org": n.author_organisation.name, "visibility": n.get_visibility_display()},
            by=n.author.get_full_name(),
        )
        for n in notes
    ]


def _notes_visible(actor: User, case: Case) -> QuerySet[Any]:

    return (
        access.notes_visible_to(actor)
        .filter(case=case)
        .select_related("author", "author_organisation")
    )


def _score_entries(scores: list[SafetyScore]) -> list[TimelineEntry]:
    from casework.selectors.scores import _series_key

    return [
        TimelineEntry(
            at=s.created_at,
            kind="score",
            summary=_("Signs of Safety reading %(value)d/10 from %(who)s, dated %(date)s")
            % {
                "value": s.value,
                "who": _series_key(s)[1],
                "date": s.scored_on.strftime("%d-%m-%Y"),
            },
        )
        for s in scores
    ]


def timeline(
    *, actor: User, case: Case, scores: list[SafetyScore] | None = None
) -> list[TimelineEntry]:
    """Everything that happened to *case*, oldest first, each entry only as far as *actor* may
    see it: nothing below level 1; texts at level 2 (see mda.access.can_read_event_text)."""
    level = case.access_level
    if level < AccessLevel.PROCESS:
        return []
    entries, read = _event_entries(actor, case)
    entries += _participation_entries(case)
    entries += _note_entries(actor, case)
    if level >= AccessLevel.FULL:
        entries += _score_entries(scores_of(case) if scores is None else scores)
    if read:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="case_event",
            case=case,
            detail={"event_ids": read},
        )
    return sorted(entries, key=lambda e: e.at)


# --- The lifecycle of one case -----------------------------------------------------------------


@dataclass
class ReferralView:
    referral: Referral
    criteria: list[str]
    partners: list[str]
    goal: str | None = None
    not_informed_reason: str = ""
    not_informed_explanation: str | None = None
    risk_assessments: list[RiskAssessment] = field(default_factory=list)


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
        return _phase_label(self.case.safety_phase)


def _referral_view(case: Case, level: int) -> tuple[ReferralView | None, list[str]]:
    """Below level 2 only the ticked criteria: why the family was not told, or which partners
    were involved, can reveal a criminal investigation."""
    referral = Referral.objects.filter(case=case).first()
    if referral is None:
        return None, []
    view = ReferralView(
        referral=referral,
        criteria=[str(Criterion(c).label) for c in referral.criteria if c in Criterion.values],
        partners=[],
    )
    if level < AccessLevel.FULL:
        return view, []
    view.partners = [o.name for o in referral.partners_involved.order_by("name")]
    if referral.not_informed_reason:
        view.not_informed_reason = str(NotInformedReason(referral.not_informed_reason).label)
    view.goal = crypto.unseal(referral, "goal_ct", case.data_key)
    if referral.not_informed_explanation_ct is not None:
        view.not_informed_explanation = crypto.unseal(
            referral, "not_informed_explanation_ct", case.data_key
        )
    view.risk_assessments = list(
        RiskAssessment.objects.filter(case=case).select_related("assessor_organisation")
    )
    return view, ["referral"]


def _plan(case: Case, level: int) -> tuple[CasePlan | None, str | None]:
    plan = CasePlan.objects.filter(case=case).select_related("updated_by").first()
    if plan is None or level < AccessLevel.FULL:
        return plan, None
    return plan, crypto.unseal(plan, "safety_goals_ct", case.data_key)


def lifecycle_view(*, actor: User, case: Case, with_timeline: bool = True) -> LifecycleView:
    """The life of *case* (from access.access_case) as *actor* may see it; decrypted reads are
    recorded in the audit trail."""
    level = case.access_level  # annotated by mda.access
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
    view.referral, read = _referral_view(case, level)
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


def director_candidates(*, case: Case) -> QuerySet[User]:
    """Professionals of the organisations that take part in *case* at level 2."""
    full = Participation.objects.active().filter(case=case, level=AccessLevel.FULL)
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.PROFESSIONAL,
            memberships__organisation__participations__in=full,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
