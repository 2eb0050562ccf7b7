"""Pages for print: the meeting pack and the minutes per reader (a printable page and a PDF, each
view or download recorded as an export), and the coordinator's overview of invitations and
answers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from mda.http import AuthenticatedHttpRequest
from scheduling import access, pdf
from scheduling.selectors import packs

PDF_TYPE = "application/pdf"


def _private(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


def _day(meeting: Any) -> str:
    return f"{timezone.localtime(meeting.starts_at):%Y-%m-%d}"


@login_required
@require_GET
def pack_print_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    pack = packs.meeting_pack(actor=request.user, meeting=meeting, fmt="print")
    return _private(
        render(request, "scheduling/packs/pack.html", {"meeting": meeting, "pack": pack})
    )


@login_required
@require_GET
def pack_pdf_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    pack = packs.meeting_pack(actor=request.user, meeting=meeting, fmt="pdf")
    return _pdf(pdf.meeting_pack_pdf(pack), f"meeting-pack-{_day(meeting)}.pdf")


@login_required
@require_GET
def minutes_print_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    printed = packs.minutes_print(actor=request.user, meeting=meeting, fmt="print")
    return _private(
        render(request, "scheduling/packs/minutes.html", {"meeting": meeting, "printed": printed})
    )


@login_required
@require_GET
def minutes_pdf_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    printed = packs.minutes_print(actor=request.user, meeting=meeting, fmt="pdf")
    return _pdf(pdf.minutes_pdf(printed), f"minutes-{_day(meeting)}.pdf")


@login_required
@require_GET
def invitation_overview_view(request: AuthenticatedHttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, manage=True)
    rows = packs.invitation_overview(meeting=meeting)
    return render(request, "scheduling/packs/invitations.html", {"meeting": meeting, "rows": rows})
