"""Working hours: when meetings are normally held, ``MDA_WORKING_HOURS`` (default
``08:00-18:00``, Europe/Amsterdam) on working days (``mda.workdays``). A meeting outside them, or
overlapping another of its region, is not refused: the coordinator is warned and confirms.

The settings import this module to check the value at start-up, so it imports no models and
reads working days only when asked.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from mda.workdays import WorkCalendar

DEFAULT = "08:00-18:00"
FORMAT = (
    "Expected MDA_WORKING_HOURS as 'HH:MM-HH:MM' in Amsterdam time, the start before the end, "
    f"for example '{DEFAULT}'."
)
_PATTERN = re.compile(r"\s*([0-2]?[0-9]):([0-5][0-9])\s*-\s*([0-2]?[0-9]):([0-5][0-9])\s*")


def parse_working_hours(value: str) -> tuple[time, time]:
    """``"08:00-18:00"`` as (08:00, 18:00); ValueError saying what is wrong otherwise."""
    match = _PATTERN.fullmatch(value or "")
    if match is None:
        raise ValueError(f"MDA_WORKING_HOURS is {value!r}. {FORMAT}")
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    if start_h > 23 or end_h > 24 or (end_h == 24 and end_m):
        raise ValueError(f"MDA_WORKING_HOURS is {value!r}: no such time. {FORMAT}")
    start = time(start_h, start_m)
    end = time.max if end_h == 24 else time(end_h, end_m)
    if end <= start:
        raise ValueError(
            f"MDA_WORKING_HOURS is {value!r}: the end is not after the start. {FORMAT}"
        )
    return start, end


def check_working_hours(value: str) -> str:
    """For the settings: *value* when valid, else fail start-up with what to do."""
    try:
        parse_working_hours(value)
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from None
    return value


def working_hours() -> tuple[time, time]:
    return parse_working_hours(getattr(settings, "MDA_WORKING_HOURS", DEFAULT))


def within_working_hours(starts_at: datetime, ends_at: datetime, calendar: WorkCalendar) -> bool:
    """Whether a meeting from *starts_at* to *ends_at* lies within working hours on one working
    day of *calendar* (in Amsterdam)."""
    from mda.workdays import AMSTERDAM

    start, end = starts_at.astimezone(AMSTERDAM), ends_at.astimezone(AMSTERDAM)
    opens, closes = working_hours()
    return (
        start.date() == end.date()
        and calendar.is_working_day(start.date())
        and start.time() >= opens
        and end.time() <= closes
    )


def clock_within_working_hours(start: time, end: time) -> bool:
    """Whether a weekly time from *start* to *end* (same day) lies within working hours."""
    opens, closes = working_hours()
    return opens <= start < end <= closes
