"""Web pages of the life of a case: referring, the triage queue, status changes, the case
director, the plan, the safety phase, check-ins and Signs of Safety readings.

Each page starts from the access policy (casework.access). A status change that is not possible from
here renders the page again with 409 and what is possible instead.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from casework import access, selectors, services
from casework.forms import (
    CheckInForm,
    DirectorForm,
    PlanForm,
    SafetyPhaseForm,
    TransitionForm,
)
from casework.models import CasePlan, CaseStatus
from casework.transitions import TRANSITIONS, transitions_from
from mda.confirm import confirmation_page
from mda.errors import Conflict
from mda.forms import ConfirmForm, form_apply_service_errors
from mda.http import AuthenticatedHttpRequest

# --- Referral ------------------------------------------------------------------------------------


# --- Triage queue and status changes --------------------------------------------------------------


def render_with_conflict(
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
        chosen = form.cleaned_data["transition"]
        possible = {t.name for t in transitions_from(case.status)}
        if chosen in CLOSING and chosen in possible and not request.POST.get("confirm"):
            return _close_confirmation(request, case, form.cleaned_data)
        try:
            services.case_transition(actor=request.user, case=case, **form.cleaned_data)
        except Conflict as exc:
            conflict = exc
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("The case is now: %(s)s.") % {"s": case.get_status_display()}
            )
            return redirect("casework:case-detail", case_id=case.pk)
    view = selectors.lifecycle_view(actor=request.user, case=case, with_timeline=False)
    return render_with_conflict(
        request,
        "casework/lifecycle/transition.html",
        {"case": case, "lc": view, "form": form},
        conflict,
        bool(form.errors),
    )


# Closing ends the work on a case: it asks first, whatever page or script sent the POST.
CLOSING = frozenset(t.name for t in TRANSITIONS.values() if t.target == CaseStatus.CLOSED)


class CloseConfirmForm(ConfirmForm):
    transition = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_lazy("Why"), max_length=5000, required=False, widget=forms.Textarea
    )


def _close_confirmation(
    request: AuthenticatedHttpRequest, case: Any, data: dict[str, Any]
) -> HttpResponse:
    """Nothing has changed yet: what closing means, and the button that does it."""
    form = CloseConfirmForm(initial={"transition": data["transition"], "reason": data["reason"]})
    return confirmation_page(
        request,
        form=form,
        title=_("Close case %(ref)s?") % {"ref": case.reference},
        consequences=[
            _("Nothing has changed yet: the case closes only when you confirm below."),
            _(
                "Its status becomes Closed: its open follow-up check-ins are cancelled and it can "
                "no longer be put on an agenda."
            ),
            _("From today the region's retention period runs for its content."),
            _(
                "A new referral of the household starts a new case, linked to this one as a repeat "
                "when it comes within 12 months."
            ),
        ],
        recipients=[
            _(
                "The partners see the new status on the case page and in the timeline; no "
                "message is sent."
            )
        ],
        confirm_label=_("Yes, close the case"),
        back_url=reverse("casework:case-detail", args=[case.pk]),
    )


# --- Case director, plan, safety phase --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def director_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    form = DirectorForm(
        request.POST or None,
        candidates=selectors.director_memberships(case=case),
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
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The case director was assigned."))
            return redirect("casework:case-detail", case_id=case.pk)
    return render_with_conflict(
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
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The plan was saved."))
            return redirect("casework:case-detail", case_id=case.pk)
    response = render_with_conflict(
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
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The safety phase was changed."))
            return redirect("casework:case-detail", case_id=case.pk)
    return render_with_conflict(
        request,
        "casework/lifecycle/safety_phase.html",
        {"case": case, "form": form},
        conflict,
        bool(form.errors),
    )


# --- Readings and check-ins ----------------------------------------------------------------


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
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The check-in was recorded."))
            return redirect("casework:case-detail", case_id=case.pk)
    return render_with_conflict(
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
