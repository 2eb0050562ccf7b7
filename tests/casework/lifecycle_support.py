"""Helpers for the lifecycle tests: moving a case along, as a coordinator would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from casework import services
from casework.access import access_case
from casework.models import Agreement, Case
from tests.conftest import Cast


def as_seen_by(cast: Cast, persona: str, case: Case) -> Any:
    return access_case(cast.personas[persona].user, case.pk)


def force_status(case: Case, status: str) -> Case:
    """Put *case* in *status* directly (to test what is possible from there)."""
    Case.objects.filter(pk=case.pk).update(status=status)
    case.status = status
    return case


def move(cast: Cast, case: Case, *transitions: str, reason: str = "Besproken in triage.") -> Any:
    user = cast.coordinator.user
    for name in transitions:
        services.case_transition(
            actor=user, case=as_seen_by(cast, "coordinator", case), transition=name, reason=reason
        )
    return as_seen_by(cast, "coordinator", case)


def ready_for_execution(cast: Cast, case: Case, director: str = "social") -> Any:
    """A case director (of an organisation at level 2) and a plan."""
    coordinator = cast.coordinator.user
    services.case_director_assign(
        actor=coordinator,
        case=as_seen_by(cast, "coordinator", case),
        director=cast.personas[director].user,
    )
    services.case_plan_save(
        actor=coordinator,
        case=as_seen_by(cast, "coordinator", case),
        safety_goals="PLAN-MARKER no violence at home",
        review_every_weeks=4,
    )
    return as_seen_by(cast, "coordinator", case)


def open_agreement(cast: Cast, case: Case) -> Agreement:
    """An open agreement, made directly: its content does not matter to the lifecycle."""
    return Agreement.objects.create(
        case=case,
        description_ct=b"not read here",
        owner_organisation=cast.orgs["local_team"],
        due_date=timezone.localdate() + timedelta(days=14),
        created_by=cast.coordinator.user,
    )


def resolve(agreement: Agreement, status: str = "done") -> None:
    Agreement.objects.filter(pk=agreement.pk).update(status=status, resolved_at=timezone.now())


def shown(text: str, html: bool = False, **params: object) -> str:
    """*text* in the language the test's clients see (the active one): tests assert what is
    shown, whichever language that is. ``html=True``: as it appears in a page (escaped)."""
    message = gettext(text) % params if params else gettext(text)
    return escape(message) if html else message
