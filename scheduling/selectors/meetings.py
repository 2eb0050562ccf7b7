"""Reads of meetings: the agenda as one user may see it (need-to-know), the coordinator's week, a
partner's meetings, proposals for an agenda, minutes (decrypted, the read recorded), a case's
meetings, and the slots of a personal calendar feed.

Every list starts from ``mda.access``: a partner's agenda holds only the items of cases its
organisation takes part in; the others are absent, not counted, not hinted at.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from casework.access import FULL, agreements_visible_to, cases_coordinated_by
from casework.models import (
    Agreement,
    AgreementStatus,
    Case,
    CaseEvent,
    CaseStatus,
    CheckIn,
    EventKind,
)
from mda import crypto
from mda.access import PARTNER_ROLES, meeting_regions_of
from mda.audit import audit_record
from mda.models import AuditAction, Organisation, User
from mda.workdays import AMSTERDAM, local_date
from scheduling import access
from scheduling.ical import SlotEvent, meeting_uid
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    Attendance,
    EscalationNotice,
    Invitation,
    ItemMinutes,
    ItemReason,
    Meeting,
    MeetingStatus,
    MeetingType,
    NoticeStatus,
)
from scheduling.services.agendas import (
    INACTIVE_STATUSES,
    default_slot_minutes,
    next_meeting_with_room,
    planned_minutes,
)
from scheduling.services.invitations import local, meeting_link, slot_event

FEED_PAST = timedelta(days=28)
FEED_AHEAD = timedelta(days=120)


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
        own = set(_partner_organisation_ids(actor))
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


def _partner_organisation_ids(actor: User) -> QuerySet[Any]:
    return Organisation.objects.filter(
        memberships__user=actor, memberships__role__in=PARTNER_ROLES
    ).values_list("pk", flat=True)


def capacity_of(meeting: Meeting) -> Capacity:
    capacity = Capacity(minutes=meeting.duration_minutes, planned=planned_minutes(meeting))
    if capacity.free < default_slot_minutes(meeting):
        capacity.next_with_room = next_meeting_with_room(meeting, default_slot_minutes(meeting))
    return capacity


# --- Lists ---------------------------------------------------------------------------------------


@dataclass
class MeetingSummary:
    meeting: Meeting
    items: int
    planned: int


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_meetings(*, actor: User, monday: date) -> list[MeetingSummary]:
    """Meetings of the regions *actor* coordinates or chairs in the week from *monday*."""
    start = datetime.combine(monday, datetime.min.time(), tzinfo=AMSTERDAM)
    meetings = (
        access.meetings_visible_to(actor)
        .filter(region__in=meeting_regions_of(actor))
        .filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=7))
        .select_related("region", "series")
        .order_by("starts_at")
    )
    summaries = []
    for meeting in meetings:
        items = meeting.items.current()
        planned = items.aggregate(total=Sum("slot_minutes"))["total"] or 0
        summaries.append(MeetingSummary(meeting, items.count(), int(planned)))
    return summaries


def my_meetings(*, actor: User, since: datetime | None = None) -> list[AgendaView]:
    """Upcoming meetings (from *since*) with the slots of *actor*'s organisations."""
    since = since or timezone.now() - timedelta(hours=12)
    partner_items = access.own_slots_visible_to(actor)
    meetings = (
        access.meetings_visible_to(actor)
        .filter(ends_at__gte=since, agenda_status=AgendaStatus.PUBLISHED)
        .filter(pk__in=partner_items.values("meeting_id"))
        .select_related("region", "series")
        .order_by("starts_at")
    )
    views = []
    for meeting in meetings:
        view = agenda_view(actor=actor, meeting=meeting)
        if view.sees_whole_agenda:  # a coordinator who also works as a partner: only own slots
            partner = set(partner_items.filter(meeting=meeting).values_list("pk", flat=True))
            view.rows = [row for row in view.rows if row.item.pk in partner]
        views.append(view)
    return views


