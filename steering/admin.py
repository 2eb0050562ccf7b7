"""Functional admins set their regions' size and norms for the figures."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from mda import access
from mda.admin import FunctionalAdminMixin, admin_site
from steering.models import RegionNorms


@admin.register(RegionNorms, site=admin_site)
class RegionNormsAdmin(FunctionalAdminMixin, admin.ModelAdmin):
    list_display = ["region", "young_people", "first_meeting_working_days", "plan_working_days"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegionNorms]:
        regions = access.regions_administered_by(request.user)
        return RegionNorms.objects.filter(region__in=regions).select_related("region")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "region":
            kwargs["queryset"] = access.regions_administered_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
