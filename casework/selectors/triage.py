"""The triage queue: referrals awaiting a decision in the coordinator's regions, the most urgent
first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from casework import access
from casework.models import (
    Case,
)
from casework.selectors.referral import repeat_window_start
from mda.models import User


@dataclass
class TriageRow:
    case: Case
    due_on: date | None
    overdue: bool
    due_today: bool
    criteria: int
    known_in_region: int
    known_in_other_region: bool


def triage_queue(*, actor: User, today: date | None = None) -> list[TriageRow]:
    """Referrals awaiting a decision in *actor*'s regions, the most urgent first."""
    today = today or timezone.localdate()
    cases = (
        access.triage_cases_visible_to(actor)
        .select_related("region", "referring_organisation", "repeat_of", "referral")
        .order_by("triage_due_on", "created_at")
    )
    rows = []
    for case in cases:
        referral = getattr(case, "referral", None)
        due = case.triage_due_on
        rows.append(
            TriageRow(
                case=case,
                due_on=due,
                overdue=bool(due and today > due),
                due_today=due == today,
                criteria=len(referral.criteria) if referral else 0,
                known_in_region=referral.known_in_region if referral else 0,
                known_in_other_region=referral.known_in_other_region if referral else False,
            )
        )
    return rows


def repeats_in_last_year(*, actor: User) -> int:
    """Referrals of the last 12 months that were repeats, in the regions *actor* coordinates."""
    since = repeat_window_start(timezone.now())
    return (
        access.cases_coordinated_by(actor)
        .filter(repeat_of__isnull=False, created_at__gte=since)
        .count()
    )
