"""Web pages of retention: a case's destruction date and legal holds (coordinators place and
release holds), and the privacy officer's destruction records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework import access
from casework.forms import LegalHoldForm
from casework.models import LegalHold
from casework.selectors.retention import destruction_records, retention_view
from casework.services import retention
from mda.confirm import confirmation_page
from mda.errors import Conflict
from mda.forms import ConfirmForm, form_apply_service_errors
from mda.http import AuthenticatedHttpRequest
from mda.pagination import keyset_page_of


@login_required
@require_http_methods(["GET", "POST"])
def retention_page_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    """When the case will be destroyed and its legal holds; coordinators place a hold here."""
    case = access.access_case(request.user, case_id)
    if request.method == "POST":
        access.require_coordinator(request.user, case)
    view = retention_view(actor=request.user, case=case)
    if view is None:
        raise PermissionDenied
    form = LegalHoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            retention.legal_hold_place(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The legal hold was placed."))
            return redirect("casework:retention", case_id=case.pk)
    return render(
        request,
        "casework/retention/case.html",
        {"case": case, "retention": view, "form": form if view.may_hold else None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def legal_hold_release_view(
    request: AuthenticatedHttpRequest, case_id: Any, hold_id: Any
) -> HttpResponse:
    """Ending a hold asks first: destruction is planned anew."""
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    hold = _hold_of(case, hold_id)
    back = reverse("casework:retention", args=[case.pk])
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            retention.legal_hold_release(actor=request.user, case=case, hold_id=hold.pk)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The legal hold was ended; destruction is planned anew."))
        return redirect(back)
    return confirmation_page(
        request,
        form=form,
        title=_("End the legal hold on %(ref)s") % {"ref": case.reference},
        consequences=[
            _("The hold runs until %(date)s.") % {"date": date_format(hold.until)},
            _(
                "When you end it now, destruction is planned anew: the coordinators are warned "
                "first, then the case is destroyed."
            ),
        ],
        confirm_label=_("End the hold"),
        back_url=back,
    )


def _hold_of(case: Any, hold_id: Any) -> LegalHold:
    hold = LegalHold.objects.filter(case=case, pk=hold_id).first()
    if hold is None:
        raise Http404
    return hold


@login_required
@require_GET
def destruction_records_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_privacy_officer(request.user)
    records = destruction_records(actor=request.user)
    page = keyset_page_of(request, records, size=100)
    return render(request, "casework/retention/destruction_records.html", {"page": page})
