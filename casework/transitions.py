"""Which status may follow which: the table of a case's life, as data.

Services refuse any other move with ``TransitionNotAllowed`` (409, with what is possible from
here) and a move whose condition is not met with ``TransitionBlocked``; the API documents the
table from here, and pages offer only what ``transitions_from`` gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.models import Case, CaseStatus
from mda.errors import Conflict

S = CaseStatus


class TransitionNotAllowed(Conflict):
    """The transition does not exist from the case's current status."""

    code = "transition_not_allowed"


class TransitionBlocked(Conflict):
    """The transition exists from here, but a condition is not met yet."""

    code = "transition_blocked"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: Promise
    description: Promise
    needs_reason: bool = False
    triage: bool = False


PENDING_TRIAGE = (S.REFERRED, S.TRIAGE)
# Labels and descriptions are lazy: translated when shown, in the reader's language.
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "start_triage",
            (S.REFERRED,),
            S.TRIAGE,
            gettext_lazy("Take into triage"),
            gettext_lazy(
                "The coordinators screen the referral (e.g. on this week's triage agenda)."
            ),
        ),
        Transition(
            "accept",
            PENDING_TRIAGE,
            S.INTAKE,
            gettext_lazy("Accept into MDA++"),
            gettext_lazy(
                "Triage accepts the household into the MDA++ approach; intake and enrichment "
                "start and the safety phase becomes 1 (direct safety)."
            ),
            triage=True,
        ),
        Transition(
            "advise",
            PENDING_TRIAGE,
            S.ADVICE_ONLY,
            gettext_lazy("Advice only"),
            gettext_lazy("Back to regular care, with advice for the referrer (required)."),
            needs_reason=True,
            triage=True,
        ),
        Transition(
            "decline",
            PENDING_TRIAGE,
            S.DECLINED,
            gettext_lazy("Decline"),
            gettext_lazy("Not an MDA++ case; the reason is required."),
            needs_reason=True,
            triage=True,
        ),
        Transition(
            "acute_route",
            PENDING_TRIAGE,
            S.ACUTE_ROUTE,
            gettext_lazy("Acute route"),
            gettext_lazy("Handed to the acute/emergency process; the reason is required."),
            needs_reason=True,
            triage=True,
        ),
        Transition(
            "start_plan",
            (S.INTAKE, S.REOPENED),
            S.PLAN,
            gettext_lazy("Start analysis and plan"),
            gettext_lazy(
                "The partners have added what they know; the case meeting analyses it and makes "
                "one plan."
            ),
        ),
        Transition(
            "start_execution",
            (S.PLAN, S.REOPENED),
            S.EXECUTION,
            gettext_lazy("Start execution"),
            gettext_lazy(
                "The plan is carried out and monitored. Needs a case director and a plan with "
                "safety goals."
            ),
        ),
        Transition(
            "revise_plan",
            (S.EXECUTION,),
            S.PLAN,
            gettext_lazy("Revise the plan"),
            gettext_lazy("Back to the plan, e.g. when the situation changed."),
        ),
        Transition(
            "start_follow_up",
            (S.EXECUTION,),
            S.FOLLOW_UP,
            gettext_lazy("Scale down to follow-up"),
            gettext_lazy(
                "Stable enough to scale down: the case stays watched for the region's follow-up "
                "period, with scheduled check-ins for the case director."
            ),
        ),
        Transition(
            "reopen",
            (S.FOLLOW_UP,),
            S.REOPENED,
            gettext_lazy("Re-open"),
            gettext_lazy(
                "A new signal during follow-up; the reason is required. A repeat referral or a "
                "check-in with concerns re-opens the case by itself."
            ),
            needs_reason=True,
        ),
        Transition(
            "close",
            (S.FOLLOW_UP,),
            S.CLOSED,
            gettext_lazy("Close"),
            gettext_lazy(
                "Follow-up is done. Needs every agreement to be done, or closed as not possible or "
                "not done."
            ),
        ),
        Transition(
            "close_early",
            (S.INTAKE, S.PLAN, S.EXECUTION, S.REOPENED),
            S.CLOSED,
            gettext_lazy("Close without follow-up"),
            gettext_lazy(
                "Close before follow-up (e.g. the family moved away); the reason is required, and "
                "every agreement must be resolved."
            ),
            needs_reason=True,
        ),
    ]
}


# Named in the OpenAPI schema as TransitionEnum (SPECTACULAR_SETTINGS.ENUM_NAME_OVERRIDES).
TRANSITION_CHOICES = [(t.name, t.label) for t in TRANSITIONS.values()]
TRIAGE_DECISIONS = tuple(name for name, t in TRANSITIONS.items() if t.triage)


# Statuses in which the case has a plan to work on (director, plan, phase, readings).
ACTIVE = (S.INTAKE, S.PLAN, S.EXECUTION, S.FOLLOW_UP, S.REOPENED)
TERMINAL = (S.CLOSED, S.ADVICE_ONLY, S.DECLINED, S.ACUTE_ROUTE)


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]


def allowed_here_message(case: Case, attempted: str = "") -> str:
    """What a 409 says: where the case is, and what may happen from here."""
    status = S(case.status).label
    options = ", ".join(f"{t.name} ({t.label})" for t in transitions_from(case.status))
    head = (
        _("'%(t)s' is not possible: the case is '%(s)s'.") % {"t": attempted, "s": status}
        if attempted
        else _("The case is '%(s)s'.") % {"s": status}
    )
    if not options:
        return f"{head} " + _("No further status change is possible from here.")
    return f"{head} " + _("From here you can: %(options)s.") % {"options": options}


def not_in_status_error(case: Case, what: str, statuses: tuple[str, ...]) -> TransitionNotAllowed:
    names = ", ".join(str(S(s).label) for s in statuses)
    return TransitionNotAllowed(
        _("%(what)s is possible only while the case is one of: %(names)s. It is '%(s)s'.")
        % {"what": what, "names": names, "s": S(case.status).label}
    )
