"""What the anonymous figures need to know of a case, computed when a fact is written
(``mda.facts.fact_record`` in the services) or backfilled (``steering.backfill``): counts, codes
and working days, never content."""

from __future__ import annotations

from datetime import date

from casework.models import Agreement, AgreementStatus, Case, CaseEvent, EventKind, MemberRole
from mda.workdays import local_date, work_calendar

#: The cause of an automatic re-opening, as the figures name it; by hand it is "manual".
REOPEN_CAUSES = {"new_referral": "repeat", "check_in_concerns": "check_in"}


def children_of(case: Case) -> int:
    return case.members.filter(role=MemberRole.CHILD).count()


def referral_category(case: Case) -> str:
    return "repeat" if case.repeat_of_id else "new"


def triage_working_days(case: Case, decided_on: date) -> int:
    """Working days from the referral to the decision, in the region's calendar (the triage
    deadline counts the same)."""
    return work_calendar(case.region_id).working_days_between(
        local_date(case.created_at), decided_on
    )


def accepted_on(case: Case) -> date | None:
    """The day triage accepted the case, from its timeline; None when it never was."""
    accepted = (
        CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION, transition="accept")
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return local_date(accepted) if accepted is not None else None


def working_days_since_acceptance(case: Case, on: date) -> int | None:
    accepted = accepted_on(case)
    if accepted is None or on < accepted:
        return None
    return work_calendar(case.region_id).working_days_between(accepted, on)


def agreement_state(agreement: Agreement) -> str:
    """open, on_time, late, not_possible or not_done: done on time is done on or before the due
    date (Amsterdam time)."""
    if agreement.status == AgreementStatus.DONE:
        assert agreement.resolved_at is not None
        return "on_time" if local_date(agreement.resolved_at) <= agreement.due_date else "late"
    return str(agreement.status)


def reopen_cause(cause: str) -> str:
    return REOPEN_CAUSES.get(cause, "manual")
