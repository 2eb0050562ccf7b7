"""Pages of participation: the weegmoment and revoking it (coordinators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from casework import access, selectors, services
from casework.forms import ParticipantForm
from mda.forms import form_apply_service_errors
from mda.http import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def participant_add_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    form = ParticipantForm(request.POST or None, region=case.region)
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation now takes part in the case."))
            return redirect("casework:case-detail", case_id=case.pk)
    return render(
        request,
        "casework/participant_form.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def participant_revoke_view(
    request: AuthenticatedHttpRequest, case_id: Any, participation_id: Any
) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    participation = selectors.participation_of_case(case=case, participation_id=participation_id)
    try:
        services.participation_revoke(actor=request.user, participation=participation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The participation was revoked."))
    return redirect("casework:case-detail", case_id=case.pk)
