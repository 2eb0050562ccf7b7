"""Reads of risk-instrument outcomes: the history of a case and, per instrument, the trend (the
latest outcome beside the one before). Level-2 content; the caller checks access
(``casework.access.can_read_risk_assessments``) and records the read."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from casework.models import Case, Participation, RiskAssessment, RiskOutcome
from casework.transitions import ACTIVE, PENDING_TRIAGE
from mda.audit import audit_record
from mda.models import AuditAction, Organisation, User

# Outcomes are recorded from the referral until the case ends (closed, or an exit of triage).
RISK_STATUSES = (*PENDING_TRIAGE, *ACTIVE)
_SEVERITY = {value: rank for rank, value in enumerate(RiskOutcome.values)}


@dataclass
class RiskTrend:
    """The latest outcome of one instrument, and how it moved since the one before."""

    latest: RiskAssessment
    previous: RiskAssessment | None = None

    @property
    def direction(self) -> str:
        """'up' (more risk), 'down', 'same', or '' for a first outcome."""
        if self.previous is None:
            return ""
        change = _SEVERITY[self.latest.outcome] - _SEVERITY[self.previous.outcome]
        return "up" if change > 0 else "down" if change < 0 else "same"


@dataclass
class RiskHistory:
    rows: list[RiskAssessment] = field(default_factory=list)  # newest first
    trends: list[RiskTrend] = field(default_factory=list)  # per instrument, latest first


def risk_assessments_of(case: Case) -> list[RiskAssessment]:
    """Every outcome of *case*, oldest first (by date of assessment, then of recording)."""
    return list(
        RiskAssessment.objects.filter(case=case)
        .select_related("assessor_organisation", "recorded_organisation")
        .order_by("assessed_on", "recorded_at", "pk")
    )


def risk_assessments_for(*, actor: User, case: Case) -> list[RiskAssessment]:
    """The outcomes of *case* for *actor* (who may read them), with the read recorded."""
    rows = risk_assessments_of(case)
    if rows:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="risk_assessment",
            case=case,
            detail={"count": len(rows)},
        )
    return rows


def risk_history(case: Case, rows: list[RiskAssessment] | None = None) -> RiskHistory:
    rows = risk_assessments_of(case) if rows is None else rows
    by_instrument: dict[str, list[RiskAssessment]] = {}
    for row in rows:
        by_instrument.setdefault(row.instrument, []).append(row)
    trends = [
        RiskTrend(latest=series[-1], previous=series[-2] if len(series) > 1 else None)
        for series in by_instrument.values()
    ]
    trends.sort(key=lambda t: (t.latest.assessed_on, t.latest.recorded_at), reverse=True)
    return RiskHistory(rows=rows[::-1], trends=trends)


def risk_assessor_organisations(*, case: Case) -> QuerySet[Organisation]:
    """Who can be the assessor of a new outcome: the organisations taking part in *case*."""
    return Organisation.objects.filter(
        participations__in=Participation.objects.active().filter(case=case)
    ).order_by("name")
