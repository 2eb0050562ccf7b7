"""Pages of invitations: a partner's answer per slot, the meeting's .ics file and the personal
calendar feed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mda.forms import flash_service_errors
from mda.http import AuthenticatedHttpRequest
from scheduling import access, selectors
from scheduling.forms import ResponseForm
from scheduling.ical import SlotEvent, feed_ics, meeting_ics
from scheduling.services import invitations

ICS_TYPE = "text/calendar; charset=utf-8"


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
            flash_service_errors(request, exc)
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
    response = HttpResponse(meeting_ics(slots, str(meeting)), content_type=ICS_TYPE)
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
