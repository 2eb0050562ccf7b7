"""Reads of the figures: a region's dashboard from the fact table (``dashboard``), on the tables
of one region and calendar year (``tables``)."""

from steering.selectors.dashboard import (
    INDICATOR_KEYS,
    Figure,
    Indicator,
    RegionDashboard,
    region_dashboard,
)
from steering.selectors.tables import YearTable, percentile

__all__ = [
    "INDICATOR_KEYS",
    "Figure",
    "Indicator",
    "RegionDashboard",
    "YearTable",
    "percentile",
    "region_dashboard",
]
