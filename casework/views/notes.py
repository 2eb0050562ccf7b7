"""Pages of notes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import access, services
from casework.forms import NoteForm
from casework.views.cases import case_page
from mda.forms import form_apply_service_errors
from mda.http import AuthenticatedHttpRequest


@login_required
@require_POST
def note_add_view(request: AuthenticatedHttpRequest, case_id: Any) -> HttpResponse:
    case = access.access_case(request.user, case_id, write=True)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(
                actor=request.user,
                case=case,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
            )
        except ValidationError as exc:
            form_apply_service_errors(form, exc)
        else:
            messages.success(request, _("The note was added."))
            return redirect("casework:case-detail", case_id=case.pk)
    return case_page(request, case, note_form=form, status=400)