def meetings_list(
    *, actor: User, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[Meeting]:
    qs = access.meetings_visible_to(actor).select_related("region", "series")
    if since is not None:
        qs = qs.filter(ends_at__gte=since)
    if until is not None:
        qs = qs.filter(starts_at__lt=until)
    return qs.order_by("starts_at")


# --- Proposals -----------------------------------------------------------------------------------


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


# --- Minutes -------------------------------------------------------------------------------------


@dataclass
class MinutesView:
    item: AgendaItem
    level: int
    minutes: ItemMinutes | None
    shared_views: str = ""
    decisions: str = ""
    attendance: list[Attendance] = field(default_factory=list)
    agreements_made: list[Agreement] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return self.level >= FULL


def minutes_view(*, actor: User, item: AgendaItem) -> MinutesView | None:
    """The minutes of one case as *actor* may read them (None: not at all); the plaintext read is
    recorded in the audit trail."""
    level = access.minutes_level(actor, item)
    if level is None:
        return None
    minutes = (
        ItemMinutes.objects.filter(item=item).select_related("case_director", "recorded_by").first()
    )
    invited = access.invited_organisations(item.case_id).values("pk")
    view = MinutesView(
        item=item,
        level=level,
        minutes=minutes,
        attendance=list(
            Attendance.objects.filter(meeting_id=item.meeting_id, organisation__in=invited)
            .select_related("organisation")
            .order_by("organisation__name")
        ),
    )
    if minutes is not None and view.full:
        key = item.case.data_key
        view.shared_views = crypto.unseal(minutes, "shared_views_ct", key)
        view.decisions = crypto.unseal(minutes, "decisions_ct", key)
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="minutes",
            object_id=str(minutes.pk),
            case=item.case,
        )
    view.agreements_made = list(
        agreements_visible_to(actor)
        .filter(case_id=item.case_id, meeting_id=item.meeting_id)
        .select_related("owner_organisation", "owner")
    )
    return view


# --- A case's meetings (the case page) -----------------------------------------------------------


@dataclass
class CaseMeetings:
    upcoming: list[AgendaItem]
    past: list[AgendaItem]


def case_meetings(*, actor: User, case: Any) -> CaseMeetings:
    """The case's slots *actor* may see: upcoming ones, and past ones whose minutes they read."""
    now = timezone.now()
    items = list(
        access.agenda_items_visible_to(actor)
        .filter(case_id=case.pk)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting")
        .order_by("starts_at")
    )
    upcoming = [i for i in items if i.meeting.ends_at >= now]
    readable = [
        i for i in items if i.meeting.ends_at < now and access.minutes_level(actor, i) is not None
    ]
    minuted = set(ItemMinutes.objects.filter(item__in=readable).values_list("item_id", flat=True))
    return CaseMeetings(upcoming=upcoming, past=[i for i in readable if i.pk in minuted][::-1])


# --- The personal calendar feed ------------------------------------------------------------------


def feed_slots(*, user: User) -> list[SlotEvent]:
    """A coordinator's or chair's meetings as whole meetings; a partner's own slots."""
    now = timezone.now()
    window = Q(starts_at__gte=now - FEED_PAST, starts_at__lte=now + FEED_AHEAD)
    slots = [
        _meeting_event(meeting)
        for meeting in access.meetings_visible_to(user)
        .filter(window, region__in=meeting_regions_of(user))
        .order_by("starts_at")
    ]
    partner_items = (
        access.own_slots_visible_to(user)
        .filter(meeting__starts_at__gte=now - FEED_PAST, meeting__starts_at__lte=now + FEED_AHEAD)
        .exclude(meeting__region__in=meeting_regions_of(user))
        .select_related("case", "meeting")
    )
    own = list(_partner_organisation_ids(user))
    for item in partner_items:
        sequence = Invitation.objects.filter(item=item, organisation_id__in=own).aggregate(
            top=Max("sequence")
        )["top"]
        slots.append(slot_event(item, sequence=sequence or 0))
    return slots


def _meeting_event(meeting: Meeting) -> SlotEvent:
    references = meeting.items.current().count()
    return SlotEvent(
        uid=meeting_uid(meeting.pk),
        sequence=0,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=f"{meeting.get_kind_display()} ({references})",
        location=meeting.place or meeting.online_link,
        url=meeting_link(meeting),
        description=f"{local(meeting.starts_at)}\n{meeting_link(meeting)}",
        cancelled=meeting.status == MeetingStatus.CANCELLED,
    )
