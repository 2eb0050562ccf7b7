"""Reads of agreements. Lists carry no description; the plaintext comes only from here, for one
agreement or one case at a time, and every such read is recorded in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from casework import access
from casework.models import (
    AccessLevel,
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementStatus,
    Case,
    Participation,
)
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, Membership, Organisation, OrganisationKind, User


def agreement_list(
    *, actor: User, case: Any = None, mine: bool = False, status: str | None = None
) -> QuerySet[Agreement]:
    """Agreements *actor* may see, open first, then by due date. *mine*: those of the actor's own
    organisations (the owner's work list), the actor's own first."""
    qs = (
        access.agreements_visible_to(actor)
        if case is None
        else access.agreements_of_case_visible_to(actor, case)
    ).select_related("case__region", "case__data_key", "owner_organisation", "owner")
    if mine:
        qs = qs.filter(Q(as_owner=True))  # an access annotation
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        open_first=DbCase(
            When(status=AgreementStatus.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        own_first=DbCase(
            When(owner=actor, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    ).order_by("open_first", "own_first", "due_date", "created_at")


@dataclass
class AgreementView:
    agreement: Agreement
    description: str
    reason: str | None = None
    events: list[AgreementEvent] = field(default_factory=list)
    notices: list[Any] = field(default_factory=list)

    @property
    def can_resolve(self) -> bool:
        a = self.agreement
        return a.is_open and bool(a.as_coordinator or a.as_owner)

    @property
    def can_manage(self) -> bool:
        return self.agreement.as_coordinator

    @property
    def overdue(self) -> bool:
        return self.agreement.is_open and self.agreement.due_date < timezone.localdate()


def _plaintext(agreement: Agreement) -> tuple[str, str | None]:
    key = agreement.case.data_key
    description = crypto.unseal(agreement, "description_ct", key)
    reason = None
    if agreement.resolution_reason_ct:
        reason = crypto.unseal(agreement, "resolution_reason_ct", key)
    return description, reason


def _record_read(actor: User, case: Any, agreements: list[Agreement]) -> None:
    if agreements:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="agreement",
            case=case,
            detail={"agreement_ids": [str(a.pk) for a in agreements]},
        )


def descriptions_of(*, actor: User, agreements: list[Agreement]) -> dict[Any, str]:
    """What was agreed, for a page of agreements from ``agreement_list`` (each one *actor* may
    read): decrypted for those rows only, the read recorded once per case."""
    texts: dict[Any, str] = {}
    by_case: dict[Any, list[Agreement]] = {}
    for agreement in agreements:
        texts[agreement.pk] = crypto.unseal(agreement, "description_ct", agreement.case.data_key)
        by_case.setdefault(agreement.case_id, []).append(agreement)
    for rows in by_case.values():
        _record_read(actor, rows[0].case, rows)
    return texts


def agreement_view(*, actor: User, agreement: Agreement) -> AgreementView:
    """One agreement (from access.access_agreement) with its text, history and its escalation
    notices; the read is recorded. A notice is visible to whoever sees its agreement
    (scheduling.access), so the agreement's own notices are exactly those *actor* may see."""
    description, reason = _plaintext(agreement)
    view = AgreementView(
        agreement=agreement,
        description=description,
        reason=reason,
        events=list(agreement.events.select_related("actor", "actor_organisation")),
        notices=list(agreement.escalation_notices.order_by("-due_at")),
    )
    _record_read(actor, agreement.case, [agreement])
    return view


def agreements_for_case(*, actor: User, case: Any) -> list[AgreementView]:
    """The agreements of *case* that *actor* may see, with their text (one recorded read)."""
    agreements = list(agreement_list(actor=actor, case=case).select_related("case__data_key"))
    views = []
    for agreement in agreements:
        description, reason = _plaintext(agreement)
        views.append(AgreementView(agreement=agreement, description=description, reason=reason))
    _record_read(actor, case, agreements)
    return views


def agreement_counts(*, actor: User) -> dict[str, int]:
    """Open and overdue agreements of the actor's own organisations (home page, my agreements)."""
    today = timezone.localdate()
    mine = access.agreements_visible_to(actor).filter(Q(as_owner=True), status=AgreementStatus.OPEN)
    return {
        "open": mine.count(),
        "overdue": mine.filter(Q(due_date__lt=today)).count(),
    }


def agreement_owner_organisations(case: Case) -> Any:
    """Who may own an agreement of *case*: organisations taking part at level 1 or more, and the
    region's safety house (the coordinators' own agreements)."""
    taking_part = (
        Participation.objects.active()
        .filter(case=case, level__gte=AccessLevel.PROCESS)
        .values("organisation_id")
    )
    return Organisation.objects.filter(region_id=case.region_id).filter(
        pk__in=taking_part
    ) | Organisation.objects.filter(region_id=case.region_id, kind=OrganisationKind.SAFETY_HOUSE)


def agreement_owner_memberships(case: Case) -> QuerySet[Membership]:
    """Who may own an agreement of *case*, each with the organisation they would own it for."""
    return Membership.objects.filter(
        user__is_active=True,
        organisation__in=agreement_owner_organisations(case),
        role__in=access.AGREEMENT_OWNER_ROLES,
    )


def agreement_owner_candidates(organisation: Organisation) -> Any:
    """People who may own an agreement of *organisation*."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation=organisation,
        memberships__role__in=access.AGREEMENT_OWNER_ROLES,
    ).distinct()


def agreements_reviewed_in(
    *, agreements: QuerySet[Agreement], meeting_id: Any
) -> list[tuple[Agreement, AgreementEvent]]:
    """The agreements among *agreements* (a scoped queryset) reviewed in the meeting
    *meeting_id*, each with the history entry of its outcome (resolved, or continued with a new
    due date)."""
    events = (
        AgreementEvent.objects.filter(
            agreement__in=agreements,
            kind__in=[AgreementEventKind.RESOLVED, AgreementEventKind.RESCHEDULED],
            detail__meeting=str(meeting_id),
        )
        .select_related("agreement__owner_organisation")
        .order_by("at")
    )
    return [(event.agreement, event) for event in events]
