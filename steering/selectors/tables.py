"""A region's facts, read in two queries, sorted into one table per calendar year.

The events of the calendar years involved are read grouped (``_event_rows``), and the spells open
at the month-ends involved in one more query (``_stock_rows``): two queries per region whatever the
number of cases. Counts per category and month go into a ``YearTable`` per year, with its quarter
and year totals and its suppression (``steering.suppression``). Medians and 90th percentiles use
the nearest rank: the smallest number of working days such that at least half (90%) of the cases
took no longer.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy

from casework.models import RegionPolicy
from mda.models import Fact, FactKind, OrganisationKind, Region
from steering.models import (
    DEFAULT_FIRST_MEETING_WORKING_DAYS,
    DEFAULT_PLAN_WORKING_DAYS,
    RegionNorms,
)
from steering.periods import Period
from steering.suppression import Shown, shown_count, suppress

# Codes written by the services; labels for the figures. Kept here rather than imported from
# casework so the figures read the same after casework's choices change.
TRIAGE_OUTCOMES = [
    ("accept", gettext_lazy("Accepted")),
    ("advise", gettext_lazy("Advice only")),
    ("decline", gettext_lazy("Declined")),
    ("acute_route", gettext_lazy("Acute route")),
]
OPEN_STATUSES = [
    ("referred", gettext_lazy("Referred")),
    ("triage", gettext_lazy("In triage")),
    ("intake", gettext_lazy("Intake")),
    ("plan", gettext_lazy("Plan")),
    ("execution", gettext_lazy("Execution")),
    ("follow_up", gettext_lazy("Follow-up")),
    ("reopened", gettext_lazy("Re-opened")),
]
SAFETY_PHASES = [
    ("1", gettext_lazy("1 – direct safety")),
    ("2", gettext_lazy("2 – stable safety")),
    ("3", gettext_lazy("3 – lasting recovery")),
]
AGREEMENT_STATES = [
    ("on_time", gettext_lazy("Done on time")),
    ("late", gettext_lazy("Done late")),
    ("not_possible", gettext_lazy("Not possible")),
    ("not_done", gettext_lazy("Not done")),
    ("open", gettext_lazy("Still open")),
]
REOPENING_CAUSES = [
    ("repeat", gettext_lazy("New referral")),
    ("check_in", gettext_lazy("Check-in with concerns")),
    ("manual", gettext_lazy("By a coordinator")),
]
RUNGS = [str(n) for n in range(5)]
TOTAL = "total"
DURATION_KINDS = (FactKind.TRIAGE, FactKind.FIRST_MEETING, FactKind.PLAN)


def _pkey(period: Period) -> tuple[str, int]:
    return (period.kind[0], period.number)


# --- One table per region and calendar year --------------------------------------------------


class YearTable:
    """Counts per category and month of one calendar year, with quarter and year totals, and
    which of them are hidden (``steering.suppression``)."""

    def __init__(
        self,
        year: int,
        months: dict[str, Counter[int]],
        partitions: Iterable[tuple[str, list[str]]] = (),
        *,
        over_time: bool = True,
    ) -> None:
        self.year = year
        self.cells: dict[tuple[str, tuple[str, int]], int] = {}
        relations: list[tuple[Any, list[Any]]] = []
        for category, by_month in months.items():
            for m in range(1, 13):
                self.cells[(category, ("m", m))] = by_month.get(m, 0)
            if not over_time:
                continue
            for q in range(1, 5):
                months_of_q = [(category, ("m", m)) for m in range(3 * q - 2, 3 * q + 1)]
                self.cells[(category, ("q", q))] = sum(self.cells[p] for p in months_of_q)
                relations.append(((category, ("q", q)), months_of_q))
            quarters = [(category, ("q", q)) for q in range(1, 5)]
            self.cells[(category, ("y", 0))] = sum(self.cells[p] for p in quarters)
            relations.append(((category, ("y", 0)), quarters))
        keys = {k for (_c, k) in self.cells}
        for total, parts in partitions:
            for key in keys:
                relations.append(((total, key), [(p, key) for p in parts]))
        self.hidden = suppress(self.cells, relations)

    def get(self, category: str, period: Period) -> Shown:
        key = (category, _pkey(period))
        return shown_count(self.cells.get(key, 0), self.hidden.get(key))

    def value(self, category: str, period: Period) -> int:
        return self.cells.get((category, _pkey(period)), 0)


@dataclass
class RegionFacts:
    """The grouped rows of a region, sorted into what the indicators need."""

    flows: dict[int, dict[str, dict[str, Counter[int]]]]  # year -> table -> category -> month
    durations: dict[str, dict[date, Counter[int]]]  # kind -> month -> working days -> n
    amounts: dict[str, dict[date, int]]  # kind -> month -> summed amount
    stocks: dict[date, dict[tuple[str, str], int]]  # month end -> (kind, category) -> n


def region_facts(region: Region, periods: list[Period], norms: dict[str, int]) -> RegionFacts:
    years = sorted({p.year for p in periods})
    first, last = date(years[0], 1, 1), date(years[-1], 12, 1)
    flows: dict[int, dict[str, dict[str, Counter[int]]]] = {
        y: defaultdict(lambda: defaultdict(Counter)) for y in range(years[0], years[-1] + 1)
    }
    durations: dict[str, dict[date, Counter[int]]] = defaultdict(lambda: defaultdict(Counter))
    amounts: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in _event_rows(region, first, last):
        _sort_row(row, flows[row["month"].year], durations, amounts, norms)
    stocks = _stock_rows(region, sorted({p.last_month for p in periods}))
    return RegionFacts(flows, durations, amounts, stocks)


def _event_rows(region: Region, first: date, last: date) -> Iterable[dict[str, Any]]:
    return (
        Fact.objects.filter(region=region, month__gte=first, month__lte=last)
        .exclude(kind__in=[FactKind.STATUS, FactKind.SAFETY_PHASE])
        .values("kind", "category", "organisation_kind", "month", "working_days")
        .annotate(n=Sum("count"), amount=Sum("amount"))
        .order_by()
    )


def _stock_rows(region: Region, month_ends: list[date]) -> dict[date, dict[tuple[str, str], int]]:
    """Spells open at each of *month_ends*, per kind and category, in one query: only spells
    that began by the last and had not ended by the first are read."""

    def open_at(end: date) -> Q:
        return Q(month__lte=end) & (Q(until_month__isnull=True) | Q(until_month__gt=end))

    counts = {f"n{i}": Count("id", filter=open_at(end)) for i, end in enumerate(month_ends)}
    rows = (
        Fact.objects.filter(region=region, kind__in=[FactKind.STATUS, FactKind.SAFETY_PHASE])
        .filter(Q(until_month__isnull=True) | Q(until_month__gt=month_ends[0]))
        .filter(month__lte=month_ends[-1])
        .values("kind", "category")
        .annotate(**counts)
        .order_by()
    )
    stocks: dict[date, dict[tuple[str, str], int]] = {end: {} for end in month_ends}
    for row in rows:
        for i, end in enumerate(month_ends):
            stocks[end][(row["kind"], row["category"])] = row[f"n{i}"]
    return stocks


def _sort_row(
    row: dict[str, Any],
    year: dict[str, dict[str, Counter[int]]],
    durations: dict[str, dict[date, Counter[int]]],
    amounts: dict[str, dict[date, int]],
    norms: dict[str, int],
) -> None:
    kind, category, month, n = row["kind"], row["category"], row["month"], row["n"] or 0
    m = month.month
    if kind == FactKind.REFERRAL:
        table = year["referrals"]
        table[TOTAL][m] += n
        vt = row["organisation_kind"] == OrganisationKind.VEILIG_THUIS
        table["veilig_thuis" if vt else "other"][m] += n
        table["repeat" if category == "repeat" else "new"][m] += n
        year["children"]["children"][m] += row["amount"] or 0
    elif kind in (FactKind.TRIAGE, FactKind.AGREEMENT, FactKind.REOPENING):
        table = year[kind]
        table[TOTAL][m] += n
        table[category][m] += n
    elif kind == FactKind.ESCALATION:
        year["escalations"][f"sent:{category}"][m] += n
        year["escalations"]["sent"][m] += n
    elif kind == FactKind.ESCALATION_ACKNOWLEDGED:
        year["escalations"][f"ack:{category}"][m] += n
        year["escalations"]["ack"][m] += n
    elif kind in (FactKind.MEETING_HELD, FactKind.CASE_DISCUSSED):
        year["meetings"][kind][m] += n
        amounts[kind][month] += row["amount"] or 0
    days = row["working_days"]
    if kind in DURATION_KINDS and days is not None:
        durations[kind][month][days] += n
        table = year[f"duration:{kind}"]
        table[TOTAL][m] += n
        table["within" if days <= norms[kind] else "over"][m] += n


def _escalation_partitions(months: dict[str, Counter[int]]) -> list[tuple[str, list[str]]]:
    for rung in RUNGS:
        sent, ack = months[f"sent:{rung}"], months[f"ack:{rung}"]
        months[f"unack:{rung}"] = Counter({m: sent[m] - ack[m] for m in range(1, 13)})
    months["unack"] = Counter({m: months["sent"][m] - months["ack"][m] for m in range(1, 13)})
    return [
        ("sent", [f"sent:{r}" for r in RUNGS]),
        ("ack", [f"ack:{r}" for r in RUNGS]),
        ("unack", [f"unack:{r}" for r in RUNGS]),
        ("sent", ["ack", "unack"]),
        *[(f"sent:{r}", [f"ack:{r}", f"unack:{r}"]) for r in RUNGS],
    ]


def year_tables(data: RegionFacts) -> dict[int, dict[str, YearTable]]:
    partitions: dict[str, list[tuple[str, list[str]]]] = {
        "referrals": [(TOTAL, ["veilig_thuis", "other"]), (TOTAL, ["new", "repeat"])],
        FactKind.TRIAGE: [(TOTAL, [c for c, _l in TRIAGE_OUTCOMES])],
        FactKind.AGREEMENT: [(TOTAL, [c for c, _l in AGREEMENT_STATES])],
        FactKind.REOPENING: [(TOTAL, [c for c, _l in REOPENING_CAUSES])],
    }
    tables: dict[int, dict[str, YearTable]] = {}
    for year, by_table in data.flows.items():
        tables[year] = {}
        for name, relations in partitions.items():
            keys = [key for total, parts in relations for key in (total, *parts)]
            tables[year][name] = YearTable(year, _ensure(by_table[name], keys), relations)
        tables[year]["children"] = YearTable(year, _ensure(by_table["children"], ["children"]))
        for kind in DURATION_KINDS:
            name = f"duration:{kind}"
            months = _ensure(by_table[name], [TOTAL, "within", "over"])
            tables[year][name] = YearTable(year, months, [(TOTAL, ["within", "over"])])
        escalations = by_table["escalations"]
        _ensure(escalations, ["sent", "ack", *[f"{s}:{r}" for s in ("sent", "ack") for r in RUNGS]])
        tables[year]["escalations"] = YearTable(
            year, escalations, _escalation_partitions(escalations)
        )
        meetings = _ensure(by_table["meetings"], [FactKind.MEETING_HELD, FactKind.CASE_DISCUSSED])
        tables[year]["meetings"] = YearTable(year, meetings)
    return tables


def _ensure(months: dict[str, Counter[int]], keys: Iterable[str]) -> Any:
    for key in keys:
        months.setdefault(key, Counter())
    return months


def region_norms(region: Region) -> dict[str, int]:
    policy = RegionPolicy.objects.for_region(region)
    steering = RegionNorms.objects.filter(region=region).first()
    return {
        FactKind.TRIAGE: policy.triage_working_days,
        FactKind.FIRST_MEETING: (
            steering.first_meeting_working_days if steering else DEFAULT_FIRST_MEETING_WORKING_DAYS
        ),
        FactKind.PLAN: steering.plan_working_days if steering else DEFAULT_PLAN_WORKING_DAYS,
        "young_people": (steering.young_people or 0) if steering else 0,
    }


def percentile(histogram: Counter[int], fraction: float) -> int | None:
    """Nearest rank: the smallest value with at least *fraction* of the observations at or
    below it."""
    n = sum(histogram.values())
    if n <= 0:
        return None
    rank = max(1, math.ceil(fraction * n))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None
