"""Reads of agendas: the agenda as a reader may see it (need-to-know: a partner sees only its own
slots), its capacity, and the cases proposed for it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from casework.access import cases_coordinated_by
from casework.models import (
    Agreement,
    AgreementStatus,
    Case,
    CaseEvent,
    CaseStatus,
    CheckIn,
    EventKind,
)
from mda.access import PARTNER_ROLES
from mda.models import Organisation, User
from mda.workdays import AMSTERDAM, local_date
from scheduling import access
from scheduling.models import (
    AgendaItem,
    EscalationNotice,
    Invitation,
    ItemMinutes,
    ItemReason,
    Meeting,
    MeetingStatus,
    MeetingType,
    NoticeStatus,
)
from scheduling.models.agendas import INACTIVE_STATUSES
from scheduling.models.meetings import DEFAULT_SLOT_MINUTES


@dataclass
class Capacity:
    minutes: int
    planned: int
    next_with_room: Meeting | None = None

    @property
    def free(self) -> int:
        return max(self.minutes - self.planned, 0)

    @property
    def full(self) -> bool:
        return self.free == 0


@dataclass
class AgendaRow:
    item: AgendaItem
    # Coordinators and chairs: every invited organisation's answer. Partners: their own.
    invitations: list[Invitation] = field(default_factory=list)
    answering_for: list[Organisation] = field(default_factory=list)
    has_minutes: bool = False
    # Set by the web view: the forms of this row.
    response_form: Any = None
    item_form: Any = None
    # Set by the web view: which organisations contributed (selectors.agenda_contributions).
    contributions: Any = None


@dataclass
class AgendaView:
    meeting: Meeting
    rows: list[AgendaRow]
    as_coordinator: bool
    as_chair: bool
    capacity: Capacity | None = None

    @property
    def sees_whole_agenda(self) -> bool:
        return self.as_coordinator or self.as_chair


def visible_items(*, actor: User, meeting: Meeting) -> QuerySet[AgendaItem]:
    return (
        access.agenda_items_visible_to(actor)
        .filter(meeting=meeting)
        .select_related("case", "meeting")
        .order_by("position")
    )


def agenda_view(*, actor: User, meeting: Any) -> AgendaView:
    """*meeting* (from ``access.access_meeting``) with the items *actor* may see."""
    whole = bool(meeting.as_coordinator or meeting.as_chair)
    items = list(visible_items(actor=actor, meeting=meeting))
    invitations = Invitation.objects.filter(item__in=items).select_related("organisation")
    own = set()
    if not whole:
        own = set(partner_organisation_ids(actor))
    by_item: dict[Any, list[Invitation]] = defaultdict(list)
    for invitation in invitations.order_by("organisation__name"):
        if whole or invitation.organisation_id in own:
            by_item[invitation.item_id].append(invitation)
    minuted = set(ItemMinutes.objects.filter(item__in=items).values_list("item_id", flat=True))
    rows = [
        AgendaRow(
            item=item,
            invitations=by_item[item.pk],
            answering_for=list(access.organisations_answering_for(actor, item.case_id)),
            has_minutes=item.pk in minuted,
        )
        for item in items
    ]
    view = AgendaView(meeting, rows, bool(meeting.as_coordinator), bool(meeting.as_chair))
    if whole:
        view.capacity = capacity_of(meeting)
    return view


def partner_organisation_ids(actor: User) -> QuerySet[Any]:
    return Organisation.objects.filter(
        memberships__user=actor, memberships__role__in=PARTNER_ROLES
    ).values_list("pk", flat=True)


def capacity_of(meeting: Meeting) -> Capacity:
    capacity = Capacity(minutes=meeting.duration_minutes, planned=planned_minutes(meeting))
    if capacity.free < default_slot_minutes(meeting):
        capacity.next_with_room = next_meeting_with_room(meeting, default_slot_minutes(meeting))
    return capacity


@dataclass
class Proposal:
    case: Case
    reasons: list[str]
    slot_minutes: int
    fits: bool
    next_with_room: Meeting | None = None

    @property
    def reason(self) -> str:
        return self.reasons[0]

    def reason_labels(self) -> list[str]:
        return [str(ItemReason(r).label) for r in self.reasons]


def _candidate_cases(actor: User, meeting: Meeting) -> QuerySet[Case]:
    """Active cases of the meeting's region that are neither on this agenda nor on an earlier
    upcoming meeting of the same type."""
    elsewhere = AgendaItem.objects.current().filter(
        meeting__region_id=meeting.region_id,
        meeting__kind=meeting.kind,
        meeting__status=MeetingStatus.SCHEDULED,
        meeting__starts_at__gte=timezone.now(),
        meeting__starts_at__lt=meeting.starts_at,
    )
    return (
        cases_coordinated_by(actor)
        .filter(region_id=meeting.region_id)
        .exclude(status__in=INACTIVE_STATUSES)
        .exclude(pk__in=meeting.items.current().values("case_id"))
        .exclude(pk__in=elsewhere.values("case_id"))
    )


def _newly_accepted(cases: QuerySet[Case], meeting: Meeting) -> set[Any]:
    """Accepted in triage (now in intake) and never on an agenda since."""
    never = ~Exists(AgendaItem.objects.current().filter(case=OuterRef("pk")))
    return set(cases.filter(never, status=CaseStatus.INTAKE).values_list("pk", flat=True))


def _overdue_agreements(cases: QuerySet[Case], meeting: Meeting) -> set[Any]:
    overdue = Agreement.objects.filter(
        status=AgreementStatus.OPEN, due_date__lt=local_date(meeting.starts_at)
    )
    return set(cases.filter(pk__in=overdue.values("case_id")).values_list("pk", flat=True))


def _last_meeting(meeting: Meeting, case_ref: str) -> Subquery:
    """When the case was last on a (not cancelled) meeting before *meeting*."""
    return Subquery(
        AgendaItem.objects.current()
        .filter(
            case=OuterRef(case_ref),
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__starts_at__lt=meeting.starts_at,
        )
        .order_by("-meeting__starts_at")
        .values("meeting__starts_at")[:1]
    )


def _since_last_meeting(qs: QuerySet[Any], moment: str) -> Q:
    """Rows of *qs* at *moment* after the outer case's ``last_meeting`` (or any, if none)."""
    return Exists(qs) & (
        Q(last_meeting__isnull=True)
        | Exists(qs.filter(**{f"{moment}__gt": OuterRef("last_meeting")}))
    )


