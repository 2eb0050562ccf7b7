"""Who someone is in the service: memberships, roles and the regions they hold them in.

The core knows people, organisations and roles, never cases or meetings. The rules for a subject
live in the ``access.py`` of the app that owns it, built on these helpers:

- ``casework/access.py``: cases, notes, identities, participation, the life of a case,
  agreements;
- ``scheduling/access.py``: meeting series, meetings, agendas, invitations, minutes, escalation
  notices and ladders (a slot is visible because its case is).

Names: ``*_visible_to`` for lists, ``access_*`` to load and check one object (404 when missing or
not yours), ``can_*`` for yes/no, ``require_*`` for checks that raise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Model, Q, QuerySet, Value, When
from django.db.models import Case as DbCase
from django.db.models.expressions import Combinable
from django.http import Http404

from mda.memberships import memberships_held
from mda.models import Membership, Notification, Organisation, Region, Role, User
from mda.queries import one_or_none

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from typing_extensions import TypeIs

# Roles with which a partner organisation's people take part in its cases.
PARTNER_ROLES = (Role.PROFESSIONAL, Role.ESCALATION_OFFICIAL)
SERIES_MANAGER_ROLES = (Role.COORDINATOR, Role.FUNCTIONAL_ADMIN)
_M = TypeVar("_M", bound=Model)


def actor_of(request: Any) -> User:
    """The signed-in user of a page or API request (behind login_required / IsAuthenticated)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return cast("User", user)


def two_factor_verified(user: Any) -> bool:
    """Signed in with both factors (django-otp adds ``is_verified`` to the request's user)."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and check is not None and check())


def is_active_user(user: User | AnonymousUser) -> TypeIs[User]:
    """Signed in with an active account: the only users any list shows anything."""
    return bool(user.is_authenticated and user.is_active)


def annotate_access(qs: QuerySet[_M], **values: Any) -> QuerySet[_M]:
    """*qs* annotated with what a user may do with each row (``Case.access_level``, ...).

    The attributes are declared on the models with safe defaults (an object loaded any other way
    grants nothing), so they are passed as a mapping: the type checker reads them from the model
    rather than as new names of an annotated type."""
    return qs.annotate(**values)


def access_flag(condition: Q | Combinable) -> DbCase:
    """True where *condition* holds, for ``annotate_access``."""
    return DbCase(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def memberships_of(user: User | AnonymousUser) -> list[Membership]:
    """*user*'s memberships by organisation name, from those read once per request."""
    if not user.is_authenticated:
        return []
    return sorted(memberships_held(user), key=lambda m: (m.organisation.name, m.pk))


def roles_of(user: User | AnonymousUser) -> set[str]:
    """The roles *user* holds anywhere, from the memberships read once per request."""
    if not user.is_authenticated:
        return set()
    return {membership.role for membership in memberships_held(user)}


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return not roles_of(user).isdisjoint(roles)


def region_ids_with_role(user: User, *roles: str) -> QuerySet[Membership, Any]:
    """The ids of the regions where *user* holds one of *roles* (a subquery, for filters)."""
    return Membership.objects.filter(user=user, role__in=roles).values("organisation__region_id")


def in_regions_with_role(user: User, region_path: str, *roles: str) -> Q:
    """A filter on *region_path* (e.g. ``"case__region_id"``) for the regions of *roles*."""
    return Q(**{f"{region_path}__in": region_ids_with_role(user, *roles)})


def regions_of(user: User | AnonymousUser) -> QuerySet[Region]:
    if not user.is_authenticated:
        return Region.objects.none()
    return Region.objects.filter(organisations__memberships__user=user).distinct()


def has_several_regions(user: User | AnonymousUser) -> bool:
    """Whether *user*'s memberships lie in more than one region (those of ``regions_of``), from
    the memberships read once per request: no query."""
    if not user.is_authenticated:
        return False
    return len({m.organisation.region_id for m in memberships_held(user)}) > 1


def _regions_with_role(user: User | AnonymousUser, *roles: str) -> QuerySet[Region]:
    if not is_active_user(user):
        return Region.objects.none()
    return Region.objects.filter(id__in=region_ids_with_role(user, *roles))


def regions_coordinated_by(user: User | AnonymousUser) -> QuerySet[Region]:
    """Regions whose agreements and escalations *user* oversees (the region overview)."""
    return _regions_with_role(user, Role.COORDINATOR)


def meeting_regions_of(user: User | AnonymousUser) -> QuerySet[Region]:
    """Regions whose meetings *user* runs or chairs (the week view)."""
    return _regions_with_role(user, Role.COORDINATOR, Role.CHAIR)


def series_regions_managed_by(user: User | AnonymousUser) -> QuerySet[Region]:
    return _regions_with_role(user, *SERIES_MANAGER_ROLES)


def supervised_regions(user: User | AnonymousUser) -> QuerySet[Region]:
    """Regions whose access log *user* supervises (privacy officers)."""
    if not user.is_authenticated:
        return Region.objects.none()
    return Region.objects.filter(
        organisations__memberships__user=user,
        organisations__memberships__role=Role.PRIVACY_OFFICER,
    ).distinct()


def can_administer(user: User | AnonymousUser) -> bool:
    """Functional admins (and superusers) manage organisations, users and configuration."""
    if not is_active_user(user):
        return False
    return bool(user.is_superuser) or has_role(user, Role.FUNCTIONAL_ADMIN)


def regions_administered_by(user: User | AnonymousUser) -> QuerySet[Region]:
    """Regions whose settings *user* manages: functional admins of the region (superusers: all)."""
    if not is_active_user(user) or not can_administer(user):
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(id__in=region_ids_with_role(user, Role.FUNCTIONAL_ADMIN))


def organisations_visible_to(user: User | AnonymousUser) -> QuerySet[Organisation]:
    """The partner organisations of the user's own regions (a directory, no case content)."""
    return Organisation.objects.filter(region__in=regions_of(user)).select_related("region")


def organisations_user_may_act_for(user: User, roles: tuple[str, ...]) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=roles
    ).select_related("region")


def coordinators_of(region_id: int) -> list[User]:
    """The active coordinators of a region: who hears of referrals, re-openings, escalations."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.COORDINATOR,
            memberships__organisation__region_id=region_id,
        ).distinct()
    )


def role_at(user: User, organisation: Organisation) -> str:
    """The role *user* holds at *organisation* ("" if none): what the audit trail records."""
    return (
        user.memberships.filter(organisation=organisation).values_list("role", flat=True).first()
        or ""
    )


def notifications_visible_to(user: User) -> QuerySet[Notification]:
    """A user's own notifications, newest first: nobody reads another's."""
    return Notification.objects.filter(recipient=user).order_by("-created_at")


def access_notification(user: User, uuid: Any) -> Notification:
    notification = one_or_none(notifications_visible_to(user).filter(uuid=uuid))
    if notification is None:
        raise Http404
    return notification
