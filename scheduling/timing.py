"""When a rung of the ladder is due, and its inverse, in working days and Amsterdam wall-clock time.

A rung with offset *k* is due for an agreement with due date *D* at the ladder's send time on the
working day ``calendar.add_working_days(D, k)``, in the working-day calendar of the ladder's region
(``mda.workdays``: weekends, the Algemene termijnenwet's holidays, decree days and the region's
closing days skipped; Europe/Amsterdam, right across DST). The sweep needs the inverse: for a moment
*now*, the latest due date whose rung is due, so that one indexed range query
(``due_date <= cutoff``) finds everything due.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from mda.workdays import WorkCalendar, at_local_time, local_date

_DAY = timedelta(days=1)


def rung_day(due_date: date, offset: int, *, calendar: WorkCalendar) -> date:
    """The working day on which a rung with *offset* working days falls for *due_date*."""
    return calendar.add_working_days(due_date, offset)


def rung_due_at(
    due_date: date, offset: int, send_time: time, *, calendar: WorkCalendar
) -> datetime:
    """The moment (aware, Amsterdam) a rung with *offset* is due for an agreement due on
    *due_date*."""
    return at_local_time(rung_day(due_date, offset, calendar=calendar), send_time)


def last_send_day(now: datetime, send_time: time, *, calendar: WorkCalendar) -> date:
    """The latest working day whose send time is not after *now*."""
    today = local_date(now)
    if calendar.is_working_day(today) and at_local_time(today, send_time) <= now:
        return today
    return calendar.add_working_days(today, -1)


def latest_due_date(now: datetime, offset: int, send_time: time, *, calendar: WorkCalendar) -> date:
    """The latest due date *D* for which the rung with *offset* is due at *now*.

    ``rung_day`` is non-decreasing in *D*, so every due date up to the result is due and every
    later one is not: start at a due date that maps onto the last send day and walk forward over
    the (weekend, holiday) dates that map onto the same day.
    """
    day = last_send_day(now, send_time, calendar=calendar)
    candidate = calendar.add_working_days(day, -offset) if offset else day
    while rung_day(candidate, offset, calendar=calendar) > day:  # defensive: never beyond it
        candidate -= _DAY
    while rung_day(candidate + _DAY, offset, calendar=calendar) <= day:
        candidate += _DAY
    return candidate
