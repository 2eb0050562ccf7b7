"""Working days in the Netherlands: weekends and Dutch public holidays (the `holidays` package)
excluded, dates and times in Europe/Amsterdam. Deadlines are stored in UTC and computed here."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo

import holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(day: date, count: int) -> date:
    """The date *count* working days after *day* (before it when negative); 0 gives *day* or,
    when *day* is no working day, the next working day."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    current = day
    if remaining == 0:
        while not is_working_day(current):
            current += timedelta(days=1)
        return current
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after *start* up to and including *end* (negative when end < start)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n))
    )


def local_date(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def at_local_time(day: date, clock: time) -> datetime:
    """*day* at wall-clock time *clock* in Amsterdam, as an aware datetime (right across DST)."""
    return datetime.combine(day, clock, tzinfo=AMSTERDAM)


_When = TypeVar("_When", date, datetime)


def add_months(when: _When, months: int) -> _When:
    """*when* moved by whole calendar months; the 31st becomes the month's last day."""
    index = when.year * 12 + when.month - 1 + months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)
