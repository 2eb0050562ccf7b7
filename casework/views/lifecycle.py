"""Web pages of the life of a case: referring, the triage queue, status changes, the case
director, the plan, the safety phase, check-ins and Signs of Safety readings.

Each page starts from the access policy (mda.access). A status change that is not possible from
here renders the page again with 409 and what is possible instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseFormSet, Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework import access, selectors, services
from casework.forms import (
    CheckInForm,
    DirectorForm,
    MemberFormSet,
    PlanForm,
    ReferralForm,
    RiskAssessmentFormSet,
    SafetyPhaseForm,
    ScoreForm,
    TransitionForm,
)
from casework.models import CasePlan
from mda.errors import Conflict
from mda.http import AuthenticatedHttpRequest


def _apply_errors(exc: ValidationError, form: Form, **sections: list[str]) -> None:
    """Put a service's field errors on *form*; keys in *sections* collect into those lists
    (shown beside a formset), anything else becomes a form-wide error."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        if name in sections:
            sections[name].extend(errors)
        else:
            form.add_error(name if name in form.fields else None, errors)


def _case_page(case: Any) -> HttpResponse:
    return redirect("casework:case-detail", case_id=case.pk)


# --- Referral ------------------------------------------------------------------------------------


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
            _apply_errors(exc, form, **errors)
        else:
            messages.success(
                request,
                _("Referral %(ref)s was received. The coordinators decide on it by %(due)s.")
                % {
                    "ref": case.reference,
                    "due": date_format(case.triage_due_on or timezone.localdate()),
                },
            )
            return _case_page(case)
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


# --- Triage queue and status changes --------------------------------------------------------------


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


def _render_with(
    request: AuthenticatedHttpRequest,
    template: str,
    context: dict[str, Any],
    conflict: Conflict | None,
    invalid: bool,
) -> HttpResponse:
    status = 409 if conflict is not None else 400 if invalid else 200
    context["conflict"] = conflict.message if conflict is not None else ""
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def transition_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    form = TransitionForm(
        request.POST or None, initial={"transition": request.GET.get("transition", "")}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.case_transition(actor=request.user, case=case, **form.cleaned_data)
        except Conflict as exc:
            conflict = exc
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(
                request, _("The case is now: %(s)s.") % {"s": case.get_status_display()}
            )
            return _case_page(case)
    view = selectors.lifecycle_view(actor=request.user, case=case, with_timeline=False)
    return _render_with(
        request,
        "casework/lifecycle/transition.html",
        {"case": case, "lc": view, "form": form},
        conflict,
        bool(form.errors),
    )


# --- Case director, plan, safety phase --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def director_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    form = DirectorForm(
        request.POST or None,
        candidates=selectors.director_candidates(case=case),
        initial={"director": case.case_director_id},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.case_director_assign(
                actor=request.user,
                case=case,
                director=form.cleaned_data["director"],
            )
        except Conflict as exc:
            conflict = exc
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("The case director was assigned."))
            return _case_page(case)
    return _render_with(
        request,
        "casework/lifecycle/director.html",
        {"case": case, "form": form},
        conflict,
        bool(form.errors),
    )


def _plan_initial(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any]:
    if not CasePlan.objects.filter(case=case).exists():
        return {}
    view = selectors.lifecycle_view(actor=request.user, case=case, with_timeline=False)
    assert view.plan is not None
    return {"safety_goals": view.safety_goals, "review_every_weeks": view.plan.review_every_weeks}


@login_required
@require_http_methods(["GET", "POST"])
def plan_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_director(request.user, case)
    initial = _plan_initial(request, case) if request.method == "GET" else {}
    form = PlanForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.case_plan_save(actor=request.user, case=case, **form.cleaned_data)
        except Conflict as exc:
            conflict = exc
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("The plan was saved."))
            return _case_page(case)
    response = _render_with(
        request,
        "casework/lifecycle/plan.html",
        {"case": case, "form": form},
        conflict,
        bool(form.errors),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def safety_phase_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_director(request.user, case)
    form = SafetyPhaseForm(request.POST or None, initial={"phase": case.safety_phase})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_phase_set(actor=request.user, case=case, **form.cleaned_data)
        except Conflict as exc:
            conflict = exc
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("The safety phase was changed."))
            return _case_page(case)
    return _render_with(
        request,
        "casework/lifecycle/safety_phase.html",
        {"case": case, "form": form},
        conflict,
        bool(form.errors),
    )


# --- Readings and check-ins ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def score_add_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id, write=True)
    form = ScoreForm(request.POST or None, case=case, initial={"scored_on": timezone.localdate()})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.score_add(actor=request.user, case=case, **form.cleaned_data)
        except Conflict as exc:
            conflict = exc
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("The reading was added."))
            return redirect(reverse("casework:case-detail", args=[case.pk]) + "#scale-heading")
    return _render_with(
        request,
        "casework/lifecycle/score_form.html",
        {"case": case, "form": form},
        conflict,
        bool(form.errors),
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in_view(
    request: AuthenticatedHttpRequest, case_id: Any, check_in_id: Any
) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_director(request.user, case)
    check_in = selectors.check_in_of_case(case=case, check_in_id=check_in_id)
    form = CheckInForm(request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in_complete(
                actor=request.user,
                case=case,
                check_in=check_in,
                **form.cleaned_data,
            )
        except Conflict as exc:
            conflict = exc
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("The check-in was recorded."))
            return _case_page(case)
    return _render_with(
        request,
        "casework/lifecycle/check_in.html",
        {"case": case, "check_in": check_in, "form": form},
        conflict,
        bool(form.errors),
    )


@login_required
@require_GET
def check_in_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = selectors.check_ins_for(actor=request.user)
    return render(
        request,
        "casework/lifecycle/check_in_list.html",
        {"rows": rows, "today": timezone.localdate()},
    )
