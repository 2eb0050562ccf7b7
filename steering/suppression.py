"""Small-number suppression: no figure may single out a household.

The rule
--------
1. **Primary.** A count of 1 to 4 is not shown: it reads "< 5". A count of 0 is shown (nobody
   is singled out by nobody). A figure derived from fewer than 5 (a median, a percentile, an
   average, a share) is not shown either.
2. **Secondary.** Counts hang together: the categories of a figure add up to its total (triage
   outcomes to decisions, Veilig Thuis and other partners to referrals, acknowledged and not
   acknowledged to escalations sent), and months add up to quarters and quarters to the year. A
   reader who sees a total and all but one of its parts can compute the missing part, and so can a
   reader who subtracts this quarter's months from the quarter. So in every such relation
   (a total and its parts) either no member is hidden or at least two are: when exactly one is
   hidden, the smallest shown part is hidden too (marked with a cross, ``SECONDARY_LABEL``: not
   shown so that a total cannot
   reveal a small number), or, when no part is left to hide, the total itself. This repeats until
   no relation has exactly one hidden member.
3. **One table per region and calendar year.** The relations of a year (12 months, 4 quarters,
   the year, every category and its total) are suppressed together, once, and every view (a month,
   a quarter, the year, the comparison with the previous period and the same period a year
   earlier, the CSV export, the API) shows cells of that one table. So views cannot be combined
   to undo each other's suppression. Differences between periods are only shown between two
   shown figures.

Figures at a month's end (cases per status, per safety phase) do not add up over time; there the
relations are the categories and their total at each month's end.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from django.utils.formats import number_format

THRESHOLD = 5

K = TypeVar("K", bound=Hashable)


class Hidden(Enum):
    PRIMARY = "primary"  # under the threshold: "< 5"
    SECONDARY = "secondary"  # hidden so that a total cannot reveal a small number (a cross)


PRIMARY_LABEL = "< 5"
SECONDARY_LABEL = "×"


def is_small(value: int) -> bool:
    return 0 < value < THRESHOLD


def suppress(cells: Mapping[K, int], relations: Iterable[tuple[K, Sequence[K]]]) -> dict[K, Hidden]:
    """Which of *cells* to hide. Each relation is (total, parts): total == sum(parts).
    Cells missing from *cells* count as 0."""
    hidden: dict[K, Hidden] = {k: Hidden.PRIMARY for k, v in cells.items() if is_small(v)}
    relations = list(relations)
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            members = [total, *parts]
            if sum(1 for m in members if m in hidden) != 1:
                continue
            victim = _second_victim(cells, hidden, total, parts)
            hidden[victim] = Hidden.SECONDARY
            changed = True
    return hidden


def _second_victim(
    cells: Mapping[K, int], hidden: Mapping[K, Hidden], total: K, parts: Sequence[K]
) -> K:
    shown = [p for p in parts if p not in hidden]
    if not shown:
        return total
    # The smallest part with a value, so as little as possible disappears; zeros only when
    # nothing else is left (a hidden zero still hides what the other hidden cell is).
    positive = [p for p in shown if cells.get(p, 0) > 0]
    return min(positive or shown, key=lambda p: (cells.get(p, 0), str(p)))


@dataclass(frozen=True)
class Shown:
    """A figure as a reader gets it: the value, or None with the reason it is hidden."""

    value: float | int | None
    hidden: Hidden | None = None

    @property
    def label(self) -> str:
        if self.hidden is Hidden.PRIMARY:
            return PRIMARY_LABEL
        if self.hidden is Hidden.SECONDARY:
            return SECONDARY_LABEL
        if self.value is None:
            return "—"
        if isinstance(self.value, float):
            return number_format(self.value, 1)  # 69,6 in Dutch, 69.6 in English
        return str(self.value)

    @property
    def is_hidden(self) -> bool:
        return self.hidden is not None

    @property
    def number(self) -> float:
        """For drawing: 0 when hidden or missing."""
        return float(self.value) if self.value is not None and self.hidden is None else 0.0


NOTHING = Shown(None)


def shown_count(value: int, hidden: Hidden | None) -> Shown:
    return Shown(None, hidden) if hidden is not None else Shown(value)


def shown_derived(value: float | None, basis: int, *, basis_hidden: bool = False) -> Shown:
    """A figure computed from *basis* observations (a median, a share, an average)."""
    if is_small(basis):
        return Shown(None, Hidden.PRIMARY)
    if basis_hidden:
        return Shown(None, Hidden.SECONDARY)
    if basis == 0 or value is None:
        return NOTHING
    return Shown(value)
