"""Django admin for functional admins: organisations, users, memberships, tokens. No case content.

Access needs a verified two-factor session and the functional-admin role (or superuser); the
admin's own login page is replaced by the service's login with two-factor.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from mda import access, services
from mda.models import (
    ApiToken,
    DecreedDay,
    Membership,
    Organisation,
    Region,
    RegionClosingDay,
    User,
)


class FunctionalAdminSite(admin.AdminSite):
    site_header = _("MDA++ functional administration")
    site_title = _("MDA++ administration")
    index_title = _("Configuration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return access.two_factor_verified(user) and access.can_administer(user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return redirect_to_login(request.get_full_path())


admin_site = FunctionalAdminSite(name="admin")


class FunctionalAdminMixin:
    """Model permissions follow the functional-admin role rather than Django's per-model flags."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return admin_site.has_permission(request)


class MembershipInline(FunctionalAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Region, site=admin_site)
class RegionAdmin(FunctionalAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "households"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(FunctionalAdminMixin, admin.ModelAdmin):
    list_display = ["name", "region", "domain", "kind", "email"]
    list_filter = ["region", "domain", "kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["region"]


@admin.register(User, site=admin_site)
class UserAdmin(FunctionalAdminMixin, DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Membership, site=admin_site)
class MembershipAdmin(FunctionalAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation__region"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.action(description=_("Revoke the selected tokens"))
def revoke_tokens(modeladmin: Any, request: HttpRequest, queryset: Any) -> None:
    for token in queryset:
        services.api_token_revoke(token=token)


@admin.register(ApiToken, site=admin_site)
class ApiTokenAdmin(FunctionalAdminMixin, admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    actions = [revoke_tokens]
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # tokens are issued with `manage.py issue_token`, which shows the value once


@admin.register(DecreedDay, site=admin_site)
class DecreedDayAdmin(FunctionalAdminMixin, admin.ModelAdmin):
    """National: a day a decree equates with a public holiday counts in every region."""

    list_display = ["day", "description", "source"]
    date_hierarchy = "day"
    search_fields = ["description", "source"]


@admin.register(RegionClosingDay, site=admin_site)
class RegionClosingDayAdmin(FunctionalAdminMixin, admin.ModelAdmin):
    """A functional admin's own regions' closing days."""

    list_display = ["day", "region", "description"]
    list_filter = ["region"]
    date_hierarchy = "day"
    list_select_related = ["region"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegionClosingDay]:
        regions = access.regions_administered_by(request.user)
        return super().get_queryset(request).filter(region__in=regions)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "region":
            kwargs["queryset"] = access.regions_administered_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
