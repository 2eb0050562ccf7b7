"""REST API of the figures: the regions whose figures you see, and a region's figures for a period
(the same numbers, suppressed the same way, as the dashboard and the CSV export)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from mda.http import ActorAPIView, LabelledSerializer
from steering import access, services
from steering.periods import Period, PeriodError, current_period
from steering.selectors import RegionDashboard
from steering.suppression import Shown


class RegionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class ValueSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="2026, 2026-Q1 or 2026-03.")
    value = serializers.FloatField(
        allow_null=True, help_text="A count (integer) or a figure; null when hidden or unknown."
    )
    display = serializers.CharField(help_text='As shown: a number, "< 5", "×" or "—".')
    suppressed = serializers.ChoiceField(
        choices=["", "primary", "secondary"],
        help_text="primary: under 5; secondary: hidden so that a total cannot reveal a small "
        "number; empty when shown.",
    )


class FigureSerializer(LabelledSerializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    values = ValueSerializer(many=True, help_text="This period, the previous one, a year earlier.")
    change_previous = serializers.FloatField(allow_null=True)
    change_year_earlier = serializers.FloatField(allow_null=True)


class IndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField()
    figures = FigureSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    region = RegionSerializer()
    period = serializers.CharField()
    periods = serializers.ListField(child=serializers.CharField())
    indicators = IndicatorSerializer(many=True)


def _value(period: Period, shown: Shown) -> dict[str, Any]:
    return {
        "period": period.code,
        "value": None if shown.is_hidden else shown.value,
        "display": shown.label,
        "suppressed": shown.hidden.value if shown.hidden else "",
    }


def figures_data(dashboard: RegionDashboard) -> dict[str, Any]:
    return {
        "region": {"slug": dashboard.region.slug, "name": dashboard.region.name},
        "period": dashboard.period.code,
        "periods": [p.code for p in dashboard.periods],
        "indicators": [
            {
                "key": indicator.key,
                "title": indicator.title,
                "note": indicator.note,
                "figures": [
                    {
                        "key": f.key,
                        "label": f.label,
                        "unit": f.unit,
                        "values": [
                            _value(p, v) for p, v in zip(dashboard.periods, f.values, strict=True)
                        ],
                        "change_previous": f.change_previous.value,
                        "change_year_earlier": f.change_year.value,
                    }
                    for f in indicator.figures
                ],
            }
            for indicator in dashboard.indicators
        ],
    }


class FigureRegionListView(ActorAPIView):
    """The regions whose figures you see (coordinators, chairs and policy officers)."""

    @extend_schema(responses={200: RegionSerializer(many=True)}, tags=["figures"])
    def get(self, request: Request) -> Response:
        regions = access.steering_regions_of(self.actor)
        return Response(RegionSerializer(regions, many=True).data)


class FigureRegionView(ActorAPIView):
    """A region's figures for a period, with the previous period and the same period a year
    earlier. Counts under 5 and the cells that could reveal them are null, with the reason."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                str,
                description="2026 (a year), 2026-Q1 (a quarter) or 2026-03 (a month); "
                "default: the current quarter.",
            )
        ],
        responses={200: FiguresSerializer},
        tags=["figures"],
    )
    def get(self, request: Request, region_slug: str) -> Response:
        actor = self.actor
        regions = access.access_steering_regions(actor, [region_slug])
        text = request.query_params.get("period", "").strip()
        try:
            period = Period.parse(text) if text else current_period()
        except PeriodError as error:
            raise ValidationError({"period": [str(error)]}) from None
        dashboards = services.figures_read(
            actor=actor, regions=regions, period=period, channel="api"
        )
        # Shaped by figures_data (the serializer documents it): counts stay integers in the JSON.
        return Response(figures_data(dashboards[0]))
