"""Functional admins edit their regions' escalation ladders here. No case content."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mda.access import regions_of
from mda.admin import FunctionalAdminMixin, admin_site
from mda.models import Organisation, User
from scheduling import access
from scheduling.forms import RungAdminForm
from scheduling.models import Ladder, Rung


class RungInline(FunctionalAdminMixin, admin.StackedInline):
    """One block per rung (a table row per rung needed 2,700 pixels): when, who, and its name."""

    model = Rung
    form = RungAdminForm
    extra = 0
    fieldsets = [
        (None, {"fields": [("number", "offset_working_days", "active"), ("name", "name_en")]}),
        (
            _("Who is told"),
            {
                "fields": [
                    "notify_owner",
                    ("organisation_scope", "organisation_kind", "organisation"),
                    "roles",
                    "users",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch a rung off instead: its notices keep pointing at it

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            regions = regions_of(request.user)
            kwargs["queryset"] = Organisation.objects.filter(region__in=regions)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "users":  # the people of the admin's own regions, by name
            regions = regions_of(request.user)
            kwargs["queryset"] = (
                User.objects.filter(memberships__organisation__region__in=regions)
                .distinct()
                .order_by("first_name", "last_name")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Ladder, site=admin_site)
class LadderAdmin(FunctionalAdminMixin, admin.ModelAdmin):
    list_display = ["region", "send_time", "rung_count", "updated_at"]
    inlines = [RungInline]
    readonly_fields = ["updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ladder]:
        return access.ladders_administered_by(request.user).select_related("region")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "region" and not request.user.is_superuser:
            kwargs["queryset"] = regions_of(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("rungs"))
    def rung_count(self, ladder: Ladder) -> int:
        return ladder.rungs.count()
