"""The case list's visibility as it was: the access level computed in the filter for every case
(a correlated subquery inside GREATEST), paged with COUNT(*) and OFFSET. Kept only as the
baseline that ``bench/caselist.py`` measures in the same run; never used by the service."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models import Case as DbCase
from django.db.models.functions import Coalesce, Greatest

from casework.models import Case, Participation
from mda.models import Membership, Role

PARTNER_ROLES = (Role.PROFESSIONAL, Role.ESCALATION_OFFICIAL)


def _region_ids_with_role(user: Any, *roles: str) -> Any:
    return Membership.objects.filter(user=user, role__in=roles).values("organisation__region_id")


def cases_visible_to(user: Any) -> Any:
    participation_level = (
        Participation.objects.active()
        .filter(
            organisation__memberships__user=user,
            organisation__memberships__role__in=PARTNER_ROLES,
        )
        .filter(case=OuterRef("pk"))
        .order_by("-level")
        .values("level")[:1]
    )
    coordinated = Q(region_id__in=_region_ids_with_role(user, Role.COORDINATOR))
    chaired = Q(region_id__in=_region_ids_with_role(user, Role.CHAIR))
    values = {
        "as_coordinator": DbCase(
            When(coordinated, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        "access_level": Greatest(
            DbCase(
                When(coordinated, then=Value(2)),
                When(chaired, then=Value(1)),
                default=Value(-1),
                output_field=IntegerField(),
            ),
            Coalesce(Subquery(participation_level, output_field=IntegerField()), Value(-1)),
        ),
    }
    return (
        Case.objects.annotate(**values)
        .filter(**{"access_level__gte": 0})
        .select_related("region", "referring_organisation")
        .order_by("-created_at")
    )
