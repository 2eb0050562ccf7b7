"""Reads of minutes: what a reader may see of a slot's minutes, at their level, with the read
recorded."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from casework.access import FULL, agreements_visible_to
from casework.models import Agreement, AgreementEvent
from casework.selectors.agreements import agreements_reviewed_in
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, Organisation, User
from scheduling import access
from scheduling.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ItemMinutes,
    Meeting,
    MinutesDraft,
    SlotAttendance,
)


@dataclass
class MinutesView:
    item: AgendaItem
    level: int
    minutes: ItemMinutes | None
    shared_views: str = ""
    decisions: str = ""
    attendance: list[Attendance] | list[SlotAttendance] = field(default_factory=list)
    agreements_made: list[Agreement] = field(default_factory=list)
    # Open agreements reviewed in this meeting, each with the history entry of its outcome.
    agreements_reviewed: list[tuple[Agreement, AgreementEvent]] = field(default_factory=list)

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
        attendance=_slot_attendance(item, invited),
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
    visible = agreements_visible_to(actor).filter(case_id=item.case_id)
    view.agreements_made = list(
        visible.filter(meeting_id=item.meeting_id).select_related("owner_organisation", "owner")
    )
    view.agreements_reviewed = agreements_reviewed_in(
        agreements=visible, meeting_id=item.meeting_id
    )
    return view


def _slot_attendance(
    item: AgendaItem, invited: QuerySet[Any]
) -> list[Attendance] | list[SlotAttendance]:
    """The attendance at this slot; a meeting recorded before attendance was kept per slot shows
    the meeting's attendance of the organisations invited to the slot."""
    per_slot = list(
        SlotAttendance.objects.filter(item=item, organisation__in=invited)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    if per_slot:
        return per_slot
    return list(
        Attendance.objects.filter(meeting_id=item.meeting_id, organisation__in=invited)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def minutes_draft_of(*, actor: User, item: AgendaItem) -> tuple[dict[str, str], datetime] | None:
    """The draft minutes of a slot as typed, and when they were saved (None: no draft), for the
    coordinator (``item`` from ``access_agenda_item``); the read is recorded."""
    if not item.as_coordinator:
        return None
    draft = MinutesDraft.objects.filter(item=item).first()
    if draft is None:
        return None
    content = json.loads(crypto.unseal(draft, "content_ct", item.case.data_key))
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="minutes_draft",
        object_id=str(draft.pk),
        case=item.case,
    )
    return {k: str(v) for k, v in content.items()}, draft.saved_at


# --- The meeting day ---------------------------------------------------------------------------


@dataclass
class ChecklistLine:
    organisation: Organisation
    status: str  # "" when not marked yet


@dataclass
class RunSlot:
    item: AgendaItem
    lines: list[ChecklistLine]
    has_minutes: bool
    has_draft: bool
    current: bool = False

    @property
    def length_seconds(self) -> int:
        return int(self.item.slot_minutes) * 60


@dataclass
class MeetingDayView:
    meeting: Meeting
    slots: list[RunSlot]
    now: datetime
    statuses: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def current(self) -> RunSlot | None:
        return next((s for s in self.slots if s.current), None)

    @property
    def used_seconds(self) -> int:
        """Time used of the current slot: since its planned start."""
        slot = self.current
        return int((self.now - slot.item.starts_at).total_seconds()) if slot else 0

    @property
    def used_label(self) -> str:
        return _minutes_seconds(self.used_seconds)

    @property
    def length_label(self) -> str:
        slot = self.current
        return _minutes_seconds(slot.length_seconds) if slot else ""


def _minutes_seconds(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def meeting_day_view(*, meeting: Meeting) -> MeetingDayView:
    """The run page of *meeting* (from ``access_meeting(..., run=True)``): per slot the invited
    organisations with their attendance, whether minutes or a draft exist, and the slot running
    now by the clock. A fixed number of queries, whatever the number of slots."""
    items = list(meeting.items.current().select_related("case").order_by("position"))
    invited = access.invited_organisations_of(i.case_id for i in items)
    wanted = set().union(*invited.values()) if invited else set()
    organisations = sorted(Organisation.objects.filter(pk__in=wanted), key=lambda o: o.name)
    marked = {
        (item_id, organisation_id): status
        for item_id, organisation_id, status in SlotAttendance.objects.filter(
            item__in=items
        ).values_list("item_id", "organisation_id", "status")
    }
    minuted = set(ItemMinutes.objects.filter(item__in=items).values_list("item_id", flat=True))
    drafted = set(MinutesDraft.objects.filter(item__in=items).values_list("item_id", flat=True))
    now = timezone.now()
    slots = [
        RunSlot(
            item=item,
            lines=[
                ChecklistLine(o, marked.get((item.pk, o.pk), ""))
                for o in organisations
                if o.pk in invited.get(item.case_id, set())
            ],
            has_minutes=item.pk in minuted,
            has_draft=item.pk in drafted,
            current=item.starts_at <= now < item.ends_at,
        )
        for item in items
    ]
    return MeetingDayView(meeting, slots, now, list(AttendanceStatus.choices))
