"""Reads of the case register. Plaintext comes only from here, and every read is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from casework import access
from casework.models import AccessLevel, Case, HouseholdMember, Identity, Note, Participation
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, AuditEvent, User


def case_list(*, actor: User) -> QuerySet[Case]:
    return (
        access.cases_visible_to(actor)
        .select_related("region", "referring_organisation")
        .order_by("-created_at")
    )


@dataclass
class NoteView:
    note: Note
    body: str


@dataclass
class KnownElsewhere:
    reference: str
    region: str
    same_region: bool


@dataclass
class CaseView:
    case: Case
    level: int
    as_coordinator: bool
    reason: str | None = None
    members: list[HouseholdMember] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)
    known_elsewhere: list[KnownElsewhere] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(AccessLevel(self.level).label)


def case_view(*, actor: User, case: Case) -> CaseView:
    """What *actor* may see of *case* (from access.access_case), with the read recorded."""
    # Annotations of mda.access.cases_visible_to (access_case always goes through it).
    view = CaseView(
        case=case,
        level=case.access_level,
        as_coordinator=case.as_coordinator,
    )
    if view.level >= AccessLevel.PROCESS:
        view.participations = list(
            case.participations.select_related("organisation", "decided_by").order_by("decided_at")
        )
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


def notes_for_case(*, actor: User, case: Case) -> list[NoteView]:
    notes = list(
        access.notes_visible_to(actor)
        .filter(case=case)
        .select_related("author", "author_organisation")
        .order_by("created_at")
    )
    result = [NoteView(note=n, body=crypto.unseal(n, "body_ct", case.data_key)) for n in notes]
    if notes:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="note",
            case=case,
            detail={"note_ids": [str(n.pk) for n in notes]},
        )
    return result


def known_elsewhere(*, case: Case) -> list[KnownElsewhere]:
    """Bekendheid: other cases with a household member whose blind index matches.

    Same region: the reference. Another region: only that the person is known there.
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


def access_log(*, actor: User, case: Case) -> QuerySet[AuditEvent]:
    """Who looked at what in *case*, and when: for the privacy officer (metadata only)."""
    events = AuditEvent.objects.filter(case_reference=case.reference, region_slug=case.region.slug)
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


def participation_of_case(*, case: Case, participation_id: Any) -> Participation:
    from django.http import Http404

    participation = (
        case.participations.select_related("organisation").filter(pk=participation_id).first()
    )
    if participation is None:
        raise Http404
    participation.case = case  # keep the access annotations the services check
    return participation


def case_for_write(*, actor: User, case_id: Any) -> Case:
    return access.access_case(actor, case_id, write=True)


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
