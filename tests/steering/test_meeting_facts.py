"""Publishing a meeting's minutes writes the meeting's facts: held with its number of cases, each
case discussed with its slot minutes, and a case's first meeting after acceptance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.management import call_command

from casework.models import CaseEvent, EventKind
from mda.models import Fact, FactKind
from mda.workdays import AMSTERDAM
from scheduling.services import minutes
from tests.scheduling import meetings_support
from tests.scheduling.meetings_support import World, managed, managed_item

published = meetings_support.published
world = meetings_support.world

MARCH = date(2026, 3, 1)


def _run_and_publish(world: World, time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 3, 24, 9, 35, tzinfo=AMSTERDAM), tick=False)
    coordinator = world.coordinator
    meeting = managed(coordinator, world.meeting)
    minutes.meeting_confidentiality_acknowledge(actor=coordinator, meeting=meeting)
    for key in "ABC":
        minutes.minutes_save(
            actor=coordinator,
            item=managed_item(coordinator, world.item(key)),
            shared_views="-",
            decisions="-",
            next_review_on=date(2026, 4, 21),
        )
    minutes.minutes_publish(actor=coordinator, meeting=managed(coordinator, world.meeting))


def _accept_on(world: World, key: str, day: date) -> None:
    """Case *key* was accepted by triage on *day* (its timeline says so)."""
    CaseEvent.objects.create(
        case=world.cases[key],
        kind=EventKind.TRANSITION,
        transition="accept",
        from_status="triage",
        to_status="intake",
        occurred_at=datetime(day.year, day.month, day.day, 11, tzinfo=AMSTERDAM),
    )


def test_publishing_the_minutes_records_the_meeting_and_each_case_discussed(
    published: World, time_machine: Any
) -> None:
    _accept_on(published, "A", date(2026, 3, 10))  # Tue 10 March -> Tue 24 March: 10 working days
    _run_and_publish(published, time_machine)
    held = Fact.objects.get(kind=FactKind.MEETING_HELD)
    assert (held.region_id, held.month, held.amount) == (published.cast.north.pk, MARCH, 3)
    discussed = Fact.objects.filter(kind=FactKind.CASE_DISCUSSED, month=MARCH)
    slots = [item.slot_minutes for item in published.meeting.items.current()]
    assert sorted(a or 0 for a in discussed.values_list("amount", flat=True)) == sorted(slots)
    first = Fact.objects.get(kind=FactKind.FIRST_MEETING)
    assert (first.month, first.working_days) == (MARCH, 10)


def test_the_backfill_writes_the_same_meeting_facts(published: World, time_machine: Any) -> None:
    _accept_on(published, "A", date(2026, 3, 10))
    _run_and_publish(published, time_machine)
    kinds = [FactKind.MEETING_HELD, FactKind.CASE_DISCUSSED, FactKind.FIRST_MEETING]
    before = sorted(
        Fact.objects.filter(kind__in=kinds).values_list("kind", "month", "amount", "working_days")
    )
    Fact.objects.all().delete()
    call_command("facts_backfill", verbosity=0)
    after = sorted(
        Fact.objects.filter(kind__in=kinds).values_list("kind", "month", "amount", "working_days")
    )
    assert after == before
