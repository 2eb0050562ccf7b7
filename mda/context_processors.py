from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mda.access import can_administer, roles_of, two_factor_verified
from mda.models import Role

CASE_ROLES = {Role.COORDINATOR, Role.CHAIR, Role.PROFESSIONAL, Role.ESCALATION_OFFICIAL}
FIGURE_ROLES = {Role.COORDINATOR, Role.CHAIR, Role.POLICY_OFFICER}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    verified = two_factor_verified(user)
    roles = roles_of(user) if verified else set()
    return {
        "nav_verified": verified,
        "nav_can_administer": verified and can_administer(user),
        "nav_cases": bool(roles & CASE_ROLES),
        "nav_privacy": Role.PRIVACY_OFFICER in roles,
        "nav_figures": bool(roles & FIGURE_ROLES),
    }
