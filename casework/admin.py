"""Functional admins set their regions' lifecycle settings here. No case content."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from casework import access
from casework.models import RegionPolicy
from mda.access import regions_administered_by
from mda.admin import FunctionalAdminMixin, admin_site


@admin.register(RegionPolicy, site=admin_site)
class RegionPolicyAdmin(FunctionalAdminMixin, admin.ModelAdmin):
    list_display = [
        "region",
        "triage_working_days",
        "follow_up_months",
        "check_in_months",
        "retention_months",
        "retention_short_months",
        "retention_warning_days",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegionPolicy]:
        return access.region_policies_administered_by(request.user).select_related("region")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "region":
            kwargs["queryset"] = regions_administered_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
