"""Reads of participation: the participants of a case with their history, each weegmoment's
written justification for those who may read it (the read recorded), and the partners the
referrer named as suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from casework import access
from casework.models import Case, Participation, Referral
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, Organisation, User


def participation_of_case(*, case: Case, participation_id: Any) -> Participation:
    from django.http import Http404

    participation = (
        case.participations.select_related("organisation").filter(pk=participation_id).first()
    )
    if participation is None:
        raise Http404
    participation.case = case  # keep the access annotations the services check
    return participation


@dataclass
class ParticipationView:
    """One weegmoment as a reader may see it: the justification only when readable."""

    participation: Participation
    superseded_at: datetime | None = None
    revoked_at: datetime | None = None
    readable: bool = False
    purpose: str | None = None
    necessity: str | None = None
    legal_basis_other: str | None = None

    @property
    def active(self) -> bool:
        expires = self.participation.expires_at
        return self.participation.revoked_at is None and (
            expires is None or expires > timezone.now()
        )


def _unsealed(p: Participation, key: Any) -> dict[str, str]:
    other = p.legal_basis_other_ct
    return {
        "purpose": crypto.unseal(p, "purpose_ct", key),
        "necessity": crypto.unseal(p, "necessity_ct", key),
        "legal_basis_other": crypto.unseal(p, "legal_basis_other_ct", key) if other else "",
    }


def participations_for_case(
    *, actor: User, case: Case, only: Any = None
) -> list[ParticipationView]:
    """Every weegmoment of *case* (from ``access.access_case``, level 1 or more), oldest first,
    superseded and revoked ones included; the justification decrypted where *actor* may read it
    (``access.can_read_weegmoment``), and that read recorded. *only* narrows to one participation
    id."""
    every = case.participations.select_related("organisation", "decided_by").order_by(
        "decided_at", "pk"
    )
    rows = list(every if only is None else every.filter(pk=only))
    if (
        only is None
    ):  # every weegmoment of the case is read anyway: which were superseded is in them
        superseded = {p.supersedes_id for p in rows if p.supersedes_id is not None}
    else:
        superseded = set(
            Participation.objects.filter(case=case, supersedes__isnull=False).values_list(
                "supersedes_id", flat=True
            )
        )
    own = access.partner_organisation_ids(actor)
    views, read = [], []
    for p in rows:
        ended = p.revoked_at
        view = ParticipationView(
            participation=p,
            superseded_at=ended if p.pk in superseded else None,
            revoked_at=ended if p.pk not in superseded else None,
            readable=access.can_read_weegmoment(actor, case, p, own),
        )
        if view.readable:
            for name, text in _unsealed(p, case.data_key).items():
                setattr(view, name, text)
            read.append(str(p.pk))
        views.append(view)
    if read:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="weegmoment",
            case=case,
            detail={"participation_ids": read},
        )
    return views


def suggested_organisations(*, case: Case) -> QuerySet[Organisation]:
    """The partners the referrer said are involved, that take no part in *case* yet: the first
    candidates for a weegmoment (coordinators only: which partners were involved is level-2
    content)."""
    referral = Referral.objects.filter(case=case).first()
    if referral is None:
        return Organisation.objects.none()
    taking_part = Participation.objects.active().filter(case=case).values("organisation_id")
    return (
        referral.partners_involved.filter(region_id=case.region_id)
        .exclude(pk__in=taking_part)
        .order_by("name")
    )
