"""The triage queue (coordinators)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from casework import access, selectors
from mda.http import AuthenticatedHttpRequest


@login_required
@require_GET
def triage_queue_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_triage(request.user):
        raise PermissionDenied
    rows = selectors.triage_queue(actor=request.user)
    return render(
        request,
        "casework/lifecycle/triage_queue.html",
        {
            "rows": rows,
            "overdue": sum(r.overdue for r in rows),
            "today": timezone.localdate(),
            "repeats": selectors.repeats_in_last_year(actor=request.user),
        },
    )
