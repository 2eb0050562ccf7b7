"""Working days under the Algemene termijnenwet: the statutory holidays (the ``holidays`` package's
list corrected), the decree days (data, extended by a functional admin), a region's closing days,
and what reading them costs."""

from __future__ import annotations

from datetime import UTC, date, time
from typing import Any

import pytest

from mda.models import DecreedDay, RegionClosingDay
from mda.workdays import WorkCalendar, at_local_time, statutory_holidays, work_calendar
from tests.conftest import Cast

NATIONAL = WorkCalendar()  # weekends and statutory holidays only, no database


@pytest.mark.parametrize(
    ("year", "days"),
    [
        (
            2026,
            [(1, 1), (4, 3), (4, 6), (4, 27), (5, 5), (5, 14), (5, 25), (12, 25), (12, 26)],
        ),
        (
            2027,
            [(1, 1), (3, 26), (3, 29), (4, 27), (5, 5), (5, 6), (5, 17), (12, 25), (12, 26)],
        ),
        # King's Day falls on a Sunday: it is celebrated on Saturday 26 April.
        (
            2025,
            [(1, 1), (4, 18), (4, 21), (4, 26), (5, 5), (5, 29), (6, 9), (12, 25), (12, 26)],
        ),
        (
            2031,
            [(1, 1), (4, 11), (4, 14), (4, 26), (5, 5), (5, 22), (6, 2), (12, 25), (12, 26)],
        ),
    ],
)
def test_the_statutory_holidays_are_exactly_those_of_the_act(
    year: int, days: list[tuple[int, int]]
) -> None:
    # New Year, Good Friday, Easter Monday, King's Day, 5 May, Ascension, Whit Monday, Christmas x2
    assert sorted(statutory_holidays(year)) == [date(year, m, d) for m, d in days]


def test_five_may_is_no_working_day_in_any_year() -> None:
    assert not NATIONAL.is_working_day(date(2026, 5, 5))  # Tuesday, not a lustrum year
    assert not NATIONAL.is_working_day(date(2027, 5, 5))  # Wednesday
    assert NATIONAL.is_working_day(date(2026, 5, 6))


def test_weekends_and_dutch_public_holidays_are_no_working_days() -> None:
    assert not NATIONAL.is_working_day(date(2026, 11, 21))  # Saturday
    assert not NATIONAL.is_working_day(date(2026, 4, 27))  # King's Day
    assert not NATIONAL.is_working_day(date(2026, 12, 25))  # Christmas
    assert NATIONAL.is_working_day(date(2026, 11, 23))


def test_five_working_days_after_a_thursday_before_easter_skip_the_long_weekend() -> None:
    # Thu 2 April 2026; Good Friday 3 April and Easter Monday 6 April are holidays.
    assert NATIONAL.add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)
    assert NATIONAL.add_working_days(date(2026, 4, 13), -5) == date(2026, 4, 2)


def test_working_days_between_counts_only_working_days() -> None:
    assert NATIONAL.working_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 1
    assert NATIONAL.working_days_between(date(2026, 12, 28), date(2026, 12, 24)) == -1


def test_a_local_time_is_right_on_both_sides_of_the_dst_change() -> None:
    before = at_local_time(date(2026, 10, 24), time(9, 30)).astimezone(UTC)
    after = at_local_time(date(2026, 10, 26), time(9, 30)).astimezone(UTC)
    assert (before.hour, after.hour) == (7, 8)


@pytest.mark.usefixtures("decreed_days")
@pytest.mark.parametrize(
    "day",
    [date(2026, 1, 2), date(2026, 5, 15), date(2027, 5, 7), date(2028, 4, 28), date(2028, 5, 26)],
)
def test_the_days_of_the_decree_are_no_working_days(day: date) -> None:
    assert NATIONAL.is_working_day(day)  # a Friday: only the decree makes it a day off
    assert not work_calendar(None).is_working_day(day)


@pytest.mark.django_db
def test_the_data_migration_seeds_the_decree_for_2026_to_2028() -> None:
    assert {
        date(2026, 1, 2),
        date(2026, 5, 15),
        date(2027, 5, 7),
        date(2028, 4, 28),
        date(2028, 5, 26),
    } <= set(DecreedDay.objects.values_list("day", flat=True))


