"""The case list: find any case by reference, filters and sort; coordinators also by person."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from casework import access as case_access
from casework import selectors as case_selectors
from casework.forms import CaseFilterForm, PersonSearchForm
from mda.access import has_several_regions, organisations_visible_to, regions_of
from mda.http import AuthenticatedHttpRequest
from mda.pagination import BadCursor, keyset_page
from workbench.selectors.cases import case_list_rows

PAGE_SIZE = 50


def _filter_form(request: AuthenticatedHttpRequest, data: Any) -> CaseFilterForm:
    return CaseFilterForm(
        data,
        organisations=organisations_visible_to(request.user).order_by("name"),
        regions=regions_of(request.user),
        several_regions=has_several_regions(request.user),
    )


@login_required
@require_GET
def case_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _filter_form(request, request.GET or None)
    filters = form.filters() if form.is_valid() else case_selectors.CaseFilters()
    cases = case_selectors.case_find(actor=request.user, filters=filters)
    try:
        page = keyset_page(cases, cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    except BadCursor:  # an edited link: the first page of the same search
        page = keyset_page(cases, cursor=None, size=PAGE_SIZE)
    rows = case_list_rows(actor=request.user, cases=page.object_list)
    return _render(request, form, page=page, rows=rows)


@login_required
@require_POST
def person_search_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Coordinators: the cases of one person, by BSN or name and date of birth (recorded)."""
    if not case_access.can_triage(request.user):
        raise PermissionDenied
    person_form = PersonSearchForm(request.POST)
    rows: list[Any] = []
    if person_form.is_valid():
        cases = case_selectors.case_search_identity(actor=request.user, **person_form.cleaned_data)
        rows = case_list_rows(actor=request.user, cases=cases[:200])
    response = _render(
        request,
        _filter_form(request, None),
        person_form=person_form,
        rows=rows,
        searched_person=person_form.is_valid(),
        status=200 if person_form.is_valid() else 400,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _render(
    request: AuthenticatedHttpRequest,
    form: CaseFilterForm,
    *,
    rows: list[Any],
    page: Any = None,
    person_form: PersonSearchForm | None = None,
    searched_person: bool = False,
    status: int = 200,
) -> HttpResponse:
    may_search_person = case_access.can_triage(request.user)
    if person_form is None and may_search_person:
        person_form = PersonSearchForm()
    return render(
        request,
        "workbench/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "person_form": person_form if may_search_person else None,
            "searched_person": searched_person,
            "filtered": bool(form.is_bound and form.has_changed()),
        },
        status=status,
    )
