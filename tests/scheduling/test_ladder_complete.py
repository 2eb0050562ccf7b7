"""An agreement whose whole ladder was sent drops out of the sweep's reading, and comes back when
there is something to send again: a new round (a new due date) or a rung added to the ladder."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from casework import services
from casework.models import Agreement
from scheduling import services as ladder
from scheduling.models import Rung
from tests.casework.conftest import Scenario
from tests.conftest import Cast
from tests.scheduling.conftest import (
    LadderPeople,
    as_seen_by,
    at,
    make_agreement,
    run_ladder,
    sent_steps,
)

DUE = date(2026, 6, 12)
EVERY_STEP = [(0, -2), (0, 0), (1, 2), (2, 5), (3, 10), (4, 15)]


def _completed(agreement: Agreement) -> int | None:
    agreement.refresh_from_db()
    return agreement.ladder_completed_round


def _whole_ladder_sent(cast: Cast, scenario: Scenario, travel: Any) -> Agreement:
    """An agreement due on DUE with every step of the ladder sent (+16 working days)."""
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 7, 6, 10))
    run_ladder()
    assert _completed(agreement) == 0
    return agreement


def test_an_agreement_is_complete_once_its_last_rung_is_sent_and_not_before(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 6, 22, 10))  # +6 working days: rungs up to 2 are due, 3 and 4 are not
    run_ladder()
    assert sent_steps(agreement) == EVERY_STEP[:4]
    assert _completed(agreement) is None

    travel(at(2026, 7, 6, 10))  # +16: the last rung too
    run_ladder()
    assert sent_steps(agreement) == EVERY_STEP
    assert _completed(agreement) == 0
    assert run_ladder() == []  # at rest, nothing more


def test_a_new_due_date_after_the_whole_ladder_starts_it_again(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    agreement = _whole_ladder_sent(cast, scenario, travel)

    coordinator = cast.coordinator.user
    services.agreement_update(
        actor=coordinator, agreement=as_seen_by(coordinator, agreement), due_date=date(2026, 7, 10)
    )
    travel(at(2026, 7, 8, 10))  # -2 working days of the new date
    run_ladder()

    assert sent_steps(agreement)[-1] == (0, -2)
    assert _completed(agreement) == 0  # the round before; round 1 is under way
    agreement.refresh_from_db()
    assert agreement.ladder_round == 1


def test_a_rung_added_to_the_ladder_reaches_the_agreements_it_had_completed(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    agreement = _whole_ladder_sent(cast, scenario, travel)

    Rung.objects.create(
        ladder=ladder.ladder_of(cast.north),
        number=5,
        name="Ketenregisseur",
        offset_working_days=20,
        notify_owner=True,
    )
    assert _completed(agreement) is None
    travel(at(2026, 7, 13, 10))  # +21 working days
    run_ladder()

    assert sent_steps(agreement) == [*EVERY_STEP, (5, 20)]
    assert _completed(agreement) == 0


def test_a_rung_of_another_region_leaves_this_regions_agreements_complete(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    agreement = _whole_ladder_sent(cast, scenario, travel)
    south = ladder.ladder_of(cast.south)
    south.send_time = time(8, 0)
    south.save()

    south.rungs.filter(number=4).update(active=False)
    Rung.objects.create(ladder=south, number=5, name="Ketenregisseur", offset_working_days=20)

    assert _completed(agreement) == 0
