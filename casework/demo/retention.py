"""Demo of the end of a case: a declined referral whose short term ends within the warning
period (its coordinators are warned), and a closed case at the end of its term that a legal hold
keeps. Called by ``casework.demo.seed_cases`` after the lifecycle, in its transaction.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from casework import access
from casework.models import Case, CaseEvent, CaseStatus, RegionPolicy
from casework.services.retention import legal_hold_place, retention_warnings_send
from mda.models import Region, User
from mda.workdays import add_months

HOLD_REASON = (
    "Lopend strafrechtelijk onderzoek: de officier van justitie heeft gevraagd de gegevens te "
    "bewaren tot de zaak is afgerond."
)


def _end_back(case: Case, ended_days_ago: int, referred_days_before_end: int) -> None:
    """Move *case*'s life back in time, so it ended *ended_days_ago* (its timeline with it)."""
    now = timezone.now()
    ended = now - timedelta(days=ended_days_ago)
    shift = now - (ended - timedelta(days=referred_days_before_end))
    Case.objects.filter(pk=case.pk).update(created_at=F("created_at") - shift, ended_at=ended)
    CaseEvent.objects.filter(case=case).update(occurred_at=F("occurred_at") - shift)


def seed_retention(out: list[str]) -> None:
    region = Region.objects.get(slug="groningen")
    policy = RegionPolicy.objects.for_region(region)
    today = timezone.localdate()
    coordinator = User.objects.get(username="coordinator")
    declined = Case.objects.filter(region=region, status=CaseStatus.DECLINED).first()
    closed = Case.objects.filter(region=region, status=CaseStatus.CLOSED).first()
    if declined is not None:  # its short term ends in ten days: inside the warning period
        term_days = (today - add_months(today, -policy.retention_short_months)).days
        _end_back(declined, term_days - 10, referred_days_before_end=9)
    if closed is not None:  # its term ends in three weeks, but an investigation holds it
        term_days = (today - add_months(today, -policy.retention_months)).days
        _end_back(closed, term_days - 21, referred_days_before_end=400)
        legal_hold_place(
            actor=coordinator,
            case=access.access_case(coordinator, closed.pk),
            reason=HOLD_REASON,
            until=add_months(today, 4),
        )
    warned = retention_warnings_send(today=today)
    out.append(f"Demo retention: {warned} case(s) warned of destruction, 1 legal hold.")
