"""The page of one slot's partner contributions: what the reader may read, which invited
organisations contributed, and the form for the reader's own organisation until the deadline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.selectors.notes import default_note_visibility
from mda.errors import Conflict
from mda.forms import form_apply_service_errors
from mda.http import AuthenticatedHttpRequest
from scheduling import access, selectors
from scheduling.forms import ContributionForm
from scheduling.models import ContributionStatus
from scheduling.models.contributions import CONTRIBUTION_FIELDS
from scheduling.services import contributions as services

SUBMIT = "submit"


@login_required
@require_http_methods(["GET", "POST"])
def item_contributions_view(
    request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any
) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    item = access.access_agenda_item(request.user, meeting, item_id)
    slot = selectors.agenda_contributions(actor=request.user, items=[item])[item.pk]
    organisations = access.organisations_contributing_for(request.user, item)
    writable = slot.may_contribute and slot.open and not meeting.is_cancelled
    if request.method == "POST" and not slot.may_contribute:
        raise PermissionDenied
    views = selectors.contributions_for_item(actor=request.user, item=item)
    form = None
    if request.method == "POST":
        form = ContributionForm(request.POST, organisations=organisations)
        if form.is_valid() and _save(request, item, form):
            return redirect("scheduling:item-contributions", meeting_id=meeting.pk, item_id=item.pk)
    elif writable:
        form = _initial_form(organisations, views)
    context = {
        "meeting": meeting,
        "item": item,
        "slot": slot,
        "others": [v for v in views if not v.own],
        "own": [v for v in views if v.own],
        "form": form,
        "several": organisations.count() > 1,
    }
    status = 400 if form is not None and form.errors else 200
    response = render(request, "scheduling/contributions/item.html", context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _initial_form(organisations: Any, views: list[selectors.ContributionView]) -> ContributionForm:
    first = organisations.first()
    own = next((v for v in views if v.own and v.organisation == first), None)
    initial: dict[str, Any] = {"organisation": first}
    if own is not None:
        initial |= {name: getattr(own, name) for name in CONTRIBUTION_FIELDS}
        initial["visibility"] = own.contribution.visibility
    elif first is not None:
        initial["visibility"] = default_note_visibility(first)
    return ContributionForm(organisations=organisations, initial=initial)


def _save(request: AuthenticatedHttpRequest, item: Any, form: ContributionForm) -> bool:
    data = form.cleaned_data
    submit = request.POST.get("action") == SUBMIT
    try:
        saved = services.contribution_save(
            actor=request.user,
            item=item,
            organisation=data["organisation"],
            text=services.ContributionText(**{n: data[n] for n in CONTRIBUTION_FIELDS}),
            visibility=data["visibility"],
            submit=submit,
        )
    except ValidationError as exc:
        form_apply_service_errors(form, exc)
        return False
    except Conflict as exc:
        form.add_error(None, exc.message)
        return False
    if saved.status == ContributionStatus.SUBMITTED:
        messages.success(
            request, _("The contribution for %(ref)s was submitted.") % {"ref": item.case}
        )
    else:
        messages.success(
            request,
            _("The draft for %(ref)s was saved; only your organisation reads it.")
            % {"ref": item.case},
        )
    return True
