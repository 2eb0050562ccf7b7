"""Reads of retention: when a case will be destroyed, its legal holds, the destruction records.

The date follows from the case and the region's settings, never stored, so a functional admin's
change of the term applies at once:

    term due  = the local date the case ended + the term (24 months; 6 for declined or advice only)
    scheduled = the term due, or the day after the last legal hold ended, whichever is later
    destroy on = the scheduled date, and never earlier than ``warning days`` after the
                 coordinators were warned of that date (a hold that moves the date earns a new
                 warning, so nobody is surprised by a destruction)

A hold that has not ended (not released, its end date today or later) keeps the case whatever
the dates say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from casework import access
from casework.models import Case, DestructionRecord, LegalHold, RegionPolicy, RetentionWarning
from casework.transitions import TERMINAL
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, User
from mda.workdays import add_months, local_date


@dataclass(frozen=True)
class RetentionPlan:
    rule: str
    term_months: int
    term_due: date
    scheduled: date
    destroy_on: date
    held_until: date | None
    warned_on: date | None
    warning_days: int

    @property
    def held(self) -> bool:
        return self.held_until is not None

    def due(self, today: date) -> bool:
        """Destroy now: not held, warned long enough ago, and the date has come."""
        return not self.held and self.warned_on is not None and self.destroy_on <= today

    def warn_due(self, today: date) -> bool:
        """Warn now: not held, not warned of this date yet, and within the warning period."""
        return (
            not self.held
            and self.warned_on is None
            and self.scheduled <= today + timedelta(days=self.warning_days)
        )


def _hold_end(hold: LegalHold) -> date:
    return local_date(hold.released_at) if hold.released_at is not None else hold.until


def retention_plan(
    case: Case,
    *,
    today: date | None = None,
    policy: RegionPolicy | None = None,
) -> RetentionPlan | None:
    """When *case* will be destroyed; None while it has not ended (or is destroyed already)."""
    if case.ended_at is None or case.status not in TERMINAL or case.destroyed_at is not None:
        return None
    today = today or timezone.localdate()
    policy = policy or RegionPolicy.objects.for_region(case.region)
    rule, months = policy.retention_term(case.status)
    term_due = add_months(local_date(case.ended_at), months)
    holds = list(LegalHold.objects.filter(case=case).only("until", "released_at"))
    active = [h.until for h in holds if h.released_at is None and h.until >= today]
    ended = [_hold_end(h) + timedelta(days=1) for h in holds]
    scheduled = max([term_due, *ended])
    sent = (
        RetentionWarning.objects.filter(case=case, destroy_on=scheduled)
        .values_list("sent_at", flat=True)
        .first()
    )
    warned_on = local_date(sent) if sent is not None else None
    earliest = (warned_on or today) + timedelta(days=policy.retention_warning_days)
    return RetentionPlan(
        rule=rule,
        term_months=months,
        term_due=term_due,
        scheduled=scheduled,
        destroy_on=max(scheduled, earliest),
        held_until=max(active) if active else None,
        warned_on=warned_on,
        warning_days=policy.retention_warning_days,
    )


@dataclass
class HoldView:
    hold: LegalHold
    reason: str | None  # coordinators only

    @property
    def active(self) -> bool:
        return self.hold.released_at is None and self.hold.until >= timezone.localdate()


def holds_of_case(*, actor: User, case: Case) -> list[HoldView]:
    """The legal holds of *case* (from ``access_case``); their reasons for coordinators, with the
    read recorded. Below level 1 nothing."""
    if case.access_level < access.PROCESS:
        return []
    holds = list(LegalHold.objects.filter(case=case).select_related("placed_by", "released_by"))
    reasons = access.can_coordinate(actor, case)
    views = [
        HoldView(h, crypto.unseal(h, "reason_ct", case.data_key) if reasons else None)
        for h in holds
    ]
    if holds and reasons:
        audit_record(actor=actor, action=AuditAction.VIEW, object_type="legal_hold", case=case)
    return views


def destruction_records(*, actor: User) -> QuerySet[DestructionRecord]:
    """The privacy officer's account of destroyed cases (tombstones only), recorded as read."""
    records = access.destruction_records_visible_to(actor).select_related("region", "run")
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="destruction_records")
    return records.order_by("-destroyed_at", "reference")


@dataclass
class RetentionView:
    """What the case page and its retention page show: when the case will be destroyed (None
    while it runs), and its legal holds."""

    plan: RetentionPlan | None
    holds: list[HoldView]
    may_hold: bool

    @property
    def active_holds(self) -> list[HoldView]:
        return [h for h in self.holds if h.active]

    @property
    def held_until(self) -> date | None:
        if self.plan is not None:
            return self.plan.held_until
        active = [h.hold.until for h in self.active_holds]
        return max(active) if active else None


def retention_view(*, actor: User, case: Case, with_holds: bool = True) -> RetentionView | None:
    """Retention of *case* (from ``access_case``) for level 1 and up; None below."""
    if case.access_level < access.PROCESS:
        return None
    holds = holds_of_case(actor=actor, case=case) if with_holds else []
    return RetentionView(
        plan=retention_plan(case),
        holds=holds,
        may_hold=access.can_coordinate(actor, case),
    )
