"""Reading figures leaves a trace: every view and export of a region's figures is audited
(metadata only: which region, which period, which indicator, through which channel)."""

from __future__ import annotations

from django.db import transaction

from mda.audit import audit_record
from mda.models import AuditAction, Region, User
from steering.periods import Period
from steering.selectors import RegionDashboard, region_dashboard


@transaction.atomic
def figures_read(
    *,
    actor: User,
    regions: list[Region],
    period: Period,
    channel: str,
    export: bool = False,
    indicator: str = "",
) -> list[RegionDashboard]:
    """The dashboards of *regions* (already checked with ``steering.access``) for *period*, one
    audit event per region."""
    dashboards = [region_dashboard(region, period) for region in regions]
    for region in regions:
        detail: dict[str, object] = {"period": period.code, "channel": channel}
        if indicator:
            detail["indicator"] = indicator
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT if export else AuditAction.VIEW,
            object_type="figures",
            object_id=region.slug,
            region=region,
            detail=detail,
        )
    return dashboards
