"""Who sees a region's figures.

| who                                   | figures                                   |
| coordinator or chair of the region    | the region's dashboard, export and API    |
| policy officer of the region          | idem; no case, no case list (mda.access)  |
| anyone else (partners, privacy        | nothing: 404 for a region, an empty list  |
|  officers, functional admins)         |                                           |

The figures hold no personal data, but which regions someone steers on is still need-to-know:
another region's figures answer as if the region did not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from mda.models import Membership, Region, Role

STEERING_ROLES = (Role.COORDINATOR, Role.CHAIR, Role.POLICY_OFFICER)


def steering_regions_of(user: Any) -> QuerySet[Region]:
    """The regions whose figures *user* sees, by name."""
    if not user.is_authenticated or not user.is_active:
        return Region.objects.none()
    region_ids = Membership.objects.filter(user=user, role__in=STEERING_ROLES).values(
        "organisation__region_id"
    )
    return Region.objects.filter(id__in=region_ids).order_by("name")


def can_steer(user: Any) -> bool:
    return steering_regions_of(user).exists()


def access_steering_regions(user: Any, slugs: list[str]) -> list[Region]:
    """The regions named by *slugs* (all of the user's when empty); Http404 when any is not one
    of theirs or does not exist (an outsider cannot tell which)."""
    regions = steering_regions_of(user)
    if not slugs:
        found = list(regions)
        if not found:
            raise Http404
        return found
    wanted = list(dict.fromkeys(slugs))
    found = list(regions.filter(slug__in=wanted))
    if len(found) != len(wanted):
        raise Http404
    return sorted(found, key=lambda r: wanted.index(r.slug))
