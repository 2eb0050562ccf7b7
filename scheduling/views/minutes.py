"""Web pages of running a meeting: attendance, the confidentiality statement, the minutes of each
case (with the agreements made and reviewed), and publishing the minutes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import selectors as casework_selectors
from casework import services as casework_services
from casework.access import access_agreement, access_case
from casework.models import AgreementStatus
from mda.forms import flash_service_errors, form_apply_service_errors
from mda.http import AuthenticatedHttpRequest
from scheduling import access, selectors
from scheduling.forms import (
    AgreementReviewForm,
    AttendanceForm,
    MeetingAgreementForm,
    MinutesForm,
)
from scheduling.models import Attendance, ItemMinutes
from scheduling.services import minutes as services


def _run_page(request: AuthenticatedHttpRequest, meeting: Any) -> HttpResponse:
    return redirect("scheduling:meeting-run", meeting_id=meeting.pk)


@login_required
@require_GET
def meeting_run_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, run=True)
    view = selectors.agenda_view(actor=request.user, meeting=meeting)
    attendance = Attendance.objects.filter(meeting=meeting).select_related("organisation")
    return render(
        request,
        "scheduling/meetings/run.html",
        {
            "meeting": meeting,
            "view": view,
            "attendance": attendance,
            "attendance_form": AttendanceForm(region=meeting.region),
        },
    )


@login_required
@require_POST
def confidentiality_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, run=True)
    try:
        services.meeting_confidentiality_acknowledge(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("Recorded: the confidentiality statement was read."))
    return _run_page(request, meeting)


@login_required
@require_POST
def attendance_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, run=True)
    form = AttendanceForm(request.POST, region=meeting.region)
    if form.is_valid():
        try:
            services.attendance_record(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("The attendance was recorded."))
    else:
        messages.error(request, _("Choose an organisation and its attendance."))
    return _run_page(request, meeting)


@login_required
@require_POST
def minutes_publish_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    try:
        services.minutes_publish(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("The minutes are published to the participants."))
    return _run_page(request, meeting)


def _minutes_context(request: AuthenticatedHttpRequest, meeting: Any, item: Any) -> dict[str, Any]:
    view = selectors.minutes_view(actor=request.user, item=item)
    if view is None:
        raise Http404
    context: dict[str, Any] = {"meeting": meeting, "item": item, "view": view}
    if item.as_coordinator and meeting.minutes_published_at is None:
        case = access_case(request.user, item.case_id)
        context["case"] = case
        context["agreements"] = [
            a
            for a in casework_selectors.agreements_for_case(actor=request.user, case=case)
            if a.agreement.status == AgreementStatus.OPEN
        ]
        context["review_form"] = AgreementReviewForm()
        context["agreement_form"] = MeetingAgreementForm(
            organisations=casework_selectors.agreement_owner_organisations(case),
            people=_owner_people(case),
        )
    return context


def _owner_people(case: Any) -> Any:
    """Who may own an agreement: the owner roles at the organisations that may own one."""
    return casework_selectors.agreement_owner_memberships(case)


def _minutes_form(item: Any, data: Any = None) -> MinutesForm:
    initial: dict[str, Any] = {}
    existing = ItemMinutes.objects.filter(item=item).first()
    if existing is not None:
        initial = {
            "case_director": existing.case_director_id,
            "case_director_confirmed": existing.case_director_confirmed,
            "next_review_on": existing.next_review_on,
        }
    return MinutesForm(
        data, initial=initial, directors=casework_selectors.director_memberships(case=item.case)
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_minutes_view(
    request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any
) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    item = access.access_agenda_item(request.user, meeting, item_id)
    form = None
    if item.as_coordinator and meeting.minutes_published_at is None:
        form = _minutes_form(item, request.POST if request.method == "POST" else None)
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.minutes_save(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The minutes of %(ref)s were saved.") % {"ref": item.case})
            return redirect("scheduling:item-minutes", meeting_id=meeting.pk, item_id=item.pk)
    context = _minutes_context(request, meeting, item)
    if form is not None and form.is_bound is False and context["view"].minutes is not None:
        form.initial.update(
            {"shared_views": context["view"].shared_views, "decisions": context["view"].decisions}
        )
    context["form"] = form
    status = 400 if form is not None and form.errors else 200
    response = render(request, "scheduling/meetings/minutes.html", context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def minutes_agreement_add_view(
    request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any
) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    item = access.access_agenda_item(request.user, meeting, item_id, manage=True)
    case = access_case(request.user, item.case_id)
    form = MeetingAgreementForm(
        request.POST,
        organisations=casework_selectors.agreement_owner_organisations(case),
        people=_owner_people(case),
    )
    if form.is_valid():
        try:
            services.minutes_agreement_add(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("The agreement was recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("scheduling:item-minutes", meeting_id=meeting.pk, item_id=item.pk)


@login_required
@require_POST
def minutes_agreement_review_view(
    request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any, agreement_id: Any
) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    item = access.access_agenda_item(request.user, meeting, item_id, manage=True)
    agreement = access_agreement(request.user, agreement_id, resolve=True)
    if agreement.case_id != item.case_id:
        raise Http404
    form = AgreementReviewForm(request.POST)
    if form.is_valid():
        try:
            casework_services.agreement_resolve(
                actor=request.user,
                agreement=agreement,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("The agreement was reviewed."))
    return redirect("scheduling:item-minutes", meeting_id=meeting.pk, item_id=item.pk)
