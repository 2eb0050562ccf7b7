"""The referral form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseFormSet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework import access, selectors, services
from casework.forms import (
    MemberFormSet,
    ReferralForm,
    RiskAssessmentFormSet,
)
from mda.forms import form_apply_service_errors
from mda.http import AuthenticatedHttpRequest


def _member_inputs(formset: BaseFormSet) -> list[services.MemberInput]:
    return [
        services.MemberInput(**f.cleaned_data)
        for f in formset.forms
        if f.has_changed() and f.cleaned_data
    ]


def _risk_inputs(formset: BaseFormSet) -> list[services.RiskAssessmentInput]:
    return [
        services.RiskAssessmentInput(**f.cleaned_data)
        for f in formset.forms
        if f.has_changed() and f.cleaned_data
    ]


def _referral_input(form: ReferralForm, risks: BaseFormSet) -> services.ReferralInput:
    data = form.cleaned_data
    return services.ReferralInput(
        goal=data["goal"],
        criteria=list(data["criteria"]),
        family_informed=data["family_informed"],
        not_informed_reason=data["not_informed_reason"],
        not_informed_explanation=data["not_informed_explanation"],
        risk_assessments=_risk_inputs(risks),
        partners_involved=list(data["partners_involved"]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def refer_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = access.organisations_user_may_refer_for(request.user)
    if not organisations.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ReferralForm(data, organisations=organisations)
    members = MemberFormSet(data, prefix="members")
    risks = RiskAssessmentFormSet(data, prefix="risks", form_kwargs={"region": form.region})
    errors: dict[str, list[str]] = {"members": [], "risk_assessments": []}
    if data is not None and all([form.is_valid(), members.is_valid(), risks.is_valid()]):
        try:
            case = services.case_refer(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                reason=form.cleaned_data["reason"],
                members=_member_inputs(members),
                details=_referral_input(form, risks),
            )
        except ValidationError as exc:
            form_apply_service_errors(form, exc, **errors)
        else:
            messages.success(
                request,
                _("Referral %(ref)s was received. The coordinators decide on it by %(due)s.")
                % {
                    "ref": case.reference,
                    "due": date_format(case.triage_due_on or timezone.localdate()),
                },
            )
            return redirect("casework:case-detail", case_id=case.pk)
    invalid = data is not None
    return render(
        request,
        "casework/lifecycle/refer.html",
        {
            "form": form,
            "members": members,
            "risks": risks,
            "member_errors": errors["members"],
            "risk_errors": errors["risk_assessments"],
            "invalid": invalid,
        },
        status=400 if invalid else 200,
    )


@login_required
@require_GET
def referral_detail_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    """The referral as submitted: for level 2, coordinators and the referring organisation
    (whatever its level now)."""
    case = access.access_referral(request.user, case_id)
    referral = selectors.referral_as_submitted(actor=request.user, case=case)
    if referral is None:
        raise Http404
    return render(
        request, "casework/lifecycle/referral_page.html", {"case": case, "referral": referral}
    )
