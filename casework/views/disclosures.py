"""The disclosure log ("Monitoren samenwerking") for the privacy officer: per case and per partner
organisation, the weegmomenten and what the partner read. Metadata only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casework import access
from casework.selectors.disclosures import disclosure_log, partner_cases, partner_disclosure_log
from mda.http import AuthenticatedHttpRequest
from mda.pagination import keyset_page_of


@login_required
@require_GET
def disclosure_log_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_supervised_case(request.user, case_id, living=True)
    log = disclosure_log(actor=request.user, case=case)
    return render(request, "casework/disclosures/case.html", {"case": case, "log": log})


@login_required
@require_GET
def partner_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_privacy_officer(request.user)
    organisations = (
        access.organisations_supervised_by(request.user)
        .select_related("region")
        .order_by("region__name", "name")
    )
    page = keyset_page_of(request, organisations, size=100)
    return render(request, "casework/disclosures/partners.html", {"page": page})


@login_required
@require_GET
def partner_disclosure_view(
    request: AuthenticatedHttpRequest, organisation_id: Any
) -> HttpResponse:
    organisation = access.access_supervised_organisation(request.user, organisation_id)
    cases = partner_cases(organisation=organisation, cases=access.cases_supervised_by(request.user))
    page = keyset_page_of(request, cases, size=25)
    log = partner_disclosure_log(
        actor=request.user, organisation=organisation, cases=list(page.object_list)
    )
    return render(
        request,
        "casework/disclosures/partner.html",
        {"organisation": organisation, "page": page, "log": log},
    )
