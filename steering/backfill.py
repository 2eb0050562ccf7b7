"""Building the fact table from the cases that exist, once, for the history before the services
wrote facts themselves. Safe to run again: a case whose referral fact exists is skipped, and a case
without one is written whole, in one transaction (facts a service wrote for it in the meantime are
replaced, so nothing is counted twice). Destroyed cases (their data key shredded) cannot be
backfilled and are skipped: their statistics token can no longer be computed.

The facts are the ones the services write (``fact_record`` in casework and scheduling), computed
from what the case's history holds: its timeline, agreements, escalation notices and the minutes
of the meetings it was discussed in. Agreements count in their state now, by their due date now.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef

from casework import statistics
from casework.models import Case, CaseEvent, EventKind
from casework.transitions import TRIAGE_DECISIONS
from mda.facts import fact_record, meeting_token, statistics_token
from mda.models import Fact, FactKind
from mda.workdays import local_date, work_calendar
from scheduling.models import (
    AgendaItem,
    EscalationNotice,
    EscalationRecipient,
    Meeting,
    MeetingStatus,
    NoticeStatus,
)


def cases_to_backfill() -> Iterator[Case]:
    """Every case whose key still exists, oldest first, with what the writer needs."""
    cases = Case.objects.filter(data_key__shredded_at__isnull=True).select_related(
        "data_key", "referring_organisation", "region"
    )
    return cases.order_by("created_at", "id").iterator(chunk_size=500)


@transaction.atomic
def case_facts_backfill(case: Case) -> bool:
    """Write *case*'s facts from its history; False when it has them already."""
    token = statistics_token(case.data_key)
    if Fact.objects.filter(subject=token, kind=FactKind.REFERRAL).exists():
        return False
    Fact.objects.filter(subject=token).delete()
    fact_record(
        FactKind.REFERRAL,
        case=case,
        subject=token,
        on=case.created_at,
        organisation=case.referring_organisation,
        category=statistics.referral_category(case),
        amount=statistics.children_of(case),
    )
    fact_record(FactKind.STATUS, case=case, subject=token, on=case.created_at, category="referred")
    write = _Writer(case, token)
    accepted = _timeline(case, write)
    _agreements(case, write)
    _escalations(case, write)
    _meetings(case, write, accepted)
    return True


class _Writer:
    """``fact_record`` for one case and its token, on a given day."""

    def __init__(self, case: Case, token: uuid.UUID) -> None:
        self.case, self.token = case, token

    def __call__(self, kind: str, on: date | datetime, **fields: Any) -> None:
        fact_record(kind, case=self.case, subject=self.token, on=on, **fields)


def _timeline(case: Case, write: _Writer) -> date | None:
    """Status and safety-phase spells, triage decisions, re-openings and the first plan; returns
    the day of acceptance."""
    accepted: date | None = None
    planned = False
    events = CaseEvent.objects.filter(
        case=case, kind__in=[EventKind.TRANSITION, EventKind.SAFETY_PHASE, EventKind.PLAN]
    ).order_by("occurred_at")
    for event in events:
        on = local_date(event.occurred_at)
        if event.kind == EventKind.TRANSITION:
            write(FactKind.STATUS, on, category=event.to_status)
            if event.transition in TRIAGE_DECISIONS:
                days = statistics.triage_working_days(case, on)
                write(FactKind.TRIAGE, on, category=event.transition, working_days=days)
            if event.transition == "accept":
                accepted = accepted or on
                write(FactKind.SAFETY_PHASE, on, category="1")
            if event.transition == "reopen":
                cause = statistics.reopen_cause(str(event.detail.get("cause", "")))
                write(FactKind.REOPENING, on, category=cause)
        elif event.kind == EventKind.SAFETY_PHASE:
            write(FactKind.SAFETY_PHASE, on, category=str(event.detail.get("to", "")))
        elif not planned:
            planned = True
            since = statistics.working_days_since_acceptance(case, on)
            write(FactKind.PLAN, on, working_days=since)
    return accepted


def _agreements(case: Case, write: _Writer) -> None:
    for agreement in case.agreements.all():
        write(
            FactKind.AGREEMENT, agreement.due_date, category=statistics.agreement_state(agreement)
        )


def _escalations(case: Case, write: _Writer) -> None:
    notices = EscalationNotice.objects.filter(
        case=case, status=NoticeStatus.SENT, sent_at__isnull=False
    ).annotate(
        acknowledged=Exists(
            EscalationRecipient.objects.filter(
                notice=OuterRef("pk"), notification__acknowledged_at__isnull=False
            )
        )
    )
    for notice in notices:
        assert notice.sent_at is not None
        rung = str(notice.rung_number)
        write(FactKind.ESCALATION, notice.sent_at, category=rung)
        if notice.acknowledged:
            write(FactKind.ESCALATION_ACKNOWLEDGED, notice.sent_at, category=rung)


def _discussed(case: Case) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(
            case=case,
            removed_at__isnull=True,
            meeting__minutes_published_at__isnull=False,
            meeting__status=MeetingStatus.SCHEDULED,
        )
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )


def _meetings(case: Case, write: _Writer, accepted: date | None) -> None:
    first = True
    for item in _discussed(case):
        held_on = local_date(item.meeting.starts_at)
        write(FactKind.CASE_DISCUSSED, held_on, amount=item.slot_minutes)
        if first and accepted is not None and held_on >= accepted:
            first = False
            write(
                FactKind.FIRST_MEETING,
                held_on,
                working_days=work_calendar(case.region_id).working_days_between(accepted, held_on),
            )


def meetings_to_backfill() -> Iterator[Meeting]:
    return (
        Meeting.objects.filter(minutes_published_at__isnull=False, status=MeetingStatus.SCHEDULED)
        .select_related("region")
        .order_by("starts_at")
        .iterator(chunk_size=500)
    )


@transaction.atomic
def meeting_facts_backfill(meeting: Meeting) -> bool:
    token = meeting_token(meeting.pk)
    if Fact.objects.filter(subject=token, kind=FactKind.MEETING_HELD).exists():
        return False
    cases = meeting.items.filter(removed_at__isnull=True).count()
    fact_record(
        FactKind.MEETING_HELD,
        region=meeting.region,
        subject=token,
        on=local_date(meeting.starts_at),
        amount=cases,
    )
    return True
