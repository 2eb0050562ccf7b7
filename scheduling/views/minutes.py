"""Web pages of running a meeting: the attendance checklist, the confidentiality statement, the
chair's current slot, the minutes of each case (kept as a draft while typed, with the agreements
made and reviewed), and publishing the minutes.

Nothing typed is lost: a refused attendance checklist, minutes form or review comes back with what
was entered, and refused minutes are kept as a draft besides."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import selectors as casework_selectors
from casework.access import access_agreement, access_case
from casework.models import AgreementStatus
from mda.forms import flash_service_errors, form_apply_service_errors
from mda.http import AuthenticatedHttpRequest
from scheduling import access, selectors
from scheduling.forms import AgreementReviewForm, MeetingAgreementForm, MinutesForm
from scheduling.selectors.minutes import meeting_day_view, minutes_draft_of
from scheduling.services import minutes as services

ATTENDANCE_FIELD = "att-"


def _run_page(request: AuthenticatedHttpRequest, meeting: Any) -> HttpResponse:
    return redirect("scheduling:meeting-run", meeting_id=meeting.pk)


def _render_run(
    request: AuthenticatedHttpRequest,
    meeting: Any,
    typed: dict[tuple[str, str], str] | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    day = meeting_day_view(meeting=meeting)
    if typed is not None:  # a refused checklist comes back as it was ticked
        for slot in day.slots:
            for line in slot.lines:
                line.status = typed.get((str(slot.item.pk), str(line.organisation.pk)), "")
    response = render(
        request,
        "scheduling/meetings/run.html",
        {"meeting": meeting, "day": day, "checklist_errors": errors or []},
        status=400 if errors else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def meeting_run_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, run=True)
    return _render_run(request, meeting)


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


def _checklist_typed(post: Any) -> dict[tuple[str, str], str]:
    """The ticked lines of the checklist (fields ``att-<slot>-<organisation>``), as sent; lines
    left unticked are not recorded."""
    typed: dict[tuple[str, str], str] = {}
    for name, value in post.items():
        if name.startswith(ATTENDANCE_FIELD) and value:
            item_id, _sep, organisation_id = name[len(ATTENDANCE_FIELD) :].rpartition("-")
            typed[(item_id, organisation_id)] = value
    return typed


def _checklist_marks(typed: dict[tuple[str, str], str]) -> list[services.SlotMark]:
    try:
        return [
            services.SlotMark(uuid.UUID(item_id), int(organisation_id), status)
            for (item_id, organisation_id), status in typed.items()
        ]
    except ValueError:
        raise ValidationError(
            _("Mark only the organisations invited to a case on this agenda.")
        ) from None


@login_required
@require_POST
def attendance_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, run=True)
    typed = _checklist_typed(request.POST)
    try:
        marks = _checklist_marks(typed)
        services.attendance_checklist_record(actor=request.user, meeting=meeting, marks=marks)
    except ValidationError as exc:
        return _render_run(request, meeting, typed, exc.messages)
    messages.success(request, _("The attendance was recorded."))
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


def _editable(meeting: Any, item: Any) -> bool:
    return bool(
        item.as_coordinator
        and meeting.minutes_published_at is None
        and not meeting.is_cancelled
        and meeting.may_run_today
    )


def _minutes_context(
    request: AuthenticatedHttpRequest, meeting: Any, item: Any, review: Any = None
) -> dict[str, Any]:
    view = selectors.minutes_view(actor=request.user, item=item)
    if view is None:
        raise Http404
    context: dict[str, Any] = {"meeting": meeting, "item": item, "view": view}
    if _editable(meeting, item):
        case = access_case(request.user, item.case_id)
        context["case"] = case
        # Open agreements to review: not those made or reviewed already in this very meeting.
        reviewed = {agreement.pk for agreement, _event in view.agreements_reviewed}
        context["agreements"] = [
            a
            for a in casework_selectors.agreements_for_case(actor=request.user, case=case)
            if a.agreement.status == AgreementStatus.OPEN
            and a.agreement.meeting_id != meeting.pk
            and a.agreement.pk not in reviewed
        ]
        context["reviews"] = [
            (a, review[1] if review and review[0] == a.agreement.pk else AgreementReviewForm())
            for a in context["agreements"]
        ]
        context["agreement_form"] = MeetingAgreementForm(
            organisations=casework_selectors.agreement_owner_organisations(case),
            people=_owner_people(case),
        )
    return context


def _owner_people(case: Any) -> Any:
    """Who may own an agreement: the owner roles at the organisations that may own one."""
    return casework_selectors.agreement_owner_memberships(case)


def _minutes_form(
    item: Any, data: Any = None, initial: dict[str, Any] | None = None
) -> MinutesForm:
    return MinutesForm(
        data,
        initial=initial or {},
        directors=casework_selectors.director_memberships(case=item.case),
    )


def _initial(request: AuthenticatedHttpRequest, item: Any, view: Any) -> tuple[dict[str, Any], Any]:
    """What the form starts with: the draft as typed when there is one, else the minutes."""
    draft = minutes_draft_of(actor=request.user, item=item)
    if draft is not None:
        content, saved_at = draft
        initial: dict[str, Any] = dict(content)
        initial["case_director_confirmed"] = content.get("case_director_confirmed") in {
            "on",
            "true",
            "True",
            "1",
        }
        return initial, saved_at
    existing = view.minutes
    if existing is None:
        return {}, None
    return {
        "shared_views": view.shared_views,
        "decisions": view.decisions,
        "case_director": existing.case_director_id,
        "case_director_confirmed": existing.case_director_confirmed,
        "next_review_on": existing.next_review_on,
    }, None


def _keep_draft(request: AuthenticatedHttpRequest, item: Any) -> None:
    try:
        services.minutes_draft_save(actor=request.user, item=item, content=request.POST)
    except ValidationError:
        return
    messages.info(request, _("What you typed is kept as a draft; correct it and save again."))


def _render_minutes(
    request: AuthenticatedHttpRequest,
    meeting: Any,
    item: Any,
    form: MinutesForm | None = None,
    review: Any = None,
) -> HttpResponse:
    context = _minutes_context(request, meeting, item, review)
    draft_saved_at = None
    if form is None and _editable(meeting, item):
        initial, draft_saved_at = _initial(request, item, context["view"])
        form = _minutes_form(item, initial=initial)
    context["form"] = form
    context["draft_saved_at"] = draft_saved_at
    failed = (form is not None and form.errors) or (review is not None and review[1].errors)
    response = render(
        request, "scheduling/meetings/minutes.html", context, status=400 if failed else 200
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def item_minutes_view(
    request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any
) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    item = access.access_agenda_item(request.user, meeting, item_id)
    if request.method == "GET":
        return _render_minutes(request, meeting, item)
    if not item.as_coordinator:
        raise PermissionDenied
    form = _minutes_form(item, request.POST)
    if form.is_valid():
        try:
            services.minutes_save(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The minutes of %(ref)s were saved.") % {"ref": item.case})
            return redirect("scheduling:item-minutes", meeting_id=meeting.pk, item_id=item.pk)
    _keep_draft(request, item)
    return _render_minutes(request, meeting, item, form=form)


@login_required
@require_POST
def minutes_draft_view(
    request: AuthenticatedHttpRequest, meeting_id: Any, item_id: Any
) -> HttpResponse:
    """The page's autosave (fetch): keeps the form as typed; answers JSON."""
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    item = access.access_agenda_item(request.user, meeting, item_id, manage=True)
    try:
        draft = services.minutes_draft_save(actor=request.user, item=item, content=request.POST)
    except ValidationError as exc:
        return JsonResponse({"code": "invalid", "detail": " ".join(exc.messages)}, status=400)
    saved = date_format(draft.saved_at.astimezone(), "DATETIME_FORMAT")
    return JsonResponse(
        {"saved_at": draft.saved_at.isoformat(), "message": _("Draft saved (%s).") % saved}
    )


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
    agreement = access_agreement(request.user, agreement_id, manage=True)
    if agreement.case_id != item.case_id:
        raise Http404
    form = AgreementReviewForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_agreement_review(
                actor=request.user, item=item, agreement=agreement, **form.cleaned_data
            )
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The agreement was reviewed."))
            return redirect("scheduling:item-minutes", meeting_id=meeting.pk, item_id=item.pk)
    return _render_minutes(request, meeting, item, review=(agreement.pk, form))
