"""Reads of subject access: the privacy officer's view of a request while it is prepared, the
coordinator's review of one case, and the released report.

Only the released report holds the person's data (identity as held, the reason for the referral);
before release the privacy officer and the coordinators see references, labels, organisations and
the withholdings. Every read is recorded in the audit trail of the cases concerned.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from casework.models import (
    AccessLevel,
    Case,
    Identity,
    LegalBasis,
    Participation,
    SubjectAccessItem,
    SubjectAccessRequest,
    SubjectAccessStatus,
    Withholding,
)
from mda import crypto
from mda.access import supervised_regions
from mda.audit import audit_record
from mda.errors import Conflict
from mda.models import AuditAction, Organisation, User


@dataclass
class Recipient:
    """What one organisation received of a case: a weegmoment's level, basis and dates."""

    organisation: Organisation
    level: int
    legal_basis: str
    since: datetime
    until: datetime | None

    @property
    def level_label(self) -> str:
        return str(AccessLevel(self.level).label)

    @property
    def legal_basis_label(self) -> str:
        return str(LegalBasis(self.legal_basis).label)


@dataclass
class WithholdingView:
    withholding: Withholding
    explanation: str


@dataclass
class ItemView:
    item: SubjectAccessItem
    recipients: list[Recipient]
    withholdings: list[WithholdingView]

    @property
    def case(self) -> Case:
        return self.item.case

    @property
    def withheld_whole(self) -> bool:
        return any(w.withholding.organisation_id is None for w in self.withholdings)


@dataclass
class ReportCase:
    """One case in the released report: what is held about the person and who received it."""

    case: Case
    label: str
    role: str
    identity: dict[str, Any]
    reason: str
    recipients: list[Recipient] = field(default_factory=list)


def recipients_of(case: Case) -> list[Recipient]:
    """Every weegmoment of *case* (the history included), oldest first."""
    rows = Participation.objects.filter(case=case).select_related("organisation")
    return [
        Recipient(
            organisation=p.organisation,
            level=p.level,
            legal_basis=p.legal_basis,
            since=p.decided_at,
            until=p.revoked_at or p.expires_at,
        )
        for p in rows.order_by("decided_at")
    ]


def _item_view(item: SubjectAccessItem) -> ItemView:
    key = item.case.data_key
    withholdings = [
        WithholdingView(w, crypto.unseal(w, "explanation_ct", key))
        for w in item.withholdings.select_related("organisation", "decided_by")
    ]
    return ItemView(item=item, recipients=recipients_of(item.case), withholdings=withholdings)


def _items(request: SubjectAccessRequest) -> QuerySet[SubjectAccessItem]:
    return request.items.select_related(
        "case__region", "case__data_key", "member", "confirmed_by"
    ).order_by("case__reference")


def subject_access_request_view(*, actor: User, request: SubjectAccessRequest) -> list[ItemView]:
    """A request (from ``access_subject_access_request``) as its privacy officer prepares it:
    no identity data, no case content; withholdings with their explanation. Read recorded."""
    views = [_item_view(item) for item in _items(request)]
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="subject_access_request",
        object_id=str(request.pk),
        cases=[v.case for v in views],
        region=None if views else supervised_regions(actor).first(),
    )
    return views


def subject_access_review_view(*, actor: User, item: SubjectAccessItem) -> ItemView:
    """One case of a request for its coordinator (from ``access_subject_access_review``)."""
    view = _item_view(item)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="subject_access_item",
        object_id=str(item.pk),
        case=item.case,
    )
    return view


def _identity(identity: Identity | None, case: Case) -> dict[str, Any]:
    """The identity as held; the date of birth as a date, so the page shows it in words."""
    data: dict[str, Any] = {}
    if identity is not None:
        for attr in ("name", "bsn", "date_of_birth", "address"):
            if getattr(identity, f"{attr}_ct") is not None:
                data[attr] = crypto.unseal(identity, f"{attr}_ct", case.data_key)
    if data.get("date_of_birth"):
        with contextlib.suppress(ValueError):  # otherwise shown as held
            data["date_of_birth"] = date.fromisoformat(data["date_of_birth"])
    return data


def subject_access_report(
    *, actor: User, request: SubjectAccessRequest, download: bool = False
) -> list[ReportCase]:
    """The released report: per case not withheld, the person's data as held and what each
    organisation not withheld received. 409 before release. Recorded as a disclosure read."""
    if request.status != SubjectAccessStatus.RELEASED:
        raise Conflict(_("The report is not released yet."))
    report = []
    for view in (_item_view(item) for item in _items(request)):
        if view.withheld_whole:
            continue
        withheld = {w.withholding.organisation_id for w in view.withholdings}
        case, member = view.case, view.item.member
        report.append(
            ReportCase(
                case=case,
                label=member.label,
                role=str(member.get_role_display()),
                identity=_identity(Identity.objects.filter(member=member).first(), case),
                reason=crypto.unseal(case, "reason_ct", case.data_key),
                recipients=[r for r in view.recipients if r.organisation.pk not in withheld],
            )
        )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT if download else AuditAction.VIEW,
        object_type="subject_access_report",
        object_id=str(request.pk),
        cases=[r.case for r in report],
        region=None if report else supervised_regions(actor).first(),
    )
    return report
