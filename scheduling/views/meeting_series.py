"""Web pages of meeting series (coordinators and functional admins) and of calling an emergency
meeting for one case (coordinators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.access import access_case, require_coordinator
from mda.access import meeting_regions_of, series_regions_managed_by
from mda.http import AuthenticatedHttpRequest
from scheduling import access
from scheduling.meeting_forms import EmergencyForm, SeriesForm
from scheduling.services import meetings as services
from scheduling.views.minutes import _form_errors


@login_required
@require_GET
def series_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    series = access.meeting_series_visible_to(request.user).select_related("region")
    user = request.user
    if not (meeting_regions_of(user) | series_regions_managed_by(user)).exists():
        raise PermissionDenied
    return render(
        request,
        "scheduling/meetings/series_list.html",
        {
            "series_list": series,
            "can_create": series_regions_managed_by(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    regions = series_regions_managed_by(request.user)
    if not regions.exists():
        raise PermissionDenied
    form = SeriesForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        region = fields.pop("region")
        try:
            series = services.series_create(actor=request.user, region=region, **fields)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            services.meetings_generate(series=series)
            messages.success(request, _("The series was created with its first meetings."))
            return redirect("scheduling:series-list")
    return render(
        request,
        "scheduling/meetings/series_form.html",
        {"form": form, "series": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_edit_view(request: AuthenticatedHttpRequest, series_id: Any) -> HttpResponse:
    series = access.access_meeting_series(request.user, series_id, manage=True)
    regions = series_regions_managed_by(request.user)
    form = SeriesForm(request.POST or None, instance=series, regions=regions)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "region"}
        # The ModelForm changed the instance in place; the service saves and records it.
        try:
            services.series_update(actor=request.user, series=series, **fields)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            services.meetings_generate(series=series)
            messages.success(request, _("The series was changed."))
            return redirect("scheduling:series-list")
    return render(
        request,
        "scheduling/meetings/series_form.html",
        {"form": form, "series": series},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def emergency_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access_case(request.user, case_id)
    require_coordinator(request.user, case)
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_call_emergency(
                actor=request.user,
                case=case,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The emergency meeting is called; invitations are sent."))
            return redirect("scheduling:meeting-detail", meeting_id=meeting.pk)
    return render(
        request,
        "scheduling/meetings/emergency_form.html",
        {"form": form, "case": case},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def series_generate_view(request: AuthenticatedHttpRequest, series_id: Any) -> HttpResponse:
    series = access.access_meeting_series(request.user, series_id, manage=True)
    created = services.meetings_generate(series=series)
    messages.success(request, _("%(count)d meetings were planned.") % {"count": len(created)})
    return redirect("scheduling:series-list")
