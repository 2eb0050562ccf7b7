"""The figures of a region and period, computed from the anonymous fact table alone.

Two queries per region whatever the number of cases: the events of the two calendar years
involved, grouped (``_event_rows``), and the spells open at the three month-ends involved
(``_stock_rows``). Everything else is arithmetic on those rows. Small numbers are suppressed per
region and calendar year (``steering.suppression``). Medians and 90th percentiles use the nearest
rank: the smallest number of working days such that at least half (90%) of the cases took no
longer.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.models import RegionPolicy
from mda.models import Fact, FactKind, OrganisationKind, Region
from steering.models import (
    DEFAULT_FIRST_MEETING_WORKING_DAYS,
    DEFAULT_PLAN_WORKING_DAYS,
    RegionNorms,
)
from steering.periods import Period
from steering.suppression import NOTHING, Hidden, Shown, shown_count, shown_derived, suppress

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
#: The indicators of a dashboard, in order (also the CSV export's and the API's keys).
INDICATOR_KEYS = (
    "referrals",
    "triage",
    "first_meeting",
    "plan",
    "status_at_end",
    "safety_phase_at_end",
    "agreements",
    "escalations",
    "reopenings",
    "meetings",
)
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


# --- Figures -----------------------------------------------------------------------------------


@dataclass
class Figure:
    """One line of an indicator: this period, the previous one, the same period a year earlier."""

    key: str
    label: str
    values: list[Shown]
    unit: str = ""
    in_chart: bool = False

    @property
    def current(self) -> Shown:
        return self.values[0]

    def change(self, index: int) -> Shown:
        """This period minus an earlier one, only between two shown numbers."""
        now, then = self.values[0], self.values[index]
        if now.value is None or then.value is None or now.is_hidden or then.is_hidden:
            return NOTHING
        difference = now.value - then.value
        return Shown(round(difference, 1) if isinstance(difference, float) else difference)

    @property
    def change_previous(self) -> Shown:
        return self.change(1)

    @property
    def change_year(self) -> Shown:
        return self.change(2)


@dataclass
class Indicator:
    key: str
    title: str
    figures: list[Figure]
    note: str = ""
    chart: Any = None

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


@dataclass
class RegionDashboard:
    region: Region
    period: Period
    periods: list[Period]
    indicators: list[Indicator] = field(default_factory=list)

    def indicator(self, key: str) -> Indicator:
        return next(i for i in self.indicators if i.key == key)


@dataclass
class _Data:
    """The grouped rows of a region, sorted into what the indicators need."""

    flows: dict[int, dict[str, dict[str, Counter[int]]]]  # year -> table -> category -> month
    durations: dict[str, dict[date, Counter[int]]]  # kind -> month -> working days -> n
    amounts: dict[str, dict[date, int]]  # kind -> month -> summed amount
    stocks: dict[date, dict[tuple[str, str], int]]  # month end -> (kind, category) -> n


def region_dashboard(region: Region, period: Period) -> RegionDashboard:
    periods = [period, period.previous, period.year_earlier]
    norms = _norms(region)
    data = _load(region, periods, norms)
    tables = _tables(data)
    builder = _Builder(periods, tables, data, norms, region)
    return RegionDashboard(region, period, periods, builder.indicators())


def _load(region: Region, periods: list[Period], norms: dict[str, int]) -> _Data:
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
    return _Data(flows, durations, amounts, stocks)


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


def _tables(data: _Data) -> dict[int, dict[str, YearTable]]:
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


def _norms(region: Region) -> dict[str, int]:
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


def _share(part: Shown, whole: Shown) -> Shown:
    if part.is_hidden or whole.is_hidden:
        return Shown(None, Hidden.SECONDARY if not whole.is_hidden else whole.hidden)
    if not whole.value:
        return NOTHING
    return Shown(round(100 * (part.value or 0) / whole.value, 1))


class _Builder:
    def __init__(
        self,
        periods: list[Period],
        tables: dict[int, dict[str, YearTable]],
        data: _Data,
        norms: dict[str, int],
        region: Region,
    ) -> None:
        self.periods, self.tables, self.data, self.norms = periods, tables, data, norms
        self.region = region

    def each(self, compute: Callable[[Period], Shown]) -> list[Shown]:
        return [compute(p) for p in self.periods]

    def count(self, table: str, category: str) -> list[Shown]:
        return self.each(lambda p: self.tables[p.year][table].get(category, p))

    def count_figure(self, table: str, category: str, label: str, chart: bool = False) -> Figure:
        return Figure(f"{table}.{category}", label, self.count(table, category), in_chart=chart)

    def share_figure(self, key: str, label: str, table: str, part: str, whole: str) -> Figure:
        values = [
            _share(
                self.tables[p.year][table].get(part, p), self.tables[p.year][table].get(whole, p)
            )
            for p in self.periods
        ]
        return Figure(key, label, values, unit="%")

    def indicators(self) -> list[Indicator]:
        return [
            self.referrals(),
            self.triage(),
            self.duration(FactKind.FIRST_MEETING, _("Acceptance to first case meeting")),
            self.duration(FactKind.PLAN, _("Acceptance to plan")),
            self.stock(
                FactKind.STATUS, _("Open cases per status at the end of the period"), OPEN_STATUSES
            ),
            self.stock(
                FactKind.SAFETY_PHASE,
                _("Open cases per safety phase at the end of the period"),
                SAFETY_PHASES,
            ),
            self.agreements(),
            self.escalations(),
            self.reopenings(),
            self.meetings(),
        ]

    def referrals(self) -> Indicator:
        t = "referrals"
        figures = [
            self.count_figure(t, TOTAL, _("Referrals")),
            self.count_figure(t, "veilig_thuis", _("From Veilig Thuis"), chart=True),
            self.count_figure(t, "other", _("From other partners"), chart=True),
            self.share_figure(
                "referrals.share_other",
                _("Share from partners other than Veilig Thuis"),
                t,
                "other",
                TOTAL,
            ),
            self.count_figure(t, "repeat", _("Repeats within 12 months")),
            self.share_figure(
                "referrals.share_repeat", _("Repeats as a share of referrals"), t, "repeat", TOTAL
            ),
            self.count_figure("children", "children", _("Children involved")),
        ]
        figures += self.rates()
        return Indicator("referrals", _("Referrals"), figures)

    def rates(self) -> list[Figure]:
        households = self.region.households or 0
        young = self.norms["young_people"]
        figures = []
        if households:
            figures.append(
                self._rate(
                    "referrals.per_10000_households",
                    _("Referrals per 10,000 households"),
                    "referrals",
                    TOTAL,
                    households,
                )
            )
        if young:
            figures.append(
                self._rate(
                    "children.per_10000_young_people",
                    _("Children involved per 10,000 young people"),
                    "children",
                    "children",
                    young,
                )
            )
        return figures

    def _rate(self, key: str, label: str, table: str, category: str, size: int) -> Figure:
        def compute(p: Period) -> Shown:
            shown = self.tables[p.year][table].get(category, p)
            if shown.is_hidden:
                return Shown(None, shown.hidden)
            return Shown(round(10000 * (shown.value or 0) / size, 1))

        return Figure(key, label, self.each(compute), unit=_("per 10,000"))

    def triage(self) -> Indicator:
        t = FactKind.TRIAGE
        figures = [self.count_figure(t, TOTAL, _("Triage decisions"))]
        figures += [
            self.count_figure(t, code, str(label), chart=True) for code, label in TRIAGE_OUTCOMES
        ]
        figures += self.duration_figures(t)
        norm = self.norms[t]
        note = _("Norm: a decision within %(n)d working days of the referral.") % {"n": norm}
        return Indicator("triage", _("Triage decisions"), figures, note=note)

    def duration(self, kind: str, title: str) -> Indicator:
        norm = self.norms[kind]
        note = _("Norm: %(n)d working days.") % {"n": norm}
        return Indicator(str(kind), title, self.duration_figures(kind), note=note)

    def duration_figures(self, kind: str) -> list[Figure]:
        norm, table = self.norms[kind], f"duration:{kind}"
        counts = self.count(table, TOTAL)
        histograms = [self._histogram(kind, p) for p in self.periods]

        def rank(fraction: float) -> list[Shown]:
            return [shown_derived(percentile(h, fraction), sum(h.values())) for h in histograms]

        return [
            Figure(f"{kind}.count", _("Number of cases"), counts),
            Figure(f"{kind}.median", _("Median (working days)"), rank(0.5)),
            Figure(f"{kind}.p90", _("90th percentile (working days)"), rank(0.9)),
            self.share_figure(
                f"{kind}.within_norm",
                _("Within the norm of %(n)d working days") % {"n": norm},
                table,
                "within",
                TOTAL,
            ),
        ]

    def _histogram(self, kind: str, period: Period) -> Counter[int]:
        total: Counter[int] = Counter()
        for m in period.months:
            total.update(self.data.durations[kind].get(date(period.year, m, 1), Counter()))
        return total

    def stock(self, kind: str, title: str, categories: list[tuple[str, Any]]) -> Indicator:
        cells: dict[tuple[str, date], int] = {}
        relations = []
        for p in self.periods:
            rows = self.data.stocks[p.last_month]
            for code, _label in categories:
                cells[(code, p.last_month)] = rows.get((kind, code), 0)
            cells[(TOTAL, p.last_month)] = sum(cells[(c, p.last_month)] for c, _l in categories)
            relations.append(((TOTAL, p.last_month), [(c, p.last_month) for c, _l in categories]))
        hidden = suppress(cells, relations)

        def row(code: str) -> list[Shown]:
            return [
                shown_count(cells[(code, p.last_month)], hidden.get((code, p.last_month)))
                for p in self.periods
            ]

        figures = [Figure(f"{kind}.{TOTAL}", _("Open cases"), row(TOTAL))]
        figures += [
            Figure(f"{kind}.{code}", str(label), row(code), in_chart=True)
            for code, label in categories
        ]
        return Indicator(f"{kind}_at_end", title, figures)

    def agreements(self) -> Indicator:
        t = FactKind.AGREEMENT
        figures = [self.count_figure(t, TOTAL, _("Agreements due"))]
        figures += [
            self.count_figure(t, code, str(label), chart=True) for code, label in AGREEMENT_STATES
        ]
        figures.append(
            self.share_figure(
                "agreement.share_on_time", _("Share done on time"), t, "on_time", TOTAL
            )
        )
        return Indicator("agreements", _("Agreements due in the period"), figures)

    def escalations(self) -> Indicator:
        t = "escalations"
        figures = [self.count_figure(t, "sent", _("Reminders and escalations sent"))]
        for rung in RUNGS:
            label = _("Reminders (rung 0)") if rung == "0" else _("Rung %(n)s") % {"n": rung}
            figures.append(self.count_figure(t, f"sent:{rung}", label, chart=True))
        figures.append(self.count_figure(t, "ack", _("Acknowledged")))
        figures.append(
            self.share_figure(
                "escalations.share_acknowledged", _("Share acknowledged"), t, "ack", "sent"
            )
        )
        return Indicator("escalations", _("Escalations per rung"), figures)

    def reopenings(self) -> Indicator:
        t = FactKind.REOPENING
        figures = [self.count_figure(t, TOTAL, _("Follow-up re-openings"))]
        figures += [
            self.count_figure(t, code, str(label), chart=True) for code, label in REOPENING_CAUSES
        ]
        return Indicator("reopenings", _("Follow-up re-openings"), figures)

    def meetings(self) -> Indicator:
        t = "meetings"
        held, discussed = FactKind.MEETING_HELD, FactKind.CASE_DISCUSSED

        def average(p: Period, numerator: Callable[[Period], int], basis: str) -> Shown:
            n = self.tables[p.year][t].value(basis, p)
            return shown_derived(numerator(p) / n if n else None, n)

        def cases(p: Period) -> int:
            return self.tables[p.year][t].value(discussed, p)

        def minutes(p: Period) -> int:
            return sum(self.data.amounts[discussed].get(date(p.year, m, 1), 0) for m in p.months)

        figures = [
            self.count_figure(t, held, _("Meetings held")),
            self.count_figure(t, discussed, _("Cases discussed")),
            Figure(
                "meetings.cases_per_meeting",
                _("Average cases per meeting"),
                self.each(lambda p: average(p, cases, held)),
            ),
            Figure(
                "meetings.minutes_per_case",
                _("Average minutes per case"),
                self.each(lambda p: average(p, minutes, discussed)),
            ),
        ]
        return Indicator("meetings", _("Case meetings"), figures)
