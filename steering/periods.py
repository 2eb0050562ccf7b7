"""Periods people steer on: a month, a quarter or a calendar year, and the ones to compare with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mda.workdays import local_date


class PeriodError(ValueError):
    """A period that cannot be read; the message says what is expected."""


_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})|-Q(?P<quarter>[1-4]))?$")
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True, order=True)
class Period:
    """``kind`` is "month", "quarter" or "year"; ``number`` the month (1-12) or quarter (1-4)."""

    year: int
    kind: str
    number: int = 0

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026" (a year), "2026-Q1" (a quarter) or "2026-03" (a month)."""
        match = _PATTERN.match(text.strip())
        year = int(match["year"]) if match else 0
        if not match or not MIN_YEAR <= year <= MAX_YEAR:
            raise PeriodError(
                _("Give a period as a year (2026), a quarter (2026-Q1) or a month (2026-03).")
            )
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise PeriodError(_("A month is 01 to 12."))
            return cls(year, "month", month)
        if match["quarter"]:
            return cls(year, "quarter", int(match["quarter"]))
        return cls(year, "year")

    @classmethod
    def containing(cls, day: date, kind: str) -> Period:
        if kind == "month":
            return cls(day.year, "month", day.month)
        if kind == "quarter":
            return cls(day.year, "quarter", (day.month - 1) // 3 + 1)
        return cls(day.year, "year")

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def months(self) -> list[int]:
        if self.kind == "month":
            return [self.number]
        if self.kind == "quarter":
            return [3 * (self.number - 1) + m for m in (1, 2, 3)]
        return list(range(1, 13))

    @property
    def first_month(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def last_month(self) -> date:
        return date(self.year, self.months[-1], 1)

    @property
    def previous(self) -> Period:
        if self.kind == "year":
            return Period(self.year - 1, "year")
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        return Period(self.year - 1, self.kind, 12 if self.kind == "month" else 4)

    @property
    def year_earlier(self) -> Period:
        return Period(self.year - 1, self.kind, self.number)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return date_format(self.first_month, "F Y")
        if self.kind == "quarter":
            return _("Q%(quarter)d %(year)d") % {"quarter": self.number, "year": self.year}
        return str(self.year)

    def __str__(self) -> str:
        return self.code


def current_period(kind: str = "quarter") -> Period:
    """The period of *kind* that today (in Amsterdam) falls in: the dashboard's default."""
    return Period.containing(local_date(timezone.now()), kind)
