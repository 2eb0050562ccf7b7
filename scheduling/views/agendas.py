"""Pages of agendas: adding, timing, ordering and removing slots, and publishing (coordinators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from casework.access import cases_coordinated_by
from mda.confirm import confirmation_page
from mda.forms import ConfirmForm, flash_service_errors
from mda.http import AuthenticatedHttpRequest
from scheduling import access, selectors
from scheduling.forms import AgendaAddForm, ItemForm
from scheduling.models import ItemReason
from scheduling.services import agendas
from scheduling.views.meetings import back_to, meeting_title


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
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("The case was added to the agenda."))
    return back_to(meeting)


@login_required
@require_POST
def agenda_add_chosen_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    """The proposals the coordinator ticked, added in one go (all or none)."""
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    entries = [
        agendas.NewItem(case_id=pk, reason=_proposal_reason(request.POST.get(f"reason_{pk}", "")))
        for pk in request.POST.getlist("case")
    ]
    try:
        added = agendas.agenda_items_add(actor=request.user, meeting=meeting, entries=entries)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        count = len(added)
        messages.success(
            request,
            ngettext(
                "%(count)d case was added to the agenda.",
                "%(count)d cases were added to the agenda.",
                count,
            )
            % {"count": count},
        )
    return back_to(meeting)


def _proposal_reason(value: str) -> str:
    allowed = set(ItemReason.values) - {ItemReason.EMERGENCY}
    return value if value in allowed else ItemReason.COORDINATOR


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
        flash_service_errors(request, exc)
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
        flash_service_errors(request, exc)
    return back_to(meeting)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_remove_view(
    request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any
) -> HttpResponse:
    """Taking a case off the agenda asks first: on a published agenda it sends cancellations."""
    meeting, item = _item(request, meeting_id, item_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            agendas.agenda_item_remove(actor=request.user, item=item)
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("%(ref)s was taken off the agenda.") % {"ref": item.case})
        return back_to(meeting)
    reference = item.case.reference
    consequences = [
        _("%(ref)s leaves the agenda of %(meeting)s; the slots after it move up.")
        % {"ref": reference, "meeting": meeting_title(meeting)},
    ]
    if meeting.is_published:
        consequences.append(
            _("The organisations invited for %(ref)s get a calendar cancellation of that slot.")
            % {"ref": reference}
        )
    return confirmation_page(
        request,
        form=form,
        title=_("Take %(ref)s off the agenda?") % {"ref": reference},
        consequences=consequences,
        recipients=selectors.organisations_told(meeting=meeting, item=item),
        confirm_label=_("Yes, take it off the agenda"),
        back_url=reverse("scheduling:meeting-detail", args=[meeting.pk]),
    )


@login_required
@require_POST
def agenda_publish_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    try:
        agendas.agenda_publish(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("The agenda is published; the invitations are on their way."))
    return back_to(meeting)
