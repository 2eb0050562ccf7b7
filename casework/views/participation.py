"""Pages of participation: the weegmoment and revoking it (coordinators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework import access, selectors, services
from casework.forms import ParticipantForm
from mda.confirm import confirmation_page
from mda.forms import ReasonConfirmForm, form_apply_service_errors
from mda.http import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def participant_add_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    form = ParticipantForm(request.POST or None, region=case.region)
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation now takes part in the case."))
            return redirect("casework:case-detail", case_id=case.pk)
    return render(
        request,
        "casework/participant_form.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_revoke_view(
    request: AuthenticatedHttpRequest, case_id: Any, participation_id: Any
) -> HttpResponse:
    """Revoking asks first: what the organisation loses, and why (the reason is kept)."""
    case = access.access_case(request.user, case_id)
    access.require_coordinator(request.user, case)
    participation = selectors.participation_of_case(case=case, participation_id=participation_id)
    back = reverse("casework:case-detail", args=[case.pk]) + "#partners"
    form = ReasonConfirmForm(
        request.POST if request.method == "POST" else None,
        reason_help=_("Kept, encrypted, for the coordinators of the region. No personal data."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_revoke(
                actor=request.user, participation=participation, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The participation was revoked."))
        return redirect(back)
    org = participation.organisation.name
    return confirmation_page(
        request,
        form=form,
        title=_("Revoke the participation of %(org)s in %(ref)s")
        % {"org": org, "ref": case.reference},
        consequences=[
            _(
                "From now on %(org)s no longer sees case %(ref)s: not in lists, not on its pages, "
                "not on agendas."
            )
            % {"org": org, "ref": case.reference},
            _(
                "Its invitations to coming meetings about this case are cancelled within a few "
                "minutes."
            ),
            _(
                "The weegmoment and this revocation stay in the case's history; a new weegmoment "
                "is needed to let the organisation take part again."
            ),
        ],
        recipients=[
            _("%(org)s, through the cancellation of its meeting invitations for this case")
            % {"org": org}
        ],
        confirm_label=_("Yes, revoke the participation"),
        back_url=back,
    )
