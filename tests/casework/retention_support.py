"""A case with something in every encrypted place, closed, for the retention tests.

| when (2026)        | what                                                                    |
| Mon 5 Jan 10:00    | the local team refers (mother with identity, child); weegmomenten:       |
|                    | local team 2, police 2, GGZ 1, Veilig Thuis 0; four notes                |
| Tue 6 Jan          | accepted; the coordinator reveals the mother's identity; director, plan, |
|                    | execution; an agreement (done), a Signs of Safety reading, an escalation |
|                    | by hand; the case on the agenda of Tue 13 Jan                            |
| Tue 13 Jan 10:00   | the meeting: minutes recorded                                            |
| Thu 15 Jan 12:00   | closed                                                                   |

With the default terms the case is due on 15 Jan 2028; the warning goes 30 days before, on
16 Dec 2027.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import pytest
import time_machine

from casework import selectors, services
from casework.access import access_agreement, access_case
from casework.models import Case
from mda.workdays import AMSTERDAM
from scheduling.access import access_agenda_item, access_meeting
from scheduling.models import MeetingType
from scheduling.models.meetings import HolidayRule, Weekday
from scheduling.services import agendas, meetings, minutes
from scheduling.services.escalation import escalation_raise, ladder_of
from tests.casework.conftest import NOTES, grant, refer
from tests.casework.lifecycle_support import move, ready_for_execution
from tests.conftest import Cast
from tests.support.layers import layer

MARKERS: tuple[str, ...] = (
    "REASON-MARKER",
    "GOAL-MARKER",
    "Johanna",
    "POLICE-DOMAIN",
    "PLAN-MARKER",
)
MARKERS += ("AGREEMENT-MARKER", "ESCALATION-MARKER", "MINUTES-MARKER", "REVEAL-MARKER")
MARKERS += ("DONE-MARKER", "CLOSE-MARKER")
CLOSED_AT = datetime(2026, 1, 15, 12, tzinfo=AMSTERDAM)


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=AMSTERDAM)


@dataclass
class Rich:
    case: Case
    bsn_index: str
    name_dob_index: str


def coordinator_view(cast: Cast, case: Case) -> Any:
    return access_case(cast.coordinator.user, case.pk)


def rich_case(cast: Cast, time_machine: Any, *, close: bool = True) -> Rich:
    coordinator = cast.coordinator.user
    time_machine.move_to(at(2026, 1, 5), tick=False)
    case = refer(cast)
    referral = selectors.participation_of_case(
        case=coordinator_view(cast, case), participation_id=case.participations.get().pk
    )
    services.participation_revoke(actor=coordinator, participation=referral)
    for org, level in (("local_team", 2), ("police", 2), ("ggz", 1), ("veilig_thuis", 0)):
        grant(cast, case, org, level)
    for persona, visibility, body in NOTES.values():
        user = cast.personas[persona].user
        services.note_add(
            actor=user, case=access_case(user, case.pk), body=body, visibility=visibility
        )
    time_machine.move_to(at(2026, 1, 6), tick=False)
    move(cast, case, "accept")
    member = case.members.get(label="moeder")
    services.identity_reveal(
        actor=coordinator,
        case=coordinator_view(cast, case),
        member=member,
        justification="REVEAL-MARKER needed for the safety plan",
    )
    ready_for_execution(cast, case)
    move(cast, case, "start_plan", "start_execution")
    agreement = services.agreement_create(
        actor=coordinator,
        case=coordinator_view(cast, case),
        description="AGREEMENT-MARKER debt counselling",
        owner_organisation=cast.orgs["local_team"],
        due_date=date(2026, 1, 12),
    )
    services.agreement_resolve(
        actor=coordinator, agreement=access_agreement(coordinator, agreement.pk), status="done"
    )
    services.score_add(
        actor=coordinator,
        case=coordinator_view(cast, case),
        value=4,
        scored_on=date(2026, 1, 6),
        perspective="professional",
        organisation=cast.orgs["zvh"],
    )
    escalation_raise(
        actor=coordinator,
        case=coordinator_view(cast, case),
        rung=ladder_of(cast.north).rungs.get(number=3),
        reason="ESCALATION-MARKER the cooperation stalls",
    )
    _minutes(cast, case, time_machine)
    identity = member.identity
    rich = Rich(case, identity.bsn_index, identity.name_dob_index)
    if close:
        time_machine.move_to(CLOSED_AT, tick=False)
        move(cast, case, "close_early", reason="CLOSE-MARKER safe enough")
    case.refresh_from_db()
    return rich


@layer
def closed_rich_case(cast: Cast) -> Rich:
    """``rich_case`` built once for the tests that follow (it travels the clock itself); the
    ``rich`` fixture puts the test's clock back where ``rich_case`` leaves it."""
    with time_machine.travel(at(2026, 1, 5), tick=False) as traveller:
        return rich_case(cast, traveller)


@pytest.fixture
def rich(closed_rich_case: Rich, time_machine: Any) -> Rich:
    """The closed case of ``rich_case``, with the clock standing where building it left it."""
    time_machine.move_to(CLOSED_AT, tick=False)
    return closed_rich_case


def _minutes(cast: Cast, case: Case, time_machine: Any) -> None:
    coordinator = cast.coordinator.user
    series = meetings.series_create(
        actor=coordinator,
        region=cast.north,
        kind=MeetingType.CASE_CONFERENCE,
        name="Casusoverleg Noord",
        weekday=Weekday.TUESDAY,
        start_time=time(9, 30),
        duration_minutes=180,
        place="ZVH Noord",
        online_link="",
        holiday_rule=HolidayRule.NEXT_WORKING_DAY,
        weeks_ahead=2,
        starts_on=date(2026, 1, 1),
    )
    meeting = meetings.meetings_generate(series=series)[0]
    managed = access_meeting(coordinator, meeting.pk, manage=True)
    item = agendas.agenda_item_add(actor=coordinator, meeting=managed, case=case)
    agendas.agenda_publish(actor=coordinator, meeting=managed)
    time_machine.move_to(meeting.starts_at, tick=False)
    meeting = access_meeting(coordinator, meeting.pk, run=True)
    minutes.meeting_confidentiality_acknowledge(actor=coordinator, meeting=meeting)
    minutes.minutes_save(
        actor=coordinator,
        item=access_agenda_item(coordinator, meeting, item.pk),
        shared_views="MINUTES-MARKER the family wants help",
        decisions="MINUTES-MARKER one plan",
    )
