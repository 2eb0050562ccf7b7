"""When reminders and escalations go: every rung of the default ladder, public holidays and both
DST changes, travelled to with time-machine and swept the way beat does it (minus the broker)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mda.models import Notification, RegionClosingDay
from mda.workdays import WorkCalendar
from scheduling.models import EscalationNotice, EscalationRecipient
from scheduling.timing import latest_due_date, rung_due_at
from tests.casework.conftest import Scenario
from tests.conftest import Cast
from tests.scheduling.conftest import LadderPeople, at, make_agreement, run_ladder, sent_steps

DUE = date(2026, 6, 12)  # a Friday; no public holiday between 1 June and 3 July 2026

# (rung, working days from the due date, when it is due in Amsterdam, who is told)
LADDER = [
    (0, -2, at(2026, 6, 10), "social"),  # the owner, two working days before
    (0, 0, at(2026, 6, 12), "social"),  # the owner, on the due date
    (1, 2, at(2026, 6, 16), "escalation"),  # team lead of the local team
    (2, 5, at(2026, 6, 19), "vt_lead"),  # Veilig Thuis
    (3, 10, at(2026, 6, 26), "coordinator"),  # the Zorg- en Veiligheidshuis
    (4, 15, at(2026, 7, 3), "mayor"),  # mayor and alderman for youth
]


def _recipients(agreement: Any, rung: int, offset: int) -> set[str]:
    return set(
        EscalationRecipient.objects.filter(
            notice__agreement=agreement,
            notice__rung_number=rung,
            notice__rung__offset_working_days=offset,
        ).values_list("user__username", flat=True)
    )


@pytest.mark.parametrize(
    ("rung", "offset", "moment", "told"), LADDER, ids=[f"rung{r}{o:+d}" for r, o, _m, _t in LADDER]
)
def test_each_rung_goes_at_its_moment_not_a_minute_before_and_to_its_people(
    rung: int,
    offset: int,
    moment: datetime,
    told: str,
    cast: Cast,
    scenario: Scenario,
    ladder_people: LadderPeople,
    travel: Any,
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    earlier = [(r, o) for r, o, m, _t in LADDER if m < moment]

    travel(moment - timedelta(minutes=1))
    run_ladder()
    assert sent_steps(agreement) == earlier

    travel(moment)
    run_ladder()
    assert sent_steps(agreement) == [*earlier, (rung, offset)]
    assert _recipients(agreement, rung, offset) == {told}
    notice = EscalationNotice.objects.get(agreement=agreement, rung__offset_working_days=offset)
    assert notice.due_at == moment


def test_a_sweep_that_did_not_run_for_weeks_sends_every_step_once(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 8, 1))
    run_ladder()
    run_ladder()
    assert sent_steps(agreement) == [(r, o) for r, o, _m, _t in LADDER]
    assert Notification.objects.filter(case_reference=scenario.case.reference).count() == 6


@pytest.mark.parametrize(
    ("due", "offset", "not_yet", "due_at"),
    [
        # Koningsdag, Monday 27 April 2026: +2 after Friday 24 April is Wednesday 29 April.
        (date(2026, 4, 24), 2, at(2026, 4, 28, 17), at(2026, 4, 29)),
        # ... and -2 before Tuesday 28 April is Thursday 23 April.
        (date(2026, 4, 28), -2, at(2026, 4, 22, 17), at(2026, 4, 23)),
        # Christmas: +2 after Wednesday 23 December 2026 skips the 25th and the weekend.
        (date(2026, 12, 23), 2, at(2026, 12, 25, 12), at(2026, 12, 28)),
        # Easter: Good Friday 3 and Easter Monday 6 April 2026; +5 after Thursday 2 April is
        # Monday 13 April.
        (date(2026, 4, 2), 5, at(2026, 4, 10, 17), at(2026, 4, 13)),
        # A due date on a holiday: "on the due date" is the next working day.
        (date(2026, 4, 27), 0, at(2026, 4, 27, 12), at(2026, 4, 28)),
        # Liberation Day, Tuesday 5 May 2026 (every year): +2 after Monday 4 May is Thursday 7.
        (date(2026, 5, 4), 2, at(2026, 5, 6, 17), at(2026, 5, 7)),
        # Ascension Day 14 May 2026 and the decree's Friday 15 May: +2 after Wednesday 13 May is
        # Tuesday 19 May.
        (date(2026, 5, 13), 2, at(2026, 5, 18, 17), at(2026, 5, 19)),
        # 2027: 5 May (Wednesday), Ascension Day 6 May, the decree's 7 May: -2 before Monday
        # 10 May is Monday 3 May, and "on the due date" of a 7 May agreement is Monday 10 May.
        (date(2027, 5, 10), -2, at(2027, 4, 30, 17), at(2027, 5, 3)),
        (date(2027, 5, 7), 0, at(2027, 5, 7, 12), at(2027, 5, 10)),
    ],
    ids=[
        "koningsdag-after",
        "koningsdag-before",
        "christmas",
        "easter",
        "due-on-holiday",
        "liberation-day",
        "decree-15-may-2026",
        "may-2027-before",
        "decree-7-may-2027",
    ],
)
@pytest.mark.usefixtures("decreed_days")
def test_public_holidays_do_not_count_as_working_days(
    due: date,
    offset: int,
    not_yet: datetime,
    due_at: datetime,
    cast: Cast,
    scenario: Scenario,
    ladder_people: LadderPeople,
    travel: Any,
) -> None:
    start = due - timedelta(days=10)
    travel(at(start.year, start.month, start.day, 12))
    agreement = make_agreement(cast, scenario.case, due)
    travel(not_yet)
    run_ladder()
    assert not EscalationNotice.objects.filter(
        agreement=agreement, rung__offset_working_days=offset
    ).exists()
    travel(due_at)
    run_ladder()
    notice = EscalationNotice.objects.get(agreement=agreement, rung__offset_working_days=offset)
    assert (notice.status, notice.due_at) == ("sent", due_at)


@pytest.mark.parametrize(
    ("due", "utc_not_yet", "utc_due"),
    [
        # Spring: +2 after Thursday 26 March 2026 is Monday 30 March, 09:00 CEST = 07:00 UTC.
        (
            date(2026, 3, 26),
            datetime(2026, 3, 30, 6, 59, tzinfo=UTC),
            datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        ),
        # Autumn: +2 after Thursday 22 October 2026 is Monday 26 October, 09:00 CET = 08:00 UTC.
        (
            date(2026, 10, 22),
            datetime(2026, 10, 26, 7, 59, tzinfo=UTC),
            datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_a_step_due_across_a_dst_change_goes_at_nine_local_time(
    due: date,
    utc_not_yet: datetime,
    utc_due: datetime,
    cast: Cast,
    scenario: Scenario,
    ladder_people: LadderPeople,
    travel: Any,
) -> None:
    start = due - timedelta(days=10)
    travel(at(start.year, start.month, start.day, 12))
    agreement = make_agreement(cast, scenario.case, due)
    travel(utc_not_yet)
    run_ladder()
    assert not EscalationNotice.objects.filter(agreement=agreement, rung_number=1).exists()
    travel(utc_due)
    run_ladder()
    notice = EscalationNotice.objects.get(agreement=agreement, rung_number=1)
    assert notice.status == "sent"
    assert notice.due_at == utc_due


def test_a_closing_day_of_the_region_moves_its_rungs(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    for day in (28, 29, 30, 31):
        RegionClosingDay.objects.create(
            region=cast.north, day=date(2026, 12, day), description="Kerstsluiting"
        )
    travel(at(2026, 12, 14, 12))
    agreement = make_agreement(cast, scenario.case, date(2026, 12, 23))

    travel(at(2026, 12, 31, 17))  # without the closing days, +2 was due on 28 December
    run_ladder()
    assert sent_steps(agreement) == [(0, -2), (0, 0)]
    travel(at(2027, 1, 4))  # Thursday 24 December (1), Monday 4 January (2)
    run_ladder()
    notice = EscalationNotice.objects.get(agreement=agreement, rung__offset_working_days=2)
    assert (notice.status, notice.due_at) == ("sent", at(2027, 1, 4))


@settings(max_examples=300, deadline=None)
@given(
    due=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    offset=st.integers(min_value=-10, max_value=20),
    clock=st.times(min_value=time(6, 0), max_value=time(20, 0)),
    now=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2029, 3, 1), timezones=st.just(UTC)
    ),
    closed=st.frozensets(st.dates(min_value=date(2024, 12, 1), max_value=date(2029, 3, 31))),
)
def test_the_sweeps_cutoff_finds_exactly_the_due_dates_whose_step_is_due(
    due: date, offset: int, clock: time, now: datetime, closed: frozenset[date]
) -> None:
    calendar = WorkCalendar(closed=closed)  # decree and closing days, any set of them
    is_due = rung_due_at(due, offset, clock, calendar=calendar) <= now
    assert is_due == (due <= latest_due_date(now, offset, clock, calendar=calendar))
