from __future__ import annotations

import pytest

from steering.periods import Period
from steering.selectors import RegionDashboard, region_dashboard
from tests.conftest import Cast
from tests.steering import scenario

Q1_2026 = Period.parse("2026-Q1")


@pytest.fixture
def figures(cast: Cast) -> RegionDashboard:
    scenario.build(cast.north, cast.orgs)
    return region_dashboard(cast.north, Q1_2026)


def labels(dashboard: RegionDashboard, indicator: str, figure: str) -> list[str]:
    """What a reader sees for this period, the previous one and a year earlier."""
    return [v.label for v in dashboard.indicator(indicator).figure(figure).values]