def _escalated(cases: QuerySet[Case], meeting: Meeting) -> set[Any]:
    """An escalation (rung 1 or higher, or by hand) sent since the case's last meeting."""
    notices = EscalationNotice.objects.filter(
        Q(manual=True) | Q(rung_number__gte=1, agreement__status=AgreementStatus.OPEN),
        case=OuterRef("pk"),
        status=NoticeStatus.SENT,
    )
    due = cases.annotate(last_meeting=_last_meeting(meeting, "pk")).filter(
        _since_last_meeting(notices, "sent_at")
    )
    return set(due.values_list("pk", flat=True))


def _repeats(cases: QuerySet[Case], meeting: Meeting) -> set[Any]:
    """A repeat since the case's last meeting: a new referral linked to it as a repeat, or its
    re-opening from follow-up (by a new signal)."""
    referrals = Case.objects.filter(repeat_of=OuterRef("pk"))
    reopened = CaseEvent.objects.filter(
        case=OuterRef("pk"), kind=EventKind.TRANSITION, to_status=CaseStatus.REOPENED
    )
    due = cases.annotate(last_meeting=_last_meeting(meeting, "pk")).filter(
        _since_last_meeting(referrals, "created_at") | _since_last_meeting(reopened, "occurred_at")
    )
    return set(due.values_list("pk", flat=True))


def _check_ins(cases: QuerySet[Case], meeting: Meeting) -> set[Any]:
    """A follow-up check-in that is due by the day of the meeting and not done."""
    due = CheckIn.objects.pending().filter(due_on__lte=local_date(meeting.starts_at))
    return set(cases.filter(pk__in=due.values("case_id")).values_list("pk", flat=True))


