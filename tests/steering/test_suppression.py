"""Small-number suppression (steering/suppression.py): a cell of 3, and every total that could
reveal it."""

from __future__ import annotations

from collections import Counter
from datetime import date

from mda.facts import fact_record
from mda.models import FactKind
from steering.periods import Period
from steering.selectors import YearTable, region_dashboard
from steering.suppression import Hidden, suppress
from tests.conftest import Cast
from tests.steering.conftest import labels


def test_a_cell_of_three_and_its_smallest_partner_are_hidden_the_total_stays() -> None:
    cells = {"total": 20, "a": 3, "b": 7, "c": 10}
    hidden = suppress(cells, [("total", ["a", "b", "c"])])
    assert hidden == {"a": Hidden.PRIMARY, "b": Hidden.SECONDARY}
    # What a reader can still compute: a + b = 10, nothing on its own.


def test_when_no_part_is_left_the_total_is_hidden() -> None:
    hidden = suppress({"total": 13, "a": 3, "b": 10}, [("total", ["a"])])
    assert hidden == {"a": Hidden.PRIMARY, "total": Hidden.SECONDARY}


def test_zero_is_shown_and_hides_nothing() -> None:
    assert suppress({"total": 0, "a": 0}, [("total", ["a"])]) == {}


def test_secondary_suppression_spreads_until_every_relation_is_safe() -> None:
    # a is 3; hiding b (its partner in the first relation) leaves b alone in the second.
    cells = {"t1": 10, "a": 3, "b": 7, "t2": 17, "c": 10}
    hidden = suppress(cells, [("t1", ["a", "b"]), ("t2", ["b", "c"])])
    assert hidden == {"a": Hidden.PRIMARY, "b": Hidden.SECONDARY, "c": Hidden.SECONDARY}


def test_months_cannot_be_subtracted_from_their_quarter() -> None:
    table = YearTable(2026, {"total": Counter({1: 3, 2: 8, 3: 9})})
    q1, jan, feb, mar = (Period.parse(p) for p in ("2026-Q1", "2026-01", "2026-02", "2026-03"))
    assert table.get("total", jan).label == "< 5"
    assert table.get("total", feb).label == "×"  # else 20 - 8 - 9 reveals January
    assert table.get("total", mar).label == "9"
    assert table.get("total", q1).label == "20"


def test_the_year_view_and_the_quarter_view_show_the_same_cells(cast: Cast) -> None:
    """One table per year: a month hidden in one view is hidden in every view."""
    org = cast.orgs["police"]
    for month, n in [(1, 3), (2, 8), (3, 9), (4, 6)]:
        for _i in range(n):
            fact_record(
                FactKind.REFERRAL, region=cast.north, organisation=org, on=date(2026, month, 5)
            )
    by_quarter = region_dashboard(cast.north, Period.parse("2026-Q1"))
    by_month = region_dashboard(cast.north, Period.parse("2026-02"))
    by_year = region_dashboard(cast.north, Period.parse("2026"))
    assert labels(by_quarter, "referrals", "referrals.total")[0] == "20"
    assert labels(by_month, "referrals", "referrals.total") == ["×", "< 5", "0"]
    assert labels(by_year, "referrals", "referrals.total")[0] == "26"


def test_a_share_whose_part_is_small_is_not_shown(cast: Cast) -> None:
    vt, police = cast.orgs["veilig_thuis"], cast.orgs["police"]
    for org, n in [(vt, 3), (police, 12)]:
        for _i in range(n):
            fact_record(FactKind.REFERRAL, region=cast.north, organisation=org, on=date(2026, 2, 5))
    figures = region_dashboard(cast.north, Period.parse("2026-02"))
    assert labels(figures, "referrals", "referrals.veilig_thuis")[0] == "< 5"
    assert labels(figures, "referrals", "referrals.other")[0] == "×"
    assert labels(figures, "referrals", "referrals.total")[0] == "15"
    assert labels(figures, "referrals", "referrals.share_other")[0] == "×"
    # the differences with earlier periods are not shown for hidden figures either
    assert (
        figures.indicator("referrals").figure("referrals.veilig_thuis").change_previous.value
        is None
    )
