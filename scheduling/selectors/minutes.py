"""Reads of minutes: what a reader may see of a slot's minutes, at their level, with the read
recorded."""

from __future__ import annotations

from dataclasses import dataclass, field

from casework.access import FULL, agreements_visible_to
from casework.models import (
    Agreement,
)
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, User
from scheduling import access
from scheduling.models import (
    AgendaItem,
    Attendance,
    ItemMinutes,
)


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
