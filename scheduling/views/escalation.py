"""Web pages of the escalation ladder: open escalations, one escalation, a coordinator's manual
escalation, the region overview and the ladders. Each page starts from the access policy."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import selectors as casework_selectors
from casework.access import access_case, require_coordinator
from mda.access import can_administer, regions_coordinated_by, regions_of
from mda.forms import form_apply_service_errors
from mda.http import AuthenticatedHttpRequest
from mda.pagination import keyset_page_of
from scheduling import access, selectors, services
from scheduling.forms import EscalationRaiseForm


@login_required
@require_GET
def escalation_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    notices = selectors.escalations_addressed_to(actor=request.user, open_only=not show_all)
    page = keyset_page_of(request, notices, size=50)
    return render(request, "scheduling/escalation_list.html", {"page": page, "show_all": show_all})


@login_required
@require_GET
def escalation_detail_view(request: AuthenticatedHttpRequest, notice_id: Any) -> HttpResponse:
    view = selectors.escalation_view(actor=request.user, notice_id=notice_id)
    return render(
        request, "scheduling/escalation_detail.html", {"view": view, "notice": view.notice}
    )


@login_required
@require_POST
def escalation_acknowledge_view(request: AuthenticatedHttpRequest, notice_id: Any) -> HttpResponse:
    notice = access.access_escalation_notice(request.user, notice_id)
    if not notice.as_recipient:
        raise PermissionDenied
    services.escalation_acknowledge(actor=request.user, notice=notice)
    messages.success(request, _("You acknowledged the escalation."))
    return redirect("scheduling:escalation-detail", notice_id=notice.pk)


@login_required
@require_http_methods(["GET", "POST"])
def escalation_raise_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access_case(request.user, case_id)
    require_coordinator(request.user, case)
    agreements = casework_selectors.agreement_list(actor=request.user, case=case, status="open")
    form = EscalationRaiseForm(request.POST or None, case=case, agreements=agreements)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_raise(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The case was escalated. The recipients are told."))
            return redirect("casework:case-detail", case_id=case.pk)
    return render(
        request,
        "scheduling/escalation_form.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def region_overview_index_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    regions = list(regions_coordinated_by(request.user))
    if not regions:
        raise PermissionDenied
    return redirect("scheduling:region-overview", region_slug=regions[0].slug)


@login_required
@require_GET
def region_overview_view(request: AuthenticatedHttpRequest, region_slug: str) -> HttpResponse:
    overview = selectors.region_overview(actor=request.user, region_slug=region_slug)
    regions = regions_coordinated_by(request.user)
    return render(
        request, "scheduling/region_overview.html", {"overview": overview, "regions": regions}
    )


@login_required
@require_GET
def ladder_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    for region in regions_of(request.user):
        services.ladder_of(region)  # the default ladder, the first time a region is looked at
    ladders = selectors.ladders_for(actor=request.user)
    return render(
        request,
        "scheduling/ladders.html",
        {"ladders": ladders, "can_edit": can_administer(request.user)},
    )
