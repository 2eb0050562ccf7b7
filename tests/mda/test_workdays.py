from __future__ import annotations

from datetime import UTC, date, time

from mda.workdays import add_working_days, at_local_time, is_working_day, working_days_between


def test_weekends_and_dutch_public_holidays_are_no_working_days() -> None:
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert not is_working_day(date(2026, 4, 27))  # King's Day
    assert not is_working_day(date(2026, 12, 25))  # Christmas
    assert is_working_day(date(2026, 11, 23))


def test_five_working_days_after_a_thursday_before_easter_skip_the_long_weekend() -> None:
    # Thu 2 April 2026; Good Friday 3 April and Easter Monday 6 April are holidays.
    assert add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)
    assert add_working_days(date(2026, 4, 13), -5) == date(2026, 4, 2)


def test_working_days_between_counts_only_working_days() -> None:
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 1
    assert working_days_between(date(2026, 12, 28), date(2026, 12, 24)) == -1


def test_a_local_time_is_right_on_both_sides_of_the_dst_change() -> None:
    before = at_local_time(date(2026, 10, 24), time(9, 30)).astimezone(UTC)
    after = at_local_time(date(2026, 10, 26), time(9, 30)).astimezone(UTC)
    assert (before.hour, after.hour) == (7, 8)
