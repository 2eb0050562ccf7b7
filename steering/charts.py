"""Bar charts of an indicator, drawn as SVG on the server in the style of the Signs of Safety chart
(``casework.selectors.scores``): per category three bars (this period, the previous one, the same
period a year earlier), each with its own fill pattern so colour is never the only cue, the value
written above it; a hidden figure is an empty dashed stub labelled as in the table ("< 5", or the
cross of a secondary suppression). The page shows the same numbers as a table."""

from __future__ import annotations

import math
from dataclasses import dataclass

from steering.periods import Period
from steering.selectors import Indicator
from steering.suppression import Shown

WIDTH, HEIGHT = 520, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 24, 56
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
STUB = 6
# (fill, pattern id or "", stroke) per period: solid, hatched, dotted.
STYLES = [
    ("#154273", "", "#154273"),
    ("#5b7fa6", "hatch", "#2f5b8a"),
    ("#9fb3c8", "dots", "#4a6a8a"),
]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    shown: Shown
    period: Period
    style: int

    @property
    def fill(self) -> str:
        colour, pattern, _stroke = STYLES[self.style]
        return f"url(#steering-{pattern})" if pattern else colour

    @property
    def stroke(self) -> str:
        return STYLES[self.style][2]

    @property
    def svg(self) -> dict[str, str]:
        """Coordinates as SVG text, formatted here rather than by a template filter per bar."""
        return {
            "x": f"{self.x:.1f}",
            "y": f"{self.y:.1f}",
            "width": f"{self.width:.1f}",
            "height": f"{self.height:.1f}",
            "label_x": f"{self.x + self.width:.1f}",
            "label_y": f"{self.y - 4:.1f}",
        }


@dataclass
class Group:
    label: str
    centre: float
    bars: list[Bar]

    width: float = 0.0

    @property
    def centre_svg(self) -> str:
        return f"{self.centre:.1f}"

    @property
    def short_label(self) -> str:
        """The label as far as it fits under its bars (about 7 units a character)."""
        room = max(4, int(self.width // 7))
        return self.label if len(self.label) <= room else self.label[: room - 1] + "…"


@dataclass
class BarChart:
    key: str
    groups: list[Group]
    y_ticks: list[tuple[str, int]]
    periods: list[Period]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def legend(self) -> list[tuple[int, Period, str, str]]:
        return [(i, p, *STYLES[i][::2]) for i, p in enumerate(self.periods)]


def _nice_max(value: float) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return math.ceil(top)
    return int(value)


def bar_chart(indicator: Indicator, periods: list[Period]) -> BarChart | None:
    """The chart of *indicator*'s categories, or None when it has none to draw."""
    figures = [f for f in indicator.figures if f.in_chart]
    if not figures:
        return None
    top = _nice_max(max((v.number for f in figures for v in f.values), default=0))
    group_w = PLOT_W / len(figures)
    bar_w = min(28.0, group_w * 0.8 / len(periods))
    groups = []
    for i, figure in enumerate(figures):
        centre = LEFT + group_w * (i + 0.5)
        start = centre - bar_w * len(periods) / 2
        bars = []
        for j, (shown, period) in enumerate(zip(figure.values, periods, strict=True)):
            height = STUB if shown.is_hidden else shown.number / top * PLOT_H
            y = TOP + PLOT_H - height
            bars.append(Bar(start + j * bar_w, y, bar_w - 2, height, shown, period, j))
        groups.append(Group(figure.label, centre, bars, group_w))
    ticks = [(f"{TOP + PLOT_H - v / top * PLOT_H:.1f}", v) for v in _ticks(top)]
    return BarChart(indicator.key, groups, ticks, periods)


def _ticks(top: int) -> list[int]:
    step = max(1, top // 5)
    return list(range(0, top + 1, step))
