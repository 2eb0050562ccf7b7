"""The figures pages: a region's dashboard (several regions side by side) and the CSV export per
indicator and period. Each starts from ``steering.access`` and is audited."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mda.http import AuthenticatedHttpRequest
from mda.workdays import local_date
from steering import access, services
from steering.charts import bar_chart
from steering.periods import Period, PeriodError, current_period
from steering.selectors import INDICATOR_KEYS, RegionDashboard

KINDS = ("month", "quarter", "year")


def _period(request: HttpRequest) -> tuple[Period, str]:
    text = request.GET.get("period", "").strip()
    if not text:
        return current_period(), ""
    try:
        return Period.parse(text), ""
    except PeriodError as error:
        return current_period(), str(error)


@login_required
@require_GET
def dashboard_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    actor = request.user
    regions = access.access_steering_regions(actor, request.GET.getlist("region"))
    period, error = _period(request)
    dashboards = services.figures_read(actor=actor, regions=regions, period=period, channel="web")
    today = local_date(timezone.now())
    context: dict[str, Any] = {
        "dashboards": dashboards,
        "rows": _side_by_side(dashboards),
        "period": period,
        "periods": dashboards[0].periods,
        "period_error": error,
        "all_regions": list(access.steering_regions_of(actor)),
        "chosen": [r.slug for r in regions],
        "shortcuts": [Period.containing(today, kind) for kind in KINDS],
        "steps": (period.previous, _next(period)),
    }
    return render(request, "steering/dashboard.html", context, status=400 if error else 200)


def _next(period: Period) -> Period:
    if period.kind == "year":
        return Period(period.year + 1, "year")
    last = 12 if period.kind == "month" else 4
    if period.number < last:
        return Period(period.year, period.kind, period.number + 1)
    return Period(period.year + 1, period.kind, 1)


def _side_by_side(dashboards: list[RegionDashboard]) -> list[dict[str, Any]]:
    """Per indicator: each region's indicator and chart, so regions compare side by side."""
    rows = []
    for i, indicator in enumerate(dashboards[0].indicators):
        columns = []
        for dashboard in dashboards:
            own = dashboard.indicators[i]
            columns.append(
                {
                    "region": dashboard.region,
                    "indicator": own,
                    "chart": bar_chart(own, dashboard.periods),
                }
            )
        rows.append({"key": indicator.key, "title": indicator.title, "columns": columns})
    return rows


@login_required
@require_GET
def export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    actor = request.user
    regions = access.access_steering_regions(actor, request.GET.getlist("region"))
    period, error = _period(request)
    key = request.GET.get("indicator", "")
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    if key not in INDICATOR_KEYS:
        raise Http404
    dashboards = services.figures_read(
        actor=actor, regions=regions, period=period, channel="csv", export=True, indicator=key
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{key}-{period.code}-{'-'.join(r.slug for r in regions)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    _write_csv(response, dashboards, key)
    return response


def _write_csv(response: HttpResponse, dashboards: list[RegionDashboard], key: str) -> None:
    writer = csv.writer(response)
    writer.writerow(
        [
            _("region"),
            _("indicator"),
            _("figure"),
            _("unit"),
            _("period"),
            _("value"),
            _("shown as"),
        ]
    )
    for dashboard in dashboards:
        indicator = dashboard.indicator(key)
        for figure in indicator.figures:
            for period, shown in zip(dashboard.periods, figure.values, strict=True):
                value = "" if shown.is_hidden or shown.value is None else shown.value
                writer.writerow(
                    [
                        dashboard.region.slug,
                        indicator.key,
                        figure.key,
                        figure.unit,
                        period.code,
                        value,
                        shown.label,
                    ]
                )
