"""Web pages of the case register. Each page starts from the access policy."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from casework import access, selectors, services
from casework.forms import NoteForm, RevealForm
from casework.models import AccessLevel
from casework.selectors.retention import retention_view
from mda.access import has_role
from mda.forms import form_apply_service_errors
from mda.http import AuthenticatedHttpRequest
from mda.models import Role
from mda.pagination import keyset_page_of


def case_page(
    request: AuthenticatedHttpRequest,
    case: Any,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = selectors.case_view(actor=request.user, case=case)
    if note_form is None and view.level >= AccessLevel.FULL:
        note_form = NoteForm(initial={"visibility": _default_visibility(request, case)})
    return render(
        request,
        "casework/case_detail.html",
        {
            "view": view,
            "case": case,
            "note_form": note_form,
            "retention": retention_view(actor=request.user, case=case, with_holds=False),
        },
        status=status,
    )


def _default_visibility(request: AuthenticatedHttpRequest, case: Any) -> str:
    try:
        org = selectors.note_author_organisation(request.user, case)
    except PermissionDenied:
        return ""
    return selectors.default_note_visibility(org)


@login_required
@require_GET
def case_detail_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    return case_page(request, access.access_case(request.user, case_id))


@login_required
@require_http_methods(["GET", "POST"])
def reveal_view(request: AuthenticatedHttpRequest, case_id: Any, member_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    member = selectors.member_of_case(case=case, member_id=member_id)
    form = RevealForm(request.POST or None)
    identity = None
    if request.method == "POST" and form.is_valid():
        try:
            identity = services.identity_reveal(
                actor=request.user,
                case=case,
                member=member,
                justification=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
    response = render(
        request,
        "casework/reveal.html",
        {"case": case, "member": member, "form": form, "identity": identity},
        status=400 if form.errors else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def supervision_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_role(request.user, Role.PRIVACY_OFFICER):
        raise PermissionDenied
    cases = (
        access.cases_supervised_by(request.user).select_related("region").order_by("-created_at")
    )
    page = keyset_page_of(request, cases, size=50)
    return render(request, "casework/supervision_list.html", {"page": page})


@login_required
@require_GET
def access_log_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    if not has_role(request.user, Role.PRIVACY_OFFICER):
        raise PermissionDenied
    case = access.access_supervised_case(request.user, case_id)
    reveals = selectors.reveals_for_case(actor=request.user, case=case)
    events = selectors.access_log(actor=request.user, case=case)
    page = keyset_page_of(request, events, size=100)
    return render(
        request, "casework/access_log.html", {"case": case, "page": page, "reveals": reveals}
    )
