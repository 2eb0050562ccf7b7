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

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from mda.access import is_active_user, region_ids_with_role
from mda.models import Region, Role, User

STEERING_ROLES = (Role.COORDINATOR, Role.CHAIR, Role.POLICY_OFFICER)


def steering_regions_of(user: User | AnonymousUser) -> QuerySet[Region]:
    """The regions whose figures *user* sees, by name."""
    if not is_active_user(user):
        return Region.objects.none()
    region_ids = region_ids_with_role(user, *STEERING_ROLES)
    return Region.objects.filter(id__in=region_ids).order_by("name")


def access_steering_regions(user: User | AnonymousUser, slugs: list[str]) -> list[Region]:
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
