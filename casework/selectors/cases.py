"""Reads of the case register. Plaintext comes only from here, and every read is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from casework import access
from casework.models import AccessLevel, Case, HouseholdMember
from casework.selectors.notes import NoteView, notes_for_case
from casework.selectors.participation import ParticipationView, participations_for_case
from casework.selectors.referral import KnownElsewhere, known_elsewhere
from mda import crypto
from mda.audit import audit_events_of_case, audit_record
from mda.models import AuditAction, AuditEvent, User


def case_list(*, actor: User) -> QuerySet[Case]:
    return (
        access.cases_visible_to(actor)
        .select_related("region", "referring_organisation")
        .order_by("-created_at")
    )


@dataclass
class CaseView:
    case: Case
    level: int
    as_coordinator: bool
    reason: str | None = None
    members: list[HouseholdMember] = field(default_factory=list)
    participations: list[ParticipationView] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)
    known_elsewhere: list[KnownElsewhere] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(AccessLevel(self.level).label)


def case_view(*, actor: User, case: Case) -> CaseView:
    """What *actor* may see of *case* (from access.access_case), with the read recorded."""
    # Annotations of casework.access.cases_visible_to (access_case always goes through it).
    view = CaseView(
        case=case,
        level=case.access_level,
        as_coordinator=case.as_coordinator,
    )
    if view.level >= AccessLevel.PROCESS:
        view.participations = participations_for_case(actor=actor, case=case)
    if view.level >= AccessLevel.FULL:
        view.reason = crypto.unseal(case, "reason_ct", case.data_key)
        view.members = list(case.members.all())
        view.notes = notes_for_case(actor=actor, case=case)
    if view.as_coordinator:
        view.known_elsewhere = known_elsewhere(case=case)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="case",
        object_id=str(case.pk),
        case=case,
        detail={"level": view.level},
    )
    return view


def access_log(*, actor: User, case: Case) -> QuerySet[AuditEvent]:
    """Who looked at what in *case*, and when: for the privacy officer (metadata only)."""
    events = audit_events_of_case(reference=case.reference, region_slug=case.region.slug)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="access_log",
        case=case,
    )
    return events.order_by("-occurred_at", "-id")


def member_of_case(*, case: Case, member_id: Any) -> HouseholdMember:
    from django.http import Http404

    member = case.members.filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


@dataclass
class RevealView:
    revealed_at: Any
    revealed_by: str
    member_label: str
    reason: str


def reveals_for_case(*, actor: User, case: Case) -> list[RevealView]:
    """Identity reveals in *case* with their reasons, for the privacy officer (read recorded)."""
    from casework.models import IdentityReveal

    rows = IdentityReveal.objects.filter(case=case).select_related("revealed_by", "member")
    key = case.data_key
    result = [
        RevealView(
            revealed_at=r.revealed_at,
            revealed_by=r.revealed_by.get_full_name() or r.revealed_by.get_username(),
            member_label=r.member.label,
            reason=crypto.unseal(r, "justification_ct", key),
        )
        for r in rows
    ]
    if result:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="reveal_reasons",
            case=case,
        )
    return result
