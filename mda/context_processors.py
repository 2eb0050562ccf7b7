from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mda.access import can_administer


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    verified = user.is_authenticated and user.is_verified()  # type: ignore[union-attr]
    return {
        "nav_verified": verified,
        "nav_can_administer": verified and can_administer(user),
    }
