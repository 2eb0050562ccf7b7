"""Reads of the escalation ladder and its notices. Every list starts from the access policy
(``scheduling.access.escalation_notices_visible_to``); a manual escalation's reason is decrypted
only here and only for coordinators and level-2 partners, with the read recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from casework.access import agreements_visible_to
from casework.models import Agreement, AgreementStatus
from mda import crypto
from mda.access import regions_coordinated_by
from mda.audit import audit_record
from mda.models import AuditAction, Region, User
from scheduling import access
from scheduling.models import EscalationNotice, EscalationRecipient, Ladder, NoticeStatus
from scheduling.models.escalation import rung_label


def _with_my_acknowledgement(qs: QuerySet[EscalationNotice], actor: User) -> Any:
    mine = EscalationRecipient.objects.filter(notice=OuterRef("pk"), user=actor)
    # As a mapping: the names are declared on the model (EscalationNotice.my_acknowledged_at).
    mine_values = {
        "my_acknowledged_at": Subquery(mine.values("notification__acknowledged_at")[:1]),
        "my_notification": Subquery(mine.values("notification__uuid")[:1]),
    }
    return qs.annotate(**mine_values)


def notices_visible(*, actor: User) -> Any:
    qs = access.escalation_notices_visible_to(actor).select_related(
        "case__region", "agreement", "organisation"
    )
    return _with_my_acknowledgement(qs, actor)


def escalations_addressed_to(*, actor: User, open_only: bool = True) -> Any:
    """The notices sent to *actor* (the "open escalations" page). Open: the agreement is still
    open, or, for a manual escalation, the actor has not acknowledged it yet."""
    qs = notices_visible(actor=actor).filter(as_recipient=True, status=NoticeStatus.SENT)
    if open_only:
        still_open = Exists(
            Agreement.objects.filter(
                pk=OuterRef("agreement_id"),
                status=AgreementStatus.OPEN,
                ladder_round=OuterRef("ladder_round"),
            )
        )
        qs = qs.filter(
            (Q(manual=False) & still_open) | (Q(manual=True) & Q(my_acknowledged_at__isnull=True))
        )
    return qs.order_by("-sent_at")


def notices_of_agreement(*, actor: User, agreement: Agreement) -> list[EscalationNotice]:
    return list(notices_visible(actor=actor).filter(agreement=agreement).order_by("-due_at"))


def escalation_history(*, actor: User, case: Any) -> list[EscalationNotice]:
    """The case page's escalation history: what *actor* may see of it, newest first."""
    notices = access.escalation_notices_of_case_visible_to(
        actor,
        case,
        EscalationNotice.objects.select_related("case__region", "agreement", "organisation")
        .exclude(status=NoticeStatus.CANCELLED)
        .order_by("-due_at", "-rung_number"),
    )
    received = [n.pk for n in notices if n.as_recipient]
    if received:
        mine = EscalationRecipient.objects.filter(notice__in=received, user=actor)
        acknowledgements = {
            notice: (acknowledged_at, notification)
            for notice, acknowledged_at, notification in mine.values_list(
                "notice_id", "notification__acknowledged_at", "notification__uuid"
            )
        }
        for notice in notices:
            notice.my_acknowledged_at, notice.my_notification = acknowledgements.get(
                notice.pk, (None, None)
            )
    return notices


@dataclass
class EscalationView:
    notice: EscalationNotice
    reason: str | None = None
    recipients: list[Any] = field(default_factory=list)

    @property
    def can_acknowledge(self) -> bool:
        notice = self.notice
        return notice.as_recipient and not notice.my_acknowledged_at


def escalation_view(*, actor: User, notice_id: Any) -> EscalationView:
    """One notice as *actor* may see it (404 otherwise). Recipients see reference, rung, due date
    and a link; the reason of a manual escalation only coordinators and level-2 partners."""
    notice = access.access_escalation_notice(actor, notice_id)
    if notice.as_recipient:
        mine = EscalationRecipient.objects.filter(notice=notice, user=actor)
        notice.my_acknowledged_at, notice.my_notification = mine.values_list(
            "notification__acknowledged_at", "notification__uuid"
        ).first() or (None, None)
    view = EscalationView(notice=notice)
    if notice.reason_visible:
        view.recipients = list(notice.deliveries.select_related("user", "notification"))
        if notice.reason_ct:
            view.reason = crypto.unseal(notice, "reason_ct", notice.case.data_key)
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type="escalation",
                object_id=str(notice.pk),
                case=notice.case,
            )
    return view


# --- The region overview (coordinators) -------------------------------------------------------


@dataclass
class RegionOverview:
    region: Region
    open: int
    overdue: int
    due_this_week: int
    by_rung: list[tuple[int, str, int]]  # rung number, name, open agreements that reached it
    overdue_agreements: Sequence[Agreement]
    manual: list[EscalationNotice]
    fallbacks: int  # notices that found nobody on their rung and went to the coordinators


def region_overview(*, actor: User, region_slug: str) -> RegionOverview:
    """Agreements and escalations of one region, for its coordinators (404 for anyone else)."""
    region = regions_coordinated_by(actor).filter(slug=region_slug).first()
    if region is None:
        raise Http404
    today = timezone.localdate()
    open_qs = agreements_visible_to(actor).filter(case__region=region, status=AgreementStatus.OPEN)
    reached = (
        EscalationNotice.objects.filter(
            agreement=OuterRef("pk"),
            ladder_round=OuterRef("ladder_round"),
            status=NoticeStatus.SENT,
        )
        .order_by("-rung_number")
        .values("rung_number")[:1]
    )
    overdue = list(
        open_qs.filter(due_date__lt=today)
        .annotate(rung_reached=Subquery(reached))
        .select_related("case", "owner_organisation")
        .order_by("due_date")[:200]
    )
    notices = EscalationNotice.objects.filter(case__region=region)
    return RegionOverview(
        region=region,
        open=open_qs.count(),
        overdue=open_qs.filter(due_date__lt=today).count(),
        due_this_week=open_qs.filter(due_date__gte=today, due_date__lte=_week_end(today)).count(),
        by_rung=_by_rung(open_qs, reached),
        overdue_agreements=overdue,
        manual=list(
            notices.filter(manual=True)
            .select_related("case", "raised_by")
            .order_by("-created_at")[:50]
        ),
        fallbacks=EscalationRecipient.objects.filter(notice__case__region=region, fallback=True)
        .values("notice")
        .distinct()
        .count(),
    )


def _week_end(today: date) -> date:
    return today + timedelta(days=6 - today.weekday())


def _by_rung(open_qs: Any, reached: Any) -> list[tuple[int, str, int]]:
    rows = (
        open_qs.annotate(rung_reached=Subquery(reached))
        .filter(rung_reached__isnull=False)
        .values("rung_reached")
        .annotate(n=Count("pk"))
        .order_by("rung_reached")
    )
    names = {
        number: rung_label(name, name_en)
        for number, name, name_en in EscalationNotice.objects.filter(
            agreement__in=open_qs.values("pk")
        )
        .values_list("rung_number")
        .annotate(name=Max("rung_name"), name_en=Max("rung_name_en"))
    }
    return [(row["rung_reached"], names.get(row["rung_reached"], ""), row["n"]) for row in rows]


def ladders_for(*, actor: User) -> list[Ladder]:
    """The ladders of the actor's regions, with their rungs (configuration, no case content)."""
    return list(
        access.ladders_visible_to(actor)
        .select_related("region")
        .prefetch_related("rungs__users", "rungs__organisation")
    )
