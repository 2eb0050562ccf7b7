"""The start page ("Vandaag"): what needs the signed-in person today."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casework.access import can_refer
from mda.access import memberships_of
from mda.http import AuthenticatedHttpRequest
from workbench.selectors.today import today_for


@login_required
@require_GET
def today_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = memberships_of(request.user)
    return render(
        request,
        "workbench/today.html",
        {
            "today": today_for(actor=request.user),
            "memberships": memberships,
            "can_refer": can_refer(request.user),
        },
    )
