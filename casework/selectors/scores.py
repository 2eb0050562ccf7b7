"""The Signs of Safety chart: every perspective a line over time, the divergence between them a
shaded band, drawn as SVG on the server (no script), with the same numbers as a table."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework.models import Case, Perspective, SafetyScore

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 40, 16, 44
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_X_TICKS = 6
# Colour is never the only cue: each line also has its own dash pattern and marker shape.
STYLES = [
    ("#154273", "", "circle"),
    ("#a80000", "8 4", "square"),
    ("#1c6b2e", "2 4", "triangle"),
    ("#7a4b00", "10 4 2 4", "diamond"),
    ("#5b2a86", "4 4", "circle"),
    ("#00606b", "12 3", "square"),
]


@dataclass
class Point:
    on: date
    value: int
    x: float
    y: float


@dataclass
class Series:
    key: str
    label: str
    colour: str
    dash: str
    marker: str
    points: list[Point] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def latest(self) -> Point:
        return self.points[-1]


@dataclass
class TableRow:
    on: date
    values: list[int | None]
    spread: int | None


@dataclass
class ScaleChart:
    series: list[Series]
    rows: list[TableRow]
    band: str  # SVG polygon points: the range between the highest and lowest perspective
    x_ticks: list[tuple[float, date]]
    y_ticks: list[tuple[float, int]]
    latest_spread: int | None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def summary(self) -> str:
        parts = [
            _("%(label)s: %(value)d on %(date)s")
            % {"label": s.label, "value": s.latest.value, "date": date_format(s.latest.on)}
            for s in self.series
        ]
        text = _("Latest readings: %(list)s.") % {"list": "; ".join(parts)}
        if self.latest_spread is not None:
            text += " " + _("Perspectives differ by %(n)d points.") % {"n": self.latest_spread}
        return text


def _series_key(score: SafetyScore) -> tuple[str, str]:
    if score.perspective == Perspective.PROFESSIONAL and score.organisation is not None:
        return f"org:{score.organisation_id}", score.organisation.name
    if score.member is not None:
        who = str(Perspective(score.perspective).label)
        return f"member:{score.member_id}", f"{score.member.label} ({who.lower()})"
    return "network", str(Perspective.NETWORK.label)


def _x(on: date, first: date, last: date) -> float:
    if first == last:
        return LEFT + PLOT_W / 2
    return LEFT + (on - first).days / (last - first).days * PLOT_W


def _y(value: float) -> float:
    return TOP + (10 - value) / 10 * PLOT_H


def scores_of(case: Case) -> list[SafetyScore]:
    return list(
        SafetyScore.objects.filter(case=case)
        .select_related("organisation", "member")
        .order_by("scored_on", "created_at")
    )


def scale_chart(case: Case, scores: list[SafetyScore] | None = None) -> ScaleChart | None:
    """The chart of *case*'s readings, or None when there are none. The caller checks access
    (readings are level-2 content)."""
    scores = scores_of(case) if scores is None else scores
    if not scores:
        return None
    first, last = scores[0].scored_on, scores[-1].scored_on
    by_series: OrderedDict[str, Series] = OrderedDict()
    for score in scores:
        key, label = _series_key(score)
        if key not in by_series:
            colour, dash, marker = STYLES[len(by_series) % len(STYLES)]
            by_series[key] = Series(key, label, colour, dash, marker)
        series = by_series[key]
        point = Point(
            score.scored_on, score.value, _x(score.scored_on, first, last), _y(score.value)
        )
        if series.points and series.points[-1].on == score.scored_on:
            series.points[-1] = point  # a later reading on the same day replaces the earlier
        else:
            series.points.append(point)
    all_series = list(by_series.values())
    rows = _table(all_series)
    return ScaleChart(
        series=all_series,
        rows=rows,
        band=_band(rows, first, last),
        x_ticks=_x_ticks([r.on for r in rows], first, last),
        y_ticks=[(_y(v), v) for v in range(0, 11, 2)],
        latest_spread=rows[-1].spread if rows else None,
    )


def _table(series: list[Series]) -> list[TableRow]:
    """One row per date; the spread uses each perspective's latest reading up to that date."""
    dates = sorted({p.on for s in series for p in s.points})
    lookup = [{p.on: p.value for p in s.points} for s in series]
    current: list[int | None] = [None] * len(series)
    rows = []
    for on in dates:
        values = [values_on.get(on) for values_on in lookup]
        current = [v if v is not None else c for v, c in zip(values, current, strict=True)]
        known = [c for c in current if c is not None]
        rows.append(TableRow(on, values, max(known) - min(known) if len(known) > 1 else None))
    return rows


def _band(rows: list[TableRow], first: date, last: date) -> str:
    """The polygon between the highest and the lowest current reading, where 2+ are known."""
    upper, lower = [], []
    current: list[int | None] = [None] * (len(rows[0].values) if rows else 0)
    for row in rows:
        current = [v if v is not None else c for v, c in zip(row.values, current, strict=True)]
        known = [c for c in current if c is not None]
        if len(known) < 2:
            continue
        x = _x(row.on, first, last)
        upper.append((x, _y(max(known))))
        lower.append((x, _y(min(known))))
    if not upper:
        return ""
    if len(upper) == 1:  # one moment: a narrow bar, so the gap is still visible
        (x, top), (_x2, bottom) = upper[0], lower[0]
        upper, lower = [(x - 4, top), (x + 4, top)], [(x - 4, bottom), (x + 4, bottom)]
    points = upper + list(reversed(lower))
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _x_ticks(dates: list[date], first: date, last: date) -> list[tuple[float, date]]:
    if len(dates) > MAX_X_TICKS:
        step = (len(dates) - 1) / (MAX_X_TICKS - 1)
        dates = [dates[round(i * step)] for i in range(MAX_X_TICKS)]
    return [(_x(on, first, last), on) for on in dates]
