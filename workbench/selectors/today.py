"""The start page ("Vandaag"): what needs the signed-in person today, per role.

Every list and count starts from the access rules of its subject (``casework.access``,
``scheduling.access``): a count is never taken over rows the person may not see. Each list shows
the most urgent few, with the count of all and a link to where they are handled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from casework import access as case_access
from casework import selectors as case_selectors
from casework.models import AgreementStatus, Participation
from mda.access import meeting_regions_of, roles_of
from mda.models import Role, User
from scheduling import access as meeting_access
from scheduling import selectors as meeting_selectors
from scheduling.models import AgendaItem, EscalationNotice, Meeting, MeetingStatus, NoticeStatus

SHOWN = 8  # rows per list; the count and the link give the rest
EXPIRY_WINDOW = timedelta(days=14)
MEETINGS_AHEAD = timedelta(days=14)
NOTES_SINCE = timedelta(days=7)
REVEALS_SINCE = timedelta(days=30)
CHECK_INS_AHEAD = timedelta(days=7)

T = TypeVar("T")


@dataclass
class Listing(Generic[T]):
    count: int
    rows: list[T]

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


def _listing(qs: QuerySet[Any]) -> Listing[Any]:
    rows = list(qs[:SHOWN])
    count = len(rows) if len(rows) < SHOWN else qs.count()
    return Listing(count=count, rows=rows)


@dataclass
class MeetingPreparation:
    meeting: Meeting
    slots: int
    planned_minutes: int

    @property
    def full(self) -> bool:
        return self.planned_minutes >= self.meeting.duration_minutes


@dataclass
class Today:
    roles: set[str]
    today: date
    triage: Listing[Any] | None = None
    agreements_attention: Listing[Any] | None = None
    expiring: Listing[Participation] | None = None
    meetings: list[MeetingPreparation] | None = None
    check_ins: Listing[Any] | None = None
    escalations: Listing[EscalationNotice] | None = None
    my_agreements: Listing[Any] | None = None
    my_overdue: int = 0
    my_slots: Listing[AgendaItem] | None = None
    new_notes: Listing[Any] | None = None
    reveals: Listing[Any] | None = None
    links: list[str] = field(default_factory=list)

    @property
    def coordinator(self) -> bool:
        return Role.COORDINATOR in self.roles

    @property
    def policy_officer(self) -> bool:
        return Role.POLICY_OFFICER in self.roles

    @property
    def partner(self) -> bool:
        return bool(self.roles & {Role.PROFESSIONAL, Role.ESCALATION_OFFICIAL})


def today_for(*, actor: User, now: datetime | None = None) -> Today:
    now = now or timezone.now()
    view = Today(roles=roles_of(actor), today=timezone.localdate(now))
    if view.coordinator:
        _coordinator_lists(view, actor, now)
    if view.coordinator or Role.CHAIR in view.roles:
        view.meetings = _meetings_to_prepare(actor, now)
    if view.partner:
        _partner_lists(view, actor, now)
    if view.coordinator or view.partner:
        view.check_ins = _listing(
            case_access.check_ins_visible_to(actor)
            .filter(due_on__lte=view.today + CHECK_INS_AHEAD)
            .select_related("case")
            .order_by("due_on")
        )
    escalations = meeting_selectors.escalations_addressed_to(actor=actor).filter(
        my_acknowledged_at__isnull=True
    )
    # Coordinators and escalation officials always; others when something was sent to them.
    if view.coordinator or Role.ESCALATION_OFFICIAL in view.roles or escalations.exists():
        view.escalations = _listing(escalations)
    if Role.PRIVACY_OFFICER in view.roles:
        view.reveals = _listing(
            case_access.reveals_supervised_by(actor)
            .filter(revealed_at__gte=now - REVEALS_SINCE)
            .select_related("case", "member", "revealed_by")
            .order_by("-revealed_at")
        )
    return view


def _coordinator_lists(view: Today, actor: User, now: datetime) -> None:
    queue = case_selectors.triage_queue(actor=actor, today=view.today)
    queue.sort(key=lambda row: (not row.overdue, row.due_on or view.today))
    view.triage = Listing(count=len(queue), rows=queue[:SHOWN])
    escalated = EscalationNotice.objects.filter(
        agreement=OuterRef("pk"),
        ladder_round=OuterRef("ladder_round"),
        status=NoticeStatus.SENT,
        rung_number__gte=1,
    )
    view.agreements_attention = _listing(
        case_access.agreements_visible_to(actor)
        .filter(Q(as_coordinator=True), status=AgreementStatus.OPEN)
        .annotate(escalated=Exists(escalated))
        .filter(Q(due_date__lt=view.today) | Q(escalated=True))
        .select_related("case", "owner_organisation", "owner")
        .order_by("due_date", "created_at")
    )
    view.expiring = _listing(
        case_access.participations_coordinated_by(actor)
        .active(now)
        .filter(expires_at__lte=now + EXPIRY_WINDOW)
        .select_related("case", "organisation")
        .order_by("expires_at")
    )


def _meetings_to_prepare(actor: User, now: datetime) -> list[MeetingPreparation]:
    """The meetings ahead, each with its slots and their planned minutes counted in the same
    query: the page costs the same with one meeting ahead or eight."""
    per_meeting = (
        AgendaItem.objects.current().filter(meeting=OuterRef("pk")).order_by().values("meeting")
    )
    meetings = (
        meeting_access.meetings_visible_to(actor)
        .filter(region__in=meeting_regions_of(actor), status=MeetingStatus.SCHEDULED)
        .filter(ends_at__gte=now, starts_at__lt=now + MEETINGS_AHEAD)
        .annotate(
            slot_count=Subquery(
                per_meeting.annotate(n=Count("pk")).values("n"), output_field=IntegerField()
            ),
            planned_minutes=Subquery(
                per_meeting.annotate(total=Sum("slot_minutes")).values("total"),
                output_field=IntegerField(),
            ),
        )
        .select_related("region")
        .order_by("starts_at")[:SHOWN]
    )
    return [
        MeetingPreparation(meeting, meeting.slot_count or 0, meeting.planned_minutes or 0)
        for meeting in meetings
    ]


def _partner_lists(view: Today, actor: User, now: datetime) -> None:
    mine = case_selectors.agreement_list(actor=actor, mine=True, status=AgreementStatus.OPEN)
    view.my_agreements = _listing(mine)
    view.my_overdue = mine.filter(due_date__lt=view.today).count()
    view.my_slots = _listing(
        meeting_access.own_slots_visible_to(actor)
        .filter(ends_at__gte=now, meeting__status=MeetingStatus.SCHEDULED)
        .select_related("case", "meeting")
        .order_by("starts_at")
    )
    view.new_notes = _listing(
        case_access.notes_visible_to(actor)
        .filter(created_at__gte=now - NOTES_SINCE)
        .exclude(author=actor)
        .select_related("case", "author", "author_organisation")
        .order_by("-created_at")
    )
