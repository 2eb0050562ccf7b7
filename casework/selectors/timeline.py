"""The case timeline as a viewer may see it: process entries from level 1, the why from level 2,
bekendheid and repeats for coordinators only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import access
from casework.models import (
    AccessLevel,
    Case,
    CaseEvent,
    CaseStatus,
    CheckInOutcome,
    EventKind,
    Participation,
    RiskAssessment,
    SafetyPhase,
    SafetyScore,
)
from casework.selectors.risk import risk_assessments_of
from casework.selectors.scores import scores_of
from casework.transitions import TRANSITIONS
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, User

# What a timeline entry is about: the events of casework.models.EventKind, and entries made from
# participations, notes and Signs of Safety readings.
TIMELINE_KINDS = [
    *EventKind.choices,
    ("participation", gettext_lazy("Takes part")),
    ("participation_revoked", gettext_lazy("No longer takes part")),
    ("note", gettext_lazy("Note")),
    ("score", gettext_lazy("Signs of Safety reading")),
    ("risk_assessment", gettext_lazy("Risk-instrument outcome")),
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
        text = _("Safety phase: %(from)s → %(to)s") % {
            "from": phase_label(d.get("from")),
            "to": phase_label(d.get("to")),
        }
        if d.get("cause") == "accept":
            text += " — " + _("set when the case was accepted")
        return text
    if event.kind == EventKind.CHECK_IN:
        outcome = d.get("outcome")
        label = CheckInOutcome(outcome).label if outcome in CheckInOutcome.values else ""
        return _("Check-in after %(n)s months: %(outcome)s") % {
            "n": d.get("months_after"),
            "outcome": label,
        }
    return str(EventKind(event.kind).label)


def phase_label(value: Any) -> str:
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
    """Who takes part from when, at which level; a new weegmoment that supersedes an older one
    is one entry (the change), not an ending and a start."""
    rows = list(Participation.objects.filter(case=case).select_related("organisation"))
    by_id = {p.pk: p for p in rows}
    superseded = {p.supersedes_id for p in rows if p.supersedes_id}
    entries = []
    for p in rows:
        org = p.organisation.name
        before = by_id.get(p.supersedes_id) if p.supersedes_id else None
        if before is not None:
            summary = _("%(org)s: new weegmoment, information level %(from)d → %(to)d") % {
                "org": org,
                "from": before.level,
                "to": p.level,
            }
            entries.append(TimelineEntry(at=p.decided_at, kind="participation", summary=summary))
        else:
            summary = _("%(org)s takes part at information level %(level)d") % {
                "org": org,
                "level": p.level,
            }
            entries.append(TimelineEntry(at=p.decided_at, kind="participation", summary=summary))
        if p.revoked_at and p.pk not in superseded:
            entries.append(
                TimelineEntry(
                    at=p.revoked_at,
                    kind="participation_revoked",
                    summary=_("%(org)s no longer takes part") % {"org": org},
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
    return access.notes_of_case_visible_to(actor, case).select_related(
        "author", "author_organisation"
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
                "date": date_format(s.scored_on),
            },
        )
        for s in scores
    ]


def _risk_entries(risks: list[RiskAssessment]) -> list[TimelineEntry]:
    """Outcomes recorded after the referral (those given with it are the referral's)."""
    return [
        TimelineEntry(
            at=r.recorded_at,
            kind="risk_assessment",
            summary=_("%(instrument)s by %(org)s, dated %(date)s: %(outcome)s")
            % {
                "instrument": r.get_instrument_display(),
                "org": r.assessor_organisation.name,
                "date": r.assessed_on.strftime("%d-%m-%Y"),
                "outcome": r.get_outcome_display(),
            },
        )
        for r in risks
        if not r.at_referral
    ]


def timeline(
    *,
    actor: User,
    case: Case,
    scores: list[SafetyScore] | None = None,
    risks: list[RiskAssessment] | None = None,
) -> list[TimelineEntry]:
    """Everything that happened to *case*, oldest first, each entry only as far as *actor* may
    see it: nothing below level 1; texts at level 2 (see casework.access.can_read_event_text)."""
    level = case.access_level
    if level < AccessLevel.PROCESS:
        return []
    entries, read = _event_entries(actor, case)
    entries += _participation_entries(case)
    entries += _note_entries(actor, case)
    if level >= AccessLevel.FULL:
        entries += _score_entries(scores_of(case) if scores is None else scores)
    if access.can_read_risk_assessments(actor, case):
        entries += _risk_entries(risk_assessments_of(case) if risks is None else risks)
    if read:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="case_event",
            case=case,
            detail={"event_ids": read},
        )
    return sorted(entries, key=lambda e: e.at)
