"""Two households through the real services, with the clock moved along, so the services' own
fact_record calls write the facts (no fact is made by hand here).

| when (2026)      | what                                                                  |
| Mon 5 Jan 10:00  | the local team refers A (mother, one child)                           |
| Wed 7 Jan        | triage accepts A (2 working days); safety phase 1                     |
| Thu 8 Jan        | Veilig Thuis refers B (mother, two children)                          |
| Fri 9 Jan        | triage declines B (1 working day)                                     |
| Mon 12 Jan       | A gets its case director and plan (3 working days after acceptance),  |
|                  | goes to plan and execution; an agreement due Tue 20 Jan               |
| Mon 19 Jan       | the agreement is done (on time); a manual escalation at rung 3 is     |
|                  | sent and acknowledged                                                 |
| Mon 2 Feb        | A moves to safety phase 2                                             |
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from casework import selectors, services
from casework.access import access_agreement
from casework.models import Case
from mda.workdays import AMSTERDAM
from scheduling import services as scheduling_services
from scheduling.services.escalation import ladder_of
from tests.casework.conftest import grant, refer
from tests.casework.lifecycle_support import as_seen_by, move, ready_for_execution
from tests.conftest import Cast


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=AMSTERDAM)


def live(cast: Cast, time_machine: Any) -> tuple[Case, Case]:
    coordinator = cast.coordinator.user
    time_machine.move_to(at(1, 5), tick=False)
    a = refer(cast, "social")
    time_machine.move_to(at(1, 7), tick=False)
    move(cast, a, "accept")
    time_machine.move_to(at(1, 8), tick=False)
    b = refer(
        cast,
        "veilig_thuis",
        members=[
            services.MemberInput(role="victim", label="moeder"),
            services.MemberInput(role="child", label="kind 1"),
            services.MemberInput(role="child", label="kind 2"),
        ],
    )
    time_machine.move_to(at(1, 9), tick=False)
    move(cast, b, "decline", reason="Geen MDA++-casus.")
    time_machine.move_to(at(1, 12), tick=False)
    referral = selectors.participation_of_case(
        case=as_seen_by(cast, "coordinator", a), participation_id=a.participations.get().pk
    )
    services.participation_revoke(actor=coordinator, participation=referral)
    grant(cast, a, "local_team", 2)
    ready_for_execution(cast, a)
    a = move(cast, a, "start_plan", "start_execution")
    agreement = services.agreement_create(
        actor=coordinator,
        case=a,
        description="Schuldhulp starten",
        owner_organisation=cast.orgs["local_team"],
        due_date=date(2026, 1, 20),
    )
    time_machine.move_to(at(1, 19), tick=False)
    services.agreement_resolve(
        actor=coordinator, agreement=access_agreement(coordinator, agreement.pk), status="done"
    )
    rung = ladder_of(cast.north).rungs.get(number=3)
    notice = scheduling_services.escalation_raise(
        actor=coordinator, case=as_seen_by(cast, "coordinator", a), rung=rung, reason="Stagnatie."
    )
    scheduling_services.escalation_deliver(notice_id=notice.pk)
    notice.refresh_from_db()
    recipient = notice.deliveries.select_related("user").first()
    assert recipient is not None
    scheduling_services.escalation_acknowledge(actor=recipient.user, notice=notice)
    time_machine.move_to(at(2, 2), tick=False)
    services.safety_phase_set(
        actor=coordinator,
        case=as_seen_by(cast, "coordinator", a),
        phase=2,
        reason="Veiligheid bereikt.",
    )
    return a, b
