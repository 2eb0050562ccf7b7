"""The figures of a region and period, computed from the anonymous fact table alone
(``steering.selectors.tables``): each indicator for this period, the previous one and the same
period a year earlier, as readers get them (suppressed, with shares, medians and rates)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from mda.models import FactKind, Region
from steering.periods import Period
from steering.selectors.tables import (
    AGREEMENT_STATES,
    OPEN_STATUSES,
    REOPENING_CAUSES,
    RUNGS,
    SAFETY_PHASES,
    TOTAL,
    TRIAGE_OUTCOMES,
    RegionFacts,
    YearTable,
    percentile,
    region_facts,
    region_norms,
    year_tables,
)
from steering.suppression import NOTHING, Hidden, Shown, shown_count, shown_derived, suppress

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


def region_dashboard(region: Region, period: Period) -> RegionDashboard:
    periods = [period, period.previous, period.year_earlier]
    norms = region_norms(region)
    data = region_facts(region, periods, norms)
    tables = year_tables(data)
    builder = _Builder(periods, tables, data, norms, region)
    return RegionDashboard(region, period, periods, builder.indicators())


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
        data: RegionFacts,
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
