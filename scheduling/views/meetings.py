"""Web pages of meeting series and meetings: the coordinator's week, a partner's meetings,
one meeting's page (need-to-know), changing or cancelling it, series and emergency meetings. Each
page starts from the access policy."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.access import access_case, cases_coordinated_by, require_coordinator
from mda.access import meeting_regions_of, series_regions_managed_by
from mda.confirm import confirmation_page
from mda.forms import ReasonConfirmForm, flash_service_errors, form_apply_service_errors
from mda.http import AuthenticatedHttpRequest
from mda.workdays import AMSTERDAM
from scheduling import access, selectors
from scheduling.forms import (
    AgendaAddForm,
    EmergencyForm,
    ItemForm,
    MeetingForm,
    ResponseForm,
    SeriesForm,
)
from scheduling.models import Invitation
from scheduling.services import meetings
from scheduling.services import meetings as services


def back_to(meeting: Any) -> HttpResponse:
    return redirect("scheduling:meeting-detail", meeting_id=meeting.pk)


@login_required
@require_GET
def meeting_index_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if meeting_regions_of(request.user).exists():
        return redirect("scheduling:meeting-week")
    return redirect("scheduling:my-meetings")


def _monday(value: str | None) -> date:
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return selectors.week_start(day)


@login_required
@require_GET
def week_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The coordinator's (and chair's) week: every meeting of their regions, by day."""
    if not meeting_regions_of(request.user).exists():
        raise PermissionDenied
    monday = _monday(request.GET.get("week"))
    summaries = selectors.week_meetings(actor=request.user, monday=monday)
    days = [
        (monday + timedelta(days=n), [s for s in summaries if _day_of(s.meeting) == n])
        for n in range(7)
    ]
    return render(
        request,
        "scheduling/meetings/week.html",
        {
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "days": [(day, found) for day, found in days if found or day.weekday() < 5],
            "previous": monday - timedelta(weeks=1),
            "next": monday + timedelta(weeks=1),
            "can_manage_series": series_regions_managed_by(request.user).exists(),
        },
    )


def _day_of(meeting: Any) -> int:
    return meeting.starts_at.astimezone(AMSTERDAM).weekday()


