"""The confirmation page of destructive actions (``mda/confirm.html``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmation_page(
    request: HttpRequest,
    *,
    form: Any,
    title: str,
    consequences: Sequence[str],
    confirm_label: str,
    back_url: str,
    recipients: Sequence[str] | None = None,
) -> HttpResponse:
    """The step before the action: what will happen and to whom, the reason where it matters.
    Answers 400 when a POST came without the confirmation or with a wrong reason (nothing
    was done), 200 otherwise."""
    response = render(
        request,
        "mda/confirm.html",
        {
            "form": form,
            "title": title,
            "consequences": consequences,
            "recipients": recipients,
            "confirm_label": confirm_label,
            "back_url": back_url,
            "action_url": request.get_full_path(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