def _review_due(cases: QuerySet[Case], meeting: Meeting) -> set[Any]:
    """The next review falls on or before this meeting: as the last minutes set it, or as the
    case plan says and the case has not been discussed since that date."""
    day = local_date(meeting.starts_at)
    by_minutes = (
        ItemMinutes.objects.filter(item__case=OuterRef("pk"), item__removed_at__isnull=True)
        .order_by("-item__meeting__starts_at")
        .values("next_review_on")[:1]
    )
    minuted = cases.annotate(next_review=by_minutes).filter(next_review__lte=day)
    by_plan = cases.filter(plan__next_review_on__lte=day).annotate(
        last_meeting=_last_meeting(meeting, "pk")
    )
    by_plan = by_plan.filter(
        Q(last_meeting__isnull=True) | Q(last_meeting__date__lt=F("plan__next_review_on"))
    )
    return set(minuted.values_list("pk", flat=True)) | set(by_plan.values_list("pk", flat=True))


# The rules, most urgent first.
PROPOSAL_RULES = (
    (ItemReason.ESCALATED, _escalated),
    (ItemReason.AGREEMENTS_OVERDUE, _overdue_agreements),
    (ItemReason.REPEAT, _repeats),
    (ItemReason.ACCEPTED, _newly_accepted),
    (ItemReason.CHECK_IN, _check_ins),
    (ItemReason.REVIEW_DUE, _review_due),
)


def agenda_proposals(*, actor: User, meeting: Any) -> list[Proposal]:
    """Cases the rules propose for *meeting* (coordinators), each with its reasons, and whether
    it still fits; when it does not, the next meeting with room."""
    if not meeting.as_coordinator or meeting.kind != MeetingType.CASE_CONFERENCE:
        return []  # triage takes its queue; an emergency meeting has its one case
    cases = _candidate_cases(actor, meeting)
    reasons: dict[Any, list[str]] = defaultdict(list)
    for reason, rule in PROPOSAL_RULES:
        for case_id in rule(cases, meeting):
            reasons[case_id].append(reason)
    if not reasons:
        return []
    minutes = default_slot_minutes(meeting)
    free = meeting.duration_minutes - planned_minutes(meeting)
    following = next_meeting_with_room(meeting, minutes) if free < minutes else None
    found = cases.filter(pk__in=reasons).order_by("reference")
    order: dict[str, int] = {str(reason): n for n, (reason, _rule) in enumerate(PROPOSAL_RULES)}
    proposals = [
        Proposal(case, reasons[case.pk], minutes, free >= minutes, following) for case in found
    ]
    return sorted(proposals, key=lambda p: (order[p.reasons[0]], p.case.reference))


def planned_minutes(meeting: Meeting, *, without: AgendaItem | None = None) -> int:
    items = meeting.items.current()
    if without is not None:
        items = items.exclude(pk=without.pk)
    return int(items.aggregate(total=Sum("slot_minutes"))["total"] or 0)


def default_slot_minutes(meeting: Meeting) -> int:
    series = meeting.series
    return series.slot_minutes if series is not None else DEFAULT_SLOT_MINUTES


def next_meeting_with_room(meeting: Meeting, minutes: int) -> Meeting | None:
    """The first later meeting of the same series (or region and type) with *minutes* free."""
    later = Meeting.objects.filter(
        region_id=meeting.region_id,
        kind=meeting.kind,
        status=MeetingStatus.SCHEDULED,
        starts_at__gt=meeting.starts_at,
    )
    if meeting.series_id:
        later = later.filter(series_id=meeting.series_id)
    for candidate in later.order_by("starts_at")[:12]:
        if planned_minutes(candidate) + minutes <= candidate.duration_minutes:
            return candidate
    return None


def full_message(meeting: Meeting, minutes: int) -> str:
    planned = planned_minutes(meeting)
    message = _("This meeting is full: %(planned)d of %(capacity)d minutes are planned.") % {
        "planned": planned,
        "capacity": meeting.duration_minutes,
    }
    following = next_meeting_with_room(meeting, minutes)
    if following is None:
        return f"{message} {_('No later meeting has room yet.')}"
    when = formats.date_format(following.starts_at.astimezone(AMSTERDAM), "DATETIME_FORMAT")
    return f"{message} {_('The next meeting with room is on %(when)s.') % {'when': when}}"
