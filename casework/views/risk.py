"""Recording a risk-instrument outcome at any moment of a case (partners at level 2 and
coordinators); the history is on the case page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework import access, services
from casework.forms import RiskAssessmentRecordForm
from casework.selectors.risk import risk_assessor_organisations
from casework.views.lifecycle import render_with_conflict
from mda.errors import Conflict
from mda.forms import form_apply_service_errors
from mda.http import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def risk_assessment_add_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id, write=True)
    form = RiskAssessmentRecordForm(
        request.POST or None,
        region=case.region,
        organisations=risk_assessor_organisations(case=case),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_assessment_add(
                actor=request.user,
                case=case,
                risk=services.RiskAssessmentInput(**form.cleaned_data),
            )
        except Conflict as exc:
            conflict = exc
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The risk-instrument outcome was recorded."))
            return redirect(reverse("casework:case-detail", args=[case.pk]) + "#risk-heading")
    return render_with_conflict(
        request,
        "casework/lifecycle/risk_form.html",
        {"case": case, "form": form},
        conflict,
        bool(form.errors),
    )
