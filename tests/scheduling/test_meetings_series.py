"""Meeting series: generation ahead by the beat task, Dutch public holidays moved or skipped as the
series says, information deadlines in working days, idempotence, and who may manage a series."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest

from mda.models import RegionClosingDay
from mda.workdays import AMSTERDAM
from scheduling.models import HolidayRule, Meeting, MeetingSeries, Weekday
from scheduling.services import meetings
from scheduling.tasks import sweep_meetings
from tests.conftest import Cast
from tests.scheduling.meetings_support import PERSONAS, make_series

# Easter Monday 6 April and King's Day 27 April 2026 are Mondays; Good Friday is 3 April.
EASTER_MONDAY = date(2026, 4, 6)
KINGS_DAY = date(2026, 4, 27)


@pytest.fixture
def spring(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 3, 27, 12, 0, tzinfo=AMSTERDAM), tick=False)


def _monday_series(cast: Cast, rule: str) -> MeetingSeries:
    return make_series(
        cast,
        name=f"Maandag {rule}",
        weekday=Weekday.MONDAY,
        start_time=time(13, 0),
        holiday_rule=rule,
        weeks_ahead=5,
    )


def _days(series: MeetingSeries) -> list[date]:
    return [m.starts_at.astimezone(AMSTERDAM).date() for m in series.meetings.order_by("starts_at")]


@pytest.mark.usefixtures("spring")
def test_a_meeting_on_a_public_holiday_moves_to_the_next_working_day(cast: Cast) -> None:
    series = _monday_series(cast, HolidayRule.NEXT_WORKING_DAY)
    meetings.meetings_generate(series=series)

    assert _days(series) == [
        date(2026, 3, 30),
        date(2026, 4, 7),  # Easter Monday -> Tuesday
        date(2026, 4, 13),
        date(2026, 4, 20),
        date(2026, 4, 28),  # King's Day -> Tuesday
    ]
    moved = series.meetings.get(regular_date=EASTER_MONDAY)
    assert moved.moved_for_holiday
    assert moved.starts_at == datetime(2026, 4, 7, 13, 0, tzinfo=AMSTERDAM)


@pytest.mark.usefixtures("spring")
def test_a_meeting_on_a_public_holiday_can_move_back_past_good_friday(cast: Cast) -> None:
    series = _monday_series(cast, HolidayRule.PREVIOUS_WORKING_DAY)
    meetings.meetings_generate(series=series)

    assert date(2026, 4, 2) in _days(series)  # Easter Monday -> Thursday (Friday is Good Friday)
    assert date(2026, 4, 24) in _days(series)  # King's Day -> Friday before


@pytest.mark.usefixtures("spring")
def test_a_meeting_on_a_public_holiday_can_be_skipped(cast: Cast) -> None:
    series = _monday_series(cast, HolidayRule.SKIP)
    meetings.meetings_generate(series=series)

    assert _days(series) == [date(2026, 3, 30), date(2026, 4, 13), date(2026, 4, 20)]
    meetings.meetings_generate(series=series)
    assert not series.meetings.filter(regular_date__in=[EASTER_MONDAY, KINGS_DAY]).exists()


@pytest.mark.usefixtures("spring")
def test_the_information_deadline_counts_working_days(cast: Cast) -> None:
    series = _monday_series(cast, HolidayRule.NEXT_WORKING_DAY)
    meetings.meetings_generate(series=series)

    after_easter = series.meetings.get(regular_date=EASTER_MONDAY)  # Tuesday 7 April
    # One working day before Tuesday 7 April: Monday is Easter Monday, Friday Good Friday.
    assert after_easter.information_deadline == datetime(2026, 4, 2, 12, 0, tzinfo=AMSTERDAM)


@pytest.mark.usefixtures("decreed_days")
def test_liberation_day_and_decree_days_move_meetings_like_holidays(
    cast: Cast, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2026, 4, 28, 12, 0, tzinfo=AMSTERDAM), tick=False)
    tuesday = make_series(cast, name="Dinsdag", weeks_ahead=2)  # Tuesday 5 May 2026
    friday = make_series(cast, name="Vrijdag", weekday=Weekday.FRIDAY, weeks_ahead=3)
    meetings.meetings_generate(series=tuesday)
    meetings.meetings_generate(series=friday)

    assert _days(tuesday) == [date(2026, 5, 6), date(2026, 5, 12)]  # 5 May -> Wednesday
    # Friday 15 May 2026 (decree day) -> Monday 18 May; its information deadline one working
    # day before that is Wednesday 13 May (Ascension Day and the 15th do not count).
    assert _days(friday) == [date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 18)]
    moved = friday.meetings.get(regular_date=date(2026, 5, 15))
    assert moved.information_deadline == datetime(2026, 5, 13, 12, 0, tzinfo=AMSTERDAM)


def test_a_closing_day_moves_the_meetings_of_that_region_only(
    cast: Cast, time_machine: Any
) -> None:
    RegionClosingDay.objects.create(
        region=cast.north, day=date(2026, 12, 29), description="Kerstsluiting"
    )
    time_machine.move_to(datetime(2026, 12, 21, 12, 0, tzinfo=AMSTERDAM), tick=False)
    north = make_series(cast, name="Noord", weeks_ahead=2)
    south = meetings.series_create(
        actor=cast.outsider.user,  # the coordinator of region south
        region=cast.south,
        kind=north.kind,
        name="Zuid",
        weekday=north.weekday,
        start_time=north.start_time,
        duration_minutes=north.duration_minutes,
        place="ZVH Zuid",
        holiday_rule=north.holiday_rule,
        weeks_ahead=2,
        starts_on=north.starts_on,
    )
    meetings.meetings_generate(series=north)
    meetings.meetings_generate(series=south)

    assert _days(north) == [date(2026, 12, 22), date(2026, 12, 30)]
    assert _days(south) == [date(2026, 12, 22), date(2026, 12, 29)]


@pytest.mark.usefixtures("spring")
def test_generation_is_idempotent_and_never_plans_the_past(cast: Cast, time_machine: Any) -> None:
    series = make_series(cast, starts_on=date(2026, 1, 1), weeks_ahead=3)
    first = meetings.meetings_generate(series=series)
    again = meetings.meetings_generate(series=series)

    assert len(first) == 3 and again == []
    assert min(m.starts_at for m in first) > datetime(2026, 3, 27, 12, 0, tzinfo=AMSTERDAM)
    time_machine.move_to(datetime(2026, 4, 3, 12, 0, tzinfo=AMSTERDAM), tick=False)
    assert len(meetings.meetings_generate(series=series)) == 1  # one more week came in range


@pytest.mark.usefixtures("spring")
def test_the_beat_task_plans_every_active_series(cast: Cast) -> None:
    make_series(cast, name="Actief", weeks_ahead=2)
    make_series(cast, name="Gestopt", weeks_ahead=2, active=False)

    sweep_meetings()

    assert Meeting.objects.filter(series__name="Actief").count() == 2
    assert Meeting.objects.filter(series__name="Gestopt").count() == 0


def test_a_series_needs_a_place_or_a_link(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        make_series(cast, place="", online_link="")
    assert "place" in raised.value.message_dict


SERIES_ANSWERS = {
    "coordinator": 201,
    "admin": 201,
    "chair": 403,
    "police": 403,
    "care": 403,
    "social": 403,
    "veilig_thuis": 403,
    "escalation": 403,
    "privacy": 403,
    "policy": 403,
    "outsider": 403,  # a coordinator, but of another region
    "outsider_police": 403,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_coordinators_and_functional_admins_set_up_series_of_their_region(
    persona: str, cast: Cast, api: Any, web: Any
) -> None:
    body = {
        "region": "noord",
        "meeting_type": "case_conference",
        "name": f"Serie {persona}",
        "weekday": 1,
        "start_time": "09:30",
        "duration_minutes": 180,
        "place": "ZVH Noord",
        "starts_on": "2026-01-01",
    }
    response = api(persona).post("/api/v1/meeting-series/", body, format="json")
    assert response.status_code == SERIES_ANSWERS[persona], response.content
    listed = {row["name"] for row in api(persona).get("/api/v1/meeting-series/").json()}
    page = web(persona).get("/meetings/series/")
    sees_page = persona in {"coordinator", "admin", "chair", "outsider"}
    assert page.status_code == (200 if sees_page else 403)
    assert listed == ({f"Serie {persona}"} if response.status_code == 201 else set())
    if response.status_code == 201:
        assert MeetingSeries.objects.get(name=f"Serie {persona}").meetings.exists()
