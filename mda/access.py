"""The one access policy.

Every page, API view, list, export and agenda asks this module who may see what. Issue-specific
rules (cases, notes, identities) are added here, never copied into views or templates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from mda.models import Membership, Organisation, Region, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from mda.models import User


def memberships_of(user: User | AnonymousUser) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation__region")


def roles_of(user: User | AnonymousUser) -> set[str]:
    return set(memberships_of(user).values_list("role", flat=True))


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return memberships_of(user).filter(role__in=roles).exists()


def regions_of(user: User | AnonymousUser) -> QuerySet[Region]:
    if not user.is_authenticated:
        return Region.objects.none()
    return Region.objects.filter(organisations__memberships__user=user).distinct()


def organisations_visible_to(user: User | AnonymousUser) -> QuerySet[Organisation]:
    """The partner organisations of the user's own regions (a directory, no case content)."""
    return Organisation.objects.filter(region__in=regions_of(user)).select_related("region")


def can_administer(user: User | AnonymousUser) -> bool:
    """Functional admins (and superusers) manage organisations, users and configuration."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser) or has_role(user, Role.FUNCTIONAL_ADMIN)