@login_required
@require_GET
def my_meetings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A partner's upcoming meetings: only the slots of its own organisations' cases."""
    views = selectors.my_meetings(actor=request.user)
    return render(request, "scheduling/meetings/mine.html", {"views": views})


@login_required
@require_GET
def meeting_detail_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    view = selectors.agenda_view(actor=request.user, meeting=meeting)
    context: dict[str, Any] = {"view": view, "meeting": meeting}
    editable = meeting.as_coordinator and not meeting.is_cancelled
    editable = editable and meeting.ends_at > timezone.now()
    if editable:
        cases = cases_coordinated_by(request.user).filter(region_id=meeting.region_id)
        context |= {
            "editable": True,
            "add_form": AgendaAddForm(cases=cases.order_by("reference")),
            "meeting_form": MeetingForm(
                initial={
                    "information_deadline": _local_input(meeting.information_deadline),
                    "place": meeting.place,
                    "online_link": meeting.online_link,
                }
            ),
            "proposals": selectors.agenda_proposals(actor=request.user, meeting=meeting),
        }
        for row in view.rows:
            row.item_form = ItemForm(
                initial={
                    "slot_minutes": row.item.slot_minutes,
                    "information_deadline": _local_input(row.item.information_deadline),
                },
                prefix=f"item-{row.item.pk}",
            )
    contributed = selectors.agenda_contributions(
        actor=request.user, items=[row.item for row in view.rows]
    )
    for row in view.rows:
        row.contributions = contributed[row.item.pk]
        if row.answering_for and not meeting.is_cancelled:
            row.response_form = ResponseForm(
                organisations=access.organisations_answering_for(request.user, row.item.case_id),
                initial={"response": _own_response(row.invitations)},
                prefix=f"response-{row.item.pk}",
            )
    return render(request, "scheduling/meetings/detail.html", context)


def _own_response(invitations_: list[Invitation]) -> str:
    return next((i.response for i in invitations_ if i.response), "")


def _local_input(moment: Any) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M") if moment else ""


# --- Building the agenda (coordinators) ----------------------------------------------------------


@login_required
@require_POST
def meeting_update_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    form = MeetingForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return back_to(meeting)
    try:
        meetings.meeting_update(actor=request.user, meeting=meeting, **form.cleaned_data)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("The meeting was changed."))
    return back_to(meeting)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    """Cancelling asks first: who gets a cancellation, and why (the reason is sent with it)."""
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    form = ReasonConfirmForm(
        request.POST if request.method == "POST" else None,
        reason_help=_(
            "Sent to every invited organisation with the cancellation: no personal data."
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            meetings.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("The meeting was cancelled; the invited are told."))
        return back_to(meeting)
    told = selectors.organisations_told(meeting=meeting)
    return confirmation_page(
        request,
        form=form,
        title=_("Cancel %(meeting)s?") % {"meeting": meeting_title(meeting)},
        consequences=[
            _(
                "The meeting and every case on its agenda are cancelled; the agenda can no longer "
                "change."
            ),
            _(
                "Each invited organisation gets one e-mail with the reason and a calendar "
                "cancellation for each of its slots."
            ),
            _("The cases stay as they are; put them on another meeting's agenda."),
        ],
        recipients=told,
        confirm_label=_("Yes, cancel the meeting"),
        back_url=reverse("scheduling:meeting-detail", args=[meeting.pk]),
    )


def meeting_title(meeting: Any) -> str:
    """ "MDA++-casusoverleg, di 8 dec. 09:30": a meeting named in Amsterdam time."""
    when = date_format(localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")
    return f"{meeting.get_kind_display()}, {when}"


# --- Answering an invitation (partners) ----------------------------------------------------------


# --- Calendar files ----------------------------------------------------------------------------


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


def _confirmation(request: AuthenticatedHttpRequest, *values: Any) -> tuple[str, bool]:
    """The confirmation token of the times in *values*, and whether the coordinator confirmed
    exactly these (a time changed after the warning is checked again)."""
    token = "|".join(str(v) for v in values)
    return token, request.POST.get("confirm") == token


def _render_form(
    request: AuthenticatedHttpRequest,
    template: str,
    context: dict[str, Any],
    form: Any,
    warned: meetings.ConfirmationRequired | None,
    token: str,
) -> HttpResponse:
    """The form again: with the warnings and a button to confirm them (409), with its errors
    (400), or fresh."""
    context |= {"form": form, "warnings": warned.warnings if warned else [], "token": token}
    status = 409 if warned else 400 if form.errors else 200
    return render(request, template, context, status=status)


def _series_token(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> tuple[str, bool]:
    times = (data.get(f) for f in ("weekday", "start_time", "duration_minutes", "active"))
    return _confirmation(request, *times)


@login_required
@require_http_methods(["GET", "POST"])
def series_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    regions = series_regions_managed_by(request.user)
    if not regions.exists():
        raise PermissionDenied
    form = SeriesForm(request.POST or None, regions=regions)
    warned, token = None, ""
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        region = fields.pop("region")
        token, confirm = _series_token(request, fields)
        try:
            series = services.series_create(
                actor=request.user, region=region, confirm=confirm, **fields
            )
        except meetings.ConfirmationRequired as exc:
            warned = exc
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            services.meetings_generate(series=series)
            messages.success(request, _("The series was created with its first meetings."))
            return redirect("scheduling:series-list")
    return _render_form(
        request, "scheduling/meetings/series_form.html", {"series": None}, form, warned, token
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_edit_view(request: AuthenticatedHttpRequest, series_id: Any) -> HttpResponse:
    series = access.access_meeting_series(request.user, series_id, manage=True)
    regions = series_regions_managed_by(request.user)
    form = SeriesForm(request.POST or None, instance=series, regions=regions)
    warned, token = None, ""
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "region"}
        token, confirm = _series_token(request, fields)
        # The ModelForm changed the instance in place; the service saves and records it.
        try:
            services.series_update(actor=request.user, series=series, confirm=confirm, **fields)
        except meetings.ConfirmationRequired as exc:
            warned = exc
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            services.meetings_generate(series=series)
            messages.success(request, _("The series was changed."))
            return redirect("scheduling:series-list")
    return _render_form(
        request, "scheduling/meetings/series_form.html", {"series": series}, form, warned, token
    )


@login_required
@require_http_methods(["GET", "POST"])
def emergency_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access_case(request.user, case_id)
    require_coordinator(request.user, case)
    form = EmergencyForm(request.POST or None)
    warned, token = None, ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, confirm = _confirmation(
            request, data["starts_at"].isoformat(), data["duration_minutes"]
        )
        try:
            meeting = services.meeting_call_emergency(
                actor=request.user, case=case, confirm=confirm, **data
            )
        except meetings.ConfirmationRequired as exc:
            warned = exc
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The emergency meeting is called; invitations are sent."))
            return redirect("scheduling:meeting-detail", meeting_id=meeting.pk)
    return _render_form(
        request, "scheduling/meetings/emergency_form.html", {"case": case}, form, warned, token
    )


@login_required
@require_POST
def series_generate_view(request: AuthenticatedHttpRequest, series_id: Any) -> HttpResponse:
    series = access.access_meeting_series(request.user, series_id, manage=True)
    created = services.meetings_generate(series=series)
    messages.success(request, _("%(count)d meetings were planned.") % {"count": len(created)})
    return redirect("scheduling:series-list")
