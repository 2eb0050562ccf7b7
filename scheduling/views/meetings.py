"""Web pages of meetings and agendas: the coordinator's week, a partner's meetings, one meeting's
agenda (need-to-know), building and publishing it, answering an invitation, the .ics download and
the personal calendar feed. Each page starts from the access policy."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.access import cases_coordinated_by
from mda.access import meeting_regions_of, series_regions_managed_by
from mda.http import AuthenticatedHttpRequest
from mda.workdays import AMSTERDAM
from scheduling import access
from scheduling.ical import SlotEvent, feed_ics
from scheduling.meeting_forms import AgendaAddForm, ItemForm, MeetingForm, ResponseForm
from scheduling.models import Invitation, ItemReason
from scheduling.selectors import meetings as selectors
from scheduling.services import agendas, invitations, meetings

ICS_TYPE = "text/calendar; charset=utf-8"


def flash_errors(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


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
    for row in view.rows:
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
def agenda_add_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    cases = cases_coordinated_by(request.user)
    form = AgendaAddForm(request.POST, cases=cases.filter(region_id=meeting.region_id))
    if not form.is_valid():
        messages.error(request, _("Choose a case to add."))
        return back_to(meeting)
    reason = form.cleaned_data["reason"]
    try:
        agendas.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            case=cases.get(pk=form.cleaned_data["case"]),
            reason=reason if reason in ItemReason.values else ItemReason.COORDINATOR,
            slot_minutes=form.cleaned_data["slot_minutes"],
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The case was added to the agenda."))
    return back_to(meeting)


def _item(request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any) -> tuple[Any, Any]:
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    return meeting, access.access_agenda_item(request.user, meeting, item_id, manage=True)


@login_required
@require_POST
def agenda_item_update_view(
    request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any
) -> HttpResponse:
    meeting, item = _item(request, meeting_id, item_id)
    form = ItemForm(request.POST, prefix=f"item-{item.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return back_to(meeting)
    try:
        agendas.agenda_item_update(
            actor=request.user,
            item=item,
            slot_minutes=form.cleaned_data["slot_minutes"],
            information_deadline=form.cleaned_data["information_deadline"],
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The slot of %(ref)s was changed.") % {"ref": item.case})
    return back_to(meeting)


@login_required
@require_POST
def agenda_item_move_view(
    request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any
) -> HttpResponse:
    meeting, item = _item(request, meeting_id, item_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        agendas.agenda_item_move(
            actor=request.user,
            meeting=meeting,
            item=item,
            offset=offset,
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    return back_to(meeting)


@login_required
@require_POST
def agenda_item_remove_view(
    request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any
) -> HttpResponse:
    meeting, item = _item(request, meeting_id, item_id)
    try:
        agendas.agenda_item_remove(actor=request.user, item=item)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("%(ref)s was taken off the agenda.") % {"ref": item.case})
    return back_to(meeting)


@login_required
@require_POST
def agenda_publish_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    try:
        agendas.agenda_publish(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The agenda is published; the invitations are on their way."))
    return back_to(meeting)


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
        flash_errors(request, exc)
    else:
        messages.success(request, _("The meeting was changed."))
    return back_to(meeting)


@login_required
@require_POST
def meeting_cancel_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    try:
        meetings.meeting_cancel(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The meeting was cancelled; the invited are told."))
    return back_to(meeting)


# --- Answering an invitation (partners) ----------------------------------------------------------


@login_required
@require_POST
def response_view(request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    item = access.access_agenda_item(request.user, meeting, item_id)
    organisations = access.organisations_answering_for(request.user, item.case_id)
    if not organisations.exists():
        raise PermissionDenied
    form = ResponseForm(request.POST, organisations=organisations, prefix=f"response-{item.pk}")
    if form.is_valid():
        try:
            invitations.invitation_respond(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Your answer for %(ref)s was saved.") % {"ref": item.case})
    else:
        messages.error(request, _("Choose an answer."))
    return redirect(_safe_next(request) or "scheduling:my-meetings")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


# --- Calendar files ----------------------------------------------------------------------------


@login_required
@require_GET
def meeting_ics_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    """The slots of one meeting the user may see, as a calendar file."""
    meeting = access.access_meeting(request.user, meeting_id)
    view = selectors.agenda_view(actor=request.user, meeting=meeting)
    slots = [
        invitations.slot_event(
            row.item, sequence=max((i.sequence for i in row.invitations), default=0)
        )
        for row in view.rows
    ]
    response = HttpResponse(feed_ics(slots, str(meeting)), content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make (or replace) and revoke the personal feed address; it is shown once."""
    feed_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            invitations.calendar_feed_revoke(actor=request.user)
            messages.success(request, _("Your calendar feed address no longer works."))
            return redirect("scheduling:calendar-feed")
        _feed, raw = invitations.calendar_feed_issue(actor=request.user)
        feed_url = request.build_absolute_uri(f"/calendar/{raw}.ics")
    feed = request.user.calendar_feeds.filter(revoked_at__isnull=True).first()
    response = render(
        request, "scheduling/meetings/calendar_feed.html", {"feed": feed, "feed_url": feed_url}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@require_GET
def calendar_feed_ics_view(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no login (calendar apps cannot log in), the secret address is the key.
    What it holds is decided by the access policy for the feed's owner, at every fetch."""
    user = invitations.calendar_feed_user(token)
    if user is None:
        raise Http404
    slots: list[SlotEvent] = selectors.feed_slots(user=user)
    response = HttpResponse(feed_ics(slots, _("MDA++ meetings")), content_type=ICS_TYPE)
    response.headers["Cache-Control"] = "private, no-store"
    return response
