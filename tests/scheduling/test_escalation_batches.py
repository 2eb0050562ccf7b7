"""The sweep and the delivery cost what is due, not what the database holds; and nothing is sent
before its time, whatever moment a sweep is told it is."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mda.models import Notification
from mda.workdays import work_calendar
from scheduling import services as ladder
from scheduling import tasks
from scheduling.models import EscalationNotice, EscalationRecipient
from tests.casework.conftest import Scenario
from tests.conftest import Cast
from tests.scheduling.conftest import LadderPeople, at, bulk_agreements, make_agreement

DUE = date(2026, 6, 12)


def test_a_sweep_told_it_is_later_makes_the_notices_but_nothing_is_sent_before_its_time(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 6, 2, 10))
    ladder.escalations_sweep(now=at(2026, 7, 31, 10))  # every rung of the ladder, in advance
    notices = list(EscalationNotice.objects.filter(agreement=agreement))
    assert len(notices) == 6

    assert ladder.escalations_claim_for_dispatch() == []  # nothing handed to workers early
    outcomes = ladder.escalations_deliver(notice_ids=[n.pk for n in notices])  # or sent anyway
    assert outcomes == {"not_due": 6}
    assert not Notification.objects.exists()
    assert set(EscalationNotice.objects.values_list("status", flat=True)) == {"pending"}

    travel(at(2026, 6, 10, 9, 1))  # the reminder two working days before is due, only that
    due_now = ladder.escalations_claim_for_dispatch()
    assert ladder.escalations_deliver(notice_ids=due_now) == {"sent": 1}
    sent = EscalationNotice.objects.get(status="sent")
    assert (sent.rung_number, sent.rung.offset_working_days) == (0, -2)
    assert Notification.objects.get().recipient == cast.social.user


def _queries(fn: Any, *, reads_only: bool = False) -> int:
    """Statements *fn* runs; *reads_only*: not counting the inserts (which a backend splits by
    its own limit on parameters) and their savepoints."""
    with CaptureQueriesContext(connection) as queries:
        fn()
    skip = ("INSERT", "SAVEPOINT", "RELEASE") if reads_only else ()
    return len([q for q in queries if not q["sql"].lstrip().upper().startswith(skip)])


def test_a_sweep_takes_the_same_few_queries_for_one_region_or_two_and_many_agreements(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    travel(at(2026, 6, 16, 10))
    ladder.ladder_of(cast.north)
    bulk_agreements(cast, scenario.case, 2, DUE)
    work_calendar(cast.north)  # decree and closing days of every region, read once and cached
    few = _queries(ladder.escalations_sweep, reads_only=True)
    idle = _queries(ladder.escalations_sweep)
    bulk_agreements(cast, scenario.case, 60, DUE)
    ladder.ladder_of(cast.south)  # a second region's ladder: its rungs join the same query
    many = _queries(ladder.escalations_sweep, reads_only=True)
    idle_after = _queries(ladder.escalations_sweep)
    assert EscalationNotice.objects.count() == 62 * 3
    # stale, ladders, rungs, the due steps, marking the agreements whose ladder is complete
    assert few == many == idle == idle_after == 5


def test_a_batch_is_delivered_in_a_constant_number_of_queries_with_its_recipients_once(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    travel(at(2026, 6, 16, 10))
    bulk_agreements(cast, scenario.case, 3, DUE)
    ladder.escalations_sweep()
    small = ladder.escalations_claim_for_dispatch()
    small_queries = _queries(lambda: ladder.escalations_deliver(notice_ids=small))

    bulk_agreements(cast, scenario.case, 30, DUE)
    ladder.escalations_sweep()
    large = ladder.escalations_claim_for_dispatch()
    assert len(large) == 90
    large_queries = _queries(lambda: ladder.escalations_deliver(notice_ids=large))

    assert small_queries == large_queries
    assert EscalationNotice.objects.filter(status="sent").count() == 99
    # owner twice (reminder, due date) and the team lead once, per agreement
    assert Notification.objects.count() == 99
    assert EscalationRecipient.objects.count() == 99
    assert ladder.escalations_deliver(notice_ids=large) == {"skipped": 90}


def test_the_sweep_hands_notices_to_workers_in_batches_of_the_configured_size(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    sizes: list[int] = []
    monkeypatch.setattr(
        tasks.deliver_escalations, "apply_async", lambda args, **kw: sizes.append(len(args[0]))
    )
    ids = [uuid.uuid4() for _ in range(tasks.DELIVERY_BATCH + 3)]
    assert tasks.publish(ids) == len(ids)
    assert sizes == [tasks.DELIVERY_BATCH, 3]

    sizes.clear()
    settings.MDA_ESCALATION_DELIVERY_BATCH = 2
    assert tasks.publish(ids[:5]) == 5
    assert sizes == [2, 2, 1]
