"""Web pages of the escalation ladder: open escalations, one escalation, a coordinator's manual
escalation, the region overview and the ladders. Each page starts from the access policy."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import selectors as casework_selectors
from mda import access
from mda.forms import form_apply_service_errors
from scheduling import selectors, services
from scheduling.forms import EscalationRaiseForm

_actor = access.actor_of  # the one way to get the signed-in user


@login_required
@require_GET
def escalation_list_view(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    notices = selectors.escalations_addressed_to(actor=_actor(request), open_only=not show_all)
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(request, "scheduling/escalation_list.html", {"page": page, "show_all": show_all})


@login_required
@require_GET
def escalation_detail_view(request: HttpRequest, notice_id: Any) -> HttpResponse:
    view = selectors.escalation_view(actor=_actor(request), notice_id=notice_id)
    return render(
        request, "scheduling/escalation_detail.html", {"view": view, "notice": view.notice}
    )


@login_required
@require_POST
def escalation_acknowledge_view(request: HttpRequest, notice_id: Any) -> HttpResponse:
    notice = access.access_escalation_notice(request.user, notice_id)
    if not notice.as_recipient:
        raise PermissionDenied
    services.escalation_acknowledge(actor=_actor(request), notice=notice)
    messages.success(request, _("You acknowledged the escalation."))
    return redirect("scheduling:escalation-detail", notice_id=notice.pk)


@login_required
@require_http_methods(["GET", "POST"])
def escalation_raise_view(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    agreements = casework_selectors.agreement_list(actor=_actor(request), case=case, status="open")
    form = EscalationRaiseForm(request.POST or None, case=case, agreements=agreements)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_raise(actor=_actor(request), case=case, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The case was escalated. The recipients are told."))
            return redirect("casework:case-detail", case_id=case.pk)
    return render(
        request,
        "scheduling/escalation_form.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


_apply_errors = form_apply_service_errors


@login_required
@require_GET
def region_overview_index_view(request: HttpRequest) -> HttpResponse:
    regions = list(access.regions_coordinated_by(request.user))
    if not regions:
        raise PermissionDenied
    return redirect("scheduling:region-overview", region_slug=regions[0].slug)


@login_required
@require_GET
def region_overview_view(request: HttpRequest, region_slug: str) -> HttpResponse:
    overview = selectors.region_overview(actor=_actor(request), region_slug=region_slug)
    regions = access.regions_coordinated_by(request.user)
    return render(
        request, "scheduling/region_overview.html", {"overview": overview, "regions": regions}
    )


@login_required
@require_GET
def ladder_list_view(request: HttpRequest) -> HttpResponse:
    for region in access.regions_of(request.user):
        services.ladder_of(region)  # the default ladder, the first time a region is looked at
    ladders = selectors.ladders_for(actor=_actor(request))
    return render(
        request,
        "scheduling/ladders.html",
        {"ladders": ladders, "can_edit": access.can_administer(request.user)},
    )