def test_a_decree_day_added_by_a_functional_admin_counts_at_once(
    cast: Cast, web: Any, decreed_days: None
) -> None:
    friday = date(2029, 5, 11)  # the Friday after Ascension Day 2029
    assert work_calendar(cast.north).is_working_day(friday)  # read, and cached

    response = web("admin").post(
        "/admin/mda/decreedday/add/",
        {"day": "2029-05-11", "description": "Vrijdag na Hemelvaartsdag", "source": "Stb."},
    )

    assert response.status_code == 302
    assert not work_calendar(cast.north).is_working_day(friday)
    assert not work_calendar(cast.south).is_working_day(friday)
    assert work_calendar(None).add_working_days(date(2029, 5, 9), 1) == date(2029, 5, 14)


def test_a_region_closing_day_counts_for_that_region_only(cast: Cast) -> None:
    for day in (28, 29, 30, 31):
        RegionClosingDay.objects.create(
            region=cast.north, day=date(2026, 12, day), description="Kerstsluiting"
        )

    north, south = work_calendar(cast.north), work_calendar(cast.south.pk)
    assert not north.is_working_day(date(2026, 12, 29))
    assert south.is_working_day(date(2026, 12, 29))
    assert work_calendar(None).is_working_day(date(2026, 12, 29))
    assert north.add_working_days(date(2026, 12, 24), 1) == date(2027, 1, 4)
    assert south.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)


def test_a_functional_admin_manages_only_the_closing_days_of_their_own_region(
    cast: Cast, web: Any
) -> None:
    admin = web("admin")
    mine = admin.post(
        "/admin/mda/regionclosingday/add/",
        {"region": cast.north.pk, "day": "2026-12-31", "description": "Oudjaarsdag"},
    )
    theirs = admin.post(
        "/admin/mda/regionclosingday/add/",
        {"region": cast.south.pk, "day": "2026-12-31", "description": "Oudjaarsdag"},
    )
    other = RegionClosingDay.objects.create(
        region=cast.south, day=date(2026, 12, 30), description="Zuid dicht"
    )

    assert mine.status_code == 302
    assert theirs.status_code == 200  # the form again: south is no choice for this admin
    assert list(RegionClosingDay.objects.values_list("region__slug", "day")) == [
        ("noord", date(2026, 12, 31)),
        ("zuid", date(2026, 12, 30)),
    ]
    assert admin.get(f"/admin/mda/regionclosingday/{other.pk}/change/").status_code == 302
    assert "Zuid dicht" not in admin.get("/admin/mda/regionclosingday/").content.decode()
    assert not work_calendar(cast.north).is_working_day(date(2026, 12, 31))


def test_closing_days_are_read_once_and_then_cost_no_queries(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    RegionClosingDay.objects.create(region=cast.north, day=date(2026, 12, 29), description="Dicht")
    with django_assert_num_queries(2):  # decree days, closing days of every region
        north = work_calendar(cast.north)
    with django_assert_num_queries(0):
        south = work_calendar(cast.south)
        assert north.working_days_between(date(2026, 1, 1), date(2027, 12, 31)) == (
            south.working_days_between(date(2026, 1, 1), date(2027, 12, 31)) - 1
        )


def test_a_removed_closing_day_no_longer_counts(cast: Cast) -> None:
    closing = RegionClosingDay.objects.create(
        region=cast.north, day=date(2026, 12, 29), description="Dicht"
    )
    assert not work_calendar(cast.north).is_working_day(date(2026, 12, 29))
    closing.delete()
    assert work_calendar(cast.north).is_working_day(date(2026, 12, 29))


def test_with_the_cache_down_the_days_are_read_from_the_database(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, decreed_days: None
) -> None:
    from django.core.cache import cache

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("Redis is down")

    for method in ("get", "set", "delete"):
        monkeypatch.setattr(cache, method, down)
    RegionClosingDay.objects.create(region=cast.north, day=date(2026, 12, 29), description="Dicht")

    assert not work_calendar(cast.north).is_working_day(date(2026, 12, 29))
    assert not work_calendar(cast.north).is_working_day(date(2026, 5, 15))
