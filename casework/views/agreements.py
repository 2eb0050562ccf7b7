"""Web pages of agreements: my agreements, one agreement (resolve, change, reopen) and recording
one for a case. Each page starts from the access policy (casework.access)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import access, selectors, services
from casework.models import AgreementOrigin, AgreementStatus
from casework.services.agreements import MAX_DESCRIPTION, MAX_REASON
from mda.forms import (
    DayMonthYearField,
    PersonChoiceField,
    form_apply_service_errors,
    person_choices,
)
from mda.http import AuthenticatedHttpRequest
from mda.models import Organisation
from mda.pagination import keyset_page_of

# --- Forms ------------------------------------------------------------------------------------


class AgreementForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("What was agreed"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea,
        help_text=gettext_lazy("Stored encrypted; never part of reminders or e-mails."),
    )
    owner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("Owner organisation")
    )
    owner = PersonChoiceField(
        required=False,
        label=gettext_lazy("Owner (person)"),
        help_text=gettext_lazy(
            "Without a person, the organisation's team lead gets the reminders."
        ),
    )
    due_date = DayMonthYearField(label=gettext_lazy("Due date"))
    origin = forms.ChoiceField(
        choices=AgreementOrigin.choices, label=gettext_lazy("Made"), initial=AgreementOrigin.AD_HOC
    )

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = selectors.agreement_owner_organisations(case).order_by("name")
        fields = cast(dict[str, Any], self.fields)  # ModelChoiceFields, set up per case
        fields["owner_organisation"].queryset = organisations
        person_choices(self, "owner", selectors.agreement_owner_memberships(case))
        # The page offers only the people of the chosen organisation (mda.js).
        fields["owner"].widget.attrs["data-follows"] = self["owner_organisation"].auto_id


class ResolveForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        widget=forms.RadioSelect,
        choices=[(s.value, s.label) for s in AgreementStatus if s != AgreementStatus.OPEN],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required for 'not possible' and 'not done'."),
    )


class ReopenForm(forms.Form):
    due_date = DayMonthYearField(label=gettext_lazy("New due date"))


# --- Pages ------------------------------------------------------------------------------------


@login_required
@require_GET
def my_agreements_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", AgreementStatus.OPEN)
    if status not in AgreementStatus.values and status != "all":
        status = AgreementStatus.OPEN
    rows = selectors.agreement_list(
        actor=request.user,
        mine=True,
        status=None if status == "all" else status,
    )
    page = keyset_page_of(request, rows, size=50)
    texts = selectors.descriptions_of(actor=request.user, agreements=list(page.object_list))
    for agreement in page.object_list:
        agreement.description_text = texts[agreement.pk]
    return render(
        request,
        "casework/agreements/my_agreements.html",
        {"page": page, "status": status, "statuses": AgreementStatus.choices},
    )


def _detail_page(
    request: AuthenticatedHttpRequest,
    agreement: Any,
    *,
    resolve_form: Any = None,
    reopen_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    view = selectors.agreement_view(actor=request.user, agreement=agreement)
    return render(
        request,
        "casework/agreements/detail.html",
        {
            "view": view,
            "agreement": view.agreement,
            "case": view.agreement.case,
            "resolve_form": resolve_form or (ResolveForm() if view.can_resolve else None),
            "reopen_form": reopen_form or (ReopenForm() if view.can_manage else None),
        },
        status=status,
    )


@login_required
@require_GET
def agreement_detail_view(request: AuthenticatedHttpRequest, agreement_id: Any) -> HttpResponse:
    return _detail_page(request, access.access_agreement(request.user, agreement_id))


@login_required
@require_POST
def agreement_resolve_view(request: AuthenticatedHttpRequest, agreement_id: Any) -> HttpResponse:
    agreement = access.access_agreement(request.user, agreement_id, resolve=True)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_resolve(
                actor=request.user,
                agreement=agreement,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The agreement was resolved; its reminders stop."))
            return redirect("casework:agreement-detail", agreement_id=agreement.pk)
    return _detail_page(request, agreement, resolve_form=form, status=400)


@login_required
@require_POST
def agreement_reopen_view(request: AuthenticatedHttpRequest, agreement_id: Any) -> HttpResponse:
    agreement = access.access_agreement(request.user, agreement_id, manage=True)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_reopen(
                actor=request.user,
                agreement=agreement,
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The agreement is open again."))
            return redirect("casework:agreement-detail", agreement_id=agreement.pk)
    return _detail_page(request, agreement, reopen_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    form = AgreementForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(
                actor=request.user,
                case=case,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The agreement was recorded."))
            return redirect("casework:agreement-detail", agreement_id=agreement.pk)
    return render(
        request,
        "casework/agreements/form.html",
        {"case": case, "form": form, "agreement": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit_view(request: AuthenticatedHttpRequest, agreement_id: Any) -> HttpResponse:
    agreement = access.access_agreement(request.user, agreement_id, manage=True)
    case = agreement.case
    initial = (
        {
            "description": selectors.agreement_view(
                actor=request.user, agreement=agreement
            ).description,
            "owner_organisation": agreement.owner_organisation,
            "owner": agreement.owner,
            "due_date": agreement.due_date,
            "origin": agreement.origin,
        }
        if request.method == "GET"
        else None
    )
    form = AgreementForm(request.POST or None, case=case, initial=initial)
    form.fields.pop("origin")
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(
                actor=request.user,
                agreement=agreement,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The agreement was changed."))
            return redirect("casework:agreement-detail", agreement_id=agreement.pk)
    return render(
        request,
        "casework/agreements/form.html",
        {"case": case, "form": form, "agreement": agreement},
        status=400 if form.errors else 200,
    )
