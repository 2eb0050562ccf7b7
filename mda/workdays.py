"""Working days as the Algemene termijnenwet counts them, dates and times in Europe/Amsterdam.

No working day is:

- a Saturday or a Sunday;
- a public holiday of article 3: New Year's Day, Easter Monday, Whit Monday, both Christmas days,
  Ascension Day, King's Day (26 April when the 27th is a Sunday) and 5 May *every* year, plus Good
  Friday (its second paragraph). The ``holidays`` package's Dutch list is the base, corrected in
  :func:`statutory_holidays` (it counts 5 May only in lustrum years, and lists Easter Sunday and
  Whit Sunday, which are Sundays anyway);
- a day that a decree equates with a public holiday (:class:`mda.models.DecreedDay`, data that a
  functional admin extends when a new decree appears);
- for a region's deadlines, meetings and reminders: that region's own closing days
  (:class:`mda.models.RegionClosingDay`).

Every computation with working days goes through a :class:`WorkCalendar` from
:func:`work_calendar` (for a region, or national). The decree days and every region's closing days
are read in two queries and kept in Django's cache (shared through Redis when configured) until a
change clears them (``mda.apps``) or ``MDA_WORKDAYS_CACHE_SECONDS`` pass; a calendar object holds
its days, so loops over days never query. Deadlines are stored in UTC and computed here.
"""

from __future__ import annotations

import calendar
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import holidays
from dateutil.easter import easter
from django.conf import settings
from django.core.cache import cache

if TYPE_CHECKING:
    from mda.models import Region

logger = logging.getLogger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CACHE_KEY = "mda:workdays:closed:v1"
_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> Mapping[date, str]:
    """The public holidays of article 3 of the Algemene termijnenwet in *year*: the ``holidays``
    package's Dutch list (King's Day with its Sunday rule included), corrected."""
    days = dict(holidays.country_holidays("NL", years=year))
    easter_sunday = easter(year)
    days.pop(easter_sunday, None)  # Easter Sunday and Whit Sunday are not in the act (and are
    days.pop(easter_sunday + timedelta(days=49), None)  # Sundays anyway)
    days[easter_sunday - timedelta(days=2)] = "Good Friday"  # article 3, second paragraph
    days[date(year, 5, 5)] = "Liberation Day"  # every year, not only every fifth
    return MappingProxyType(days)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days with a set of extra closed days (decree days, a region's closing days)."""

    closed: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() < 5 and day not in self.closed and day not in statutory_holidays(day.year)
        )

    def add_working_days(self, day: date, count: int) -> date:
        """The date *count* working days after *day* (before it when negative); 0 gives *day*
        or, when *day* is no working day, the next working day."""
        if count == 0:
            return self.on_or_after(day)
        step = _DAY if count > 0 else -_DAY
        remaining = abs(count)
        current = day
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current

    def on_or_after(self, day: date) -> date:
        """*day* itself when it is a working day, else the next working day (article 1: a term
        that ends on a day off runs on to the next working day)."""
        while not self.is_working_day(day):
            day += _DAY
        return day

    def on_or_before(self, day: date) -> date:
        while not self.is_working_day(day):
            day -= _DAY
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after *start* up to and including *end* (negative when end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        days = (end - start).days
        return sum(1 for n in range(1, days + 1) if self.is_working_day(start + n * _DAY))


def _closed_days() -> dict[str, Any]:
    """{"decreed": frozenset, "regions": {region id: frozenset}}, from the cache or two queries.
    A cache that is down (Redis) costs the two queries; deadlines are computed all the same."""
    try:
        found = cache.get(CACHE_KEY)
    except Exception:  # the cache backend's connection errors have no common base
        logger.warning("The cache is unavailable: decree and closing days read from the database")
        return _closed_days_read()
    if found is None:
        found = _closed_days_read()
        with contextlib.suppress(Exception):
            cache.set(CACHE_KEY, found, settings.MDA_WORKDAYS_CACHE_SECONDS)
    return found


def _closed_days_read() -> dict[str, Any]:
    from mda.models import DecreedDay, RegionClosingDay

    regions: dict[int, set[date]] = {}
    for region_id, day in RegionClosingDay.objects.values_list("region_id", "day"):
        regions.setdefault(region_id, set()).add(day)
    return {
        "decreed": frozenset(DecreedDay.objects.values_list("day", flat=True)),
        "regions": {region_id: frozenset(days) for region_id, days in regions.items()},
    }


def work_calendar(region: Region | int | None) -> WorkCalendar:
    """The calendar of *region* (its closing days count), or the national one for None."""
    return work_calendars()(region)


def work_calendars() -> Callable[[Region | int | None], WorkCalendar]:
    """The calendars of any number of regions from one read of the decree and closing days (one
    cache round trip): for a loop over many regions, such as the escalation sweep's rungs."""
    closed = _closed_days()
    made: dict[int | None, WorkCalendar] = {}

    def of(region: Region | int | None) -> WorkCalendar:
        region_id = region if isinstance(region, int) or region is None else region.pk
        if region_id not in made:
            regional = closed["regions"].get(region_id, frozenset()) if region_id else frozenset()
            made[region_id] = WorkCalendar(closed=closed["decreed"] | regional)
        return made[region_id]

    return of


def workdays_forget() -> None:
    """Forget the cached decree and closing days (after a change: the next calendar reads them).
    With the cache down there is nothing to forget now; what it held expires by itself."""
    try:
        cache.delete(CACHE_KEY)
    except Exception:
        logger.warning("The cache is unavailable: cached working days not cleared")


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
