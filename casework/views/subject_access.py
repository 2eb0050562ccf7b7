"""Web pages of subject access (AVG art. 15).

The privacy officer looks a person up and prepares a request (``/privacy/subject-access/``), the
coordinators of each case found review its withholdings (``/subject-access/reviews/``), the
privacy officer releases it (asked first) and prints or downloads the report.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import access
from casework.forms import PersonSearchForm, WithholdingForm
from casework.models import SubjectAccessStatus
from casework.selectors.subject_access import (
    subject_access_entry_choices,
    subject_access_report,
    subject_access_request_view,
    subject_access_review_view,
)
from casework.services import subject_access
from mda.confirm import confirmation_page
from mda.errors import Conflict
from mda.forms import ConfirmForm, form_apply_service_errors
from mda.http import AuthenticatedHttpRequest
from mda.models import Organisation
from mda.pagination import keyset_page_of

# --- The privacy officer -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def subject_access_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The requests of the privacy officer's regions, and the lookup that starts a new one."""
    access.require_privacy_officer(request.user)
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            found = subject_access.subject_access_prepare(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            return redirect("casework:subject-access-request", request_id=found.pk)
    requests = (
        access.subject_access_requests_visible_to(request.user)
        .select_related("requested_by")
        .order_by("-created_at")
    )
    page = keyset_page_of(request, requests, size=50)
    response = render(
        request,
        "casework/subject_access/list.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def subject_access_request_page(request: AuthenticatedHttpRequest, request_id: Any) -> HttpResponse:
    found = access.access_subject_access_request(request.user, request_id)
    items = subject_access_request_view(actor=request.user, request=found)
    waiting = [i for i in items if i.item.confirmed_at is None]
    return render(
        request,
        "casework/subject_access/request.html",
        {"request_": found, "items": items, "waiting": waiting},
    )


@login_required
@require_http_methods(["GET", "POST"])
def subject_access_release_view(request: AuthenticatedHttpRequest, request_id: Any) -> HttpResponse:
    """Releasing asks first; 409 while a case awaits its coordinator or after the release."""
    found = access.access_subject_access_request(request.user, request_id)
    back = reverse("casework:subject-access-request", args=[found.pk])
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            subject_access.subject_access_release(actor=request.user, request=found)
        except Conflict as exc:
            conflict = exc.message
        else:
            messages.success(request, _("The report was released."))
            return redirect("casework:subject-access-report", request_id=found.pk)
    if conflict is None and found.status != SubjectAccessStatus.PREPARING:
        conflict = _("This report was released; it can no longer be changed.")
    if conflict:
        messages.error(request, conflict)
    response = confirmation_page(
        request,
        form=form,
        title=_("Release the report"),
        consequences=[
            _(
                "Once released, the report shows the person's data as held, and can be printed "
                "and downloaded to send to the person. What the coordinators withheld stays out."
            ),
            _("The release is recorded, and the request can no longer be changed."),
        ],
        confirm_label=_("Release the report"),
        back_url=back,
    )
    if conflict:
        response.status_code = 409
    return response


@login_required
@require_GET
def subject_access_report_view(request: AuthenticatedHttpRequest, request_id: Any) -> HttpResponse:
    """The released report: a printable page, or with ``?download=1`` the same as a file."""
    found = access.access_subject_access_request(request.user, request_id)
    download = request.GET.get("download") == "1"
    if found.status != SubjectAccessStatus.RELEASED:
        messages.error(request, _("The report is not released yet."))
        return redirect("casework:subject-access-request", request_id=found.pk)
    report = subject_access_report(actor=request.user, request=found, download=download)
    response = render(
        request,
        "casework/subject_access/report.html",
        {"request_": found, "report": report, "printed_at": timezone.now(), "download": download},
    )
    response.headers["Cache-Control"] = "no-store"
    if download:
        name = f"subject-access-{found.released_at:%Y%m%d}-{str(found.pk)[:8]}.html"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- The coordinators ----------------------------------------------------------------------------


@login_required
@require_GET
def subject_access_reviews_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Cases of requests in preparation that the coordinator's regions hold."""
    items = (
        access.subject_access_reviews_for(request.user)
        .select_related("case__region", "member", "request")
        .order_by("-request__created_at", "case__reference")
    )
    page = keyset_page_of(request, items, size=50)
    return render(request, "casework/subject_access/reviews.html", {"page": page})


def _review_page(
    request: AuthenticatedHttpRequest, item: Any, form: WithholdingForm, status: int = 200
) -> HttpResponse:
    view = subject_access_review_view(actor=request.user, item=item)
    return render(
        request,
        "casework/subject_access/review.html",
        {"view": view, "items": [view], "form": form},
        status=status,
    )


def _withholding_form(item: Any, data: Any = None, entry: str = "") -> WithholdingForm:
    organisations = Organisation.objects.filter(
        pk__in=item.case.participations.values("organisation_id")
    ).order_by("name")
    return WithholdingForm(
        data,
        organisations=organisations,
        entries=subject_access_entry_choices(item),
        initial={"entry": entry},
    )


@login_required
@require_http_methods(["GET", "POST"])
def subject_access_review_page(request: AuthenticatedHttpRequest, item_id: Any) -> HttpResponse:
    """One case: what it would disclose, its withholdings, a form to withhold (POST); with
    ``?entry=kind:id`` the form comes with that entry chosen."""
    item = access.access_subject_access_review(request.user, item_id)
    data = request.POST if request.method == "POST" else None
    form = _withholding_form(item, data, entry=request.GET.get("entry", ""))
    if request.method == "POST" and form.is_valid():
        try:
            subject_access.withholding_set(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The withholding was recorded."))
            return redirect("casework:subject-access-review", item_id=item.pk)
    return _review_page(request, item, form, status=400 if form.errors else 200)


@login_required
@require_POST
def subject_access_confirm_view(request: AuthenticatedHttpRequest, item_id: Any) -> HttpResponse:
    item = access.access_subject_access_review(request.user, item_id)
    subject_access.subject_access_confirm(actor=request.user, item=item)
    messages.success(request, _("Confirmed: the report may contain this case as shown."))
    return redirect("casework:subject-access-reviews")


@login_required
@require_POST
def withholding_remove_view(
    request: AuthenticatedHttpRequest, item_id: Any, withholding_id: Any
) -> HttpResponse:
    item = access.access_subject_access_review(request.user, item_id)
    subject_access.withholding_remove(actor=request.user, item=item, withholding_id=withholding_id)
    messages.success(request, _("The withholding was removed."))
    return redirect("casework:subject-access-review", item_id=item.pk)
