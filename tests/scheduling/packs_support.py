"""The world of the meeting-pack tests: cases A, B and C of ``meetings_support`` on two meetings,
the first one's minutes published, each case with an open agreement and a Signs of Safety reading
(every text a marker a test can look for)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import time_machine

from casework import services as casework_services
from casework.access import access_case
from casework.models import Case, Perspective, SafetyScore
from mda import crypto
from mda.workdays import AMSTERDAM
from scheduling.models import ItemMinutes, Meeting
from tests.scheduling.meetings_support import NOW, World
from tests.support.layers import layer

PUBLISHED_AT = datetime(2026, 3, 24, 12, 40, tzinfo=AMSTERDAM)


def agreement_marker(key: str) -> str:
    return f"AGREEMENT-{key}-MARKER"


def decision_marker(key: str) -> str:
    return f"DECISION-{key}-MARKER"


def views_marker(key: str) -> str:
    return f"VIEWS-{key}-MARKER"


READINGS = {"A": 3, "B": 5, "C": 7}


def reading_marker(key: str) -> str:
    return f"Network: {READINGS[key]} on 10 Mar 2026"


def make_minutes(world: World, meeting: Meeting, case: Case, key: str, decisions: str = "") -> None:
    """Minutes of *case* at *meeting*, made directly (these tests read minutes, not write them)."""
    item = meeting.items.current().get(case=case)
    minutes = ItemMinutes(id=uuid.uuid4(), item=item, recorded_by=world.coordinator)
    crypto.seal(minutes, "shared_views_ct", views_marker(key), case.data_key)
    crypto.seal(
        minutes, "decisions_ct", decisions or f"{decision_marker(key)} één plan", case.data_key
    )
    minutes.next_review_on = date(2026, 4, 21)
    minutes.save()


def add_content(world: World, key: str, case: Case) -> None:
    """An open agreement and a reading of *case*, and its minutes of the meeting before."""
    coordinator = world.coordinator
    casework_services.agreement_create(
        actor=coordinator,
        case=access_case(coordinator, case.pk),
        description=f"{agreement_marker(key)} schuldhulp regelen",
        owner_organisation=world.cast.orgs["veilig_thuis" if key == "C" else "local_team"],
        owner=None,
        due_date=date(2026, 4, 20),
    )
    SafetyScore.objects.create(
        case=case,
        value=READINGS.get(key, 4),
        scored_on=date(2026, 3, 10),
        perspective=Perspective.NETWORK,
        recorded_by=coordinator,
        recorded_organisation=world.cast.orgs["zvh"],
    )
    make_minutes(world, world.meeting, case, key)


def put_on_both_agendas(world: World, key: str) -> None:
    world.add(key, meeting=world.meeting)
    world.add(key, meeting=world.next_meeting)
    add_content(world, key, world.cases[key])


@layer
def pack_world(draft_agenda: World) -> World:
    """A, B and C on both meetings; the first meeting's minutes published; the second meeting's
    agenda published (the pack's meeting)."""
    world = draft_agenda
    with time_machine.travel(NOW, tick=False):
        world.publish()
        for key in ("A", "B", "C"):
            world.add(key, meeting=world.next_meeting)
            add_content(world, key, world.cases[key])
        world.publish(world.next_meeting)
    Meeting.objects.filter(pk=world.meeting.pk).update(
        minutes_published_at=PUBLISHED_AT, confidentiality_read_at=PUBLISHED_AT
    )
    return world
