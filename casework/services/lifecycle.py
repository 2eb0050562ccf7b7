"""The life of a case after its referral: triage, the status table, the safety phase, the case
director, the plan and follow-up check-ins.

Every status change goes through ``_transition_apply``: one row in the case timeline (who, when,
why, the why encrypted) and one audit event, in the caller's transaction. Coordinators make
every change by hand; two signals re-open a case in follow-up by themselves (a repeat referral,
a check-in with concerns).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access, statistics
from casework.models import (
    Case,
    CaseEvent,
    CasePlan,
    CheckIn,
    CheckInOutcome,
    EventKind,
    SafetyPhase,
)
from casework.models.policy import RegionPolicy
from casework.selectors.lifecycle import coordinator_organisation, director_organisation
from casework.selectors.referral import referrer_recipients
from casework.services.timeline import event_record
from casework.transitions import (
    ACTIVE,
    TERMINAL,
    TRANSITIONS,
    S,
    Transition,
    TransitionBlocked,
    TransitionNotAllowed,
    allowed_here_message,
    not_in_status_error,
)
from mda import crypto, workdays
from mda.access import coordinators_of
from mda.audit import audit_record
from mda.facts import fact_record
from mda.models import AuditAction, FactKind, Organisation, User
from mda.notifications import notification_send
from mda.workdays import add_months


def _acting_organisation(actor: User, case: Case) -> Organisation | None:
    if access.can_coordinate(actor, case):
        return coordinator_organisation(actor, case)
    return case.case_director_organisation if case.case_director_id == actor.pk else None


def _lock(case: Case) -> Case:
    """Lock *case*'s row for this transaction and refresh *case* from it, in place: the caller
    sees every change made here, and the access annotations (not columns) stay as they were.

    The case row only (``of``), not the region, organisation and data key rows joined in: those
    are shared by every case of the region. NO KEY: the notes, agreements and participations that
    others add to the case meanwhile check their foreign key with a key-share lock at COMMIT,
    which a plain FOR UPDATE would make wait on this transaction (and deadlock with it)."""
    case.refresh_from_db(
        from_queryset=Case.objects.select_for_update(of=("self",), no_key=True).select_related(
            "region", "data_key", "referring_organisation"
        )
    )
    return case


@transaction.atomic
def case_transition(*, actor: User, case: Case, transition: str, reason: str = "") -> CaseEvent:
    """A coordinator moves *case* along the table above (409 for any other move)."""
    access.require_coordinator(actor, case)
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise ValidationError(
            {
                "transition": _("Unknown transition. %(allowed)s")
                % {"allowed": allowed_here_message(case)}
            }
        )
    _lock(case)
    if case.status not in spec.sources:
        raise TransitionNotAllowed(allowed_here_message(case, transition))
    if spec.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give the reason (or the advice) for this step.")})
    _guard(case, spec)
    event = _transition_apply(
        case,
        spec,
        actor=actor,
        reason=reason,
        organisation=coordinator_organisation(actor, case),
    )
    if spec.triage:
        _notify_triage_decision(case, spec)
    return event


def _guard(case: Case, spec: Transition) -> None:
    if spec.target == S.EXECUTION and (
        case.case_director_id is None or not CasePlan.objects.filter(case=case).exists()
    ):
        raise TransitionBlocked(
            _(
                "Execution needs a case director and a plan with safety goals. Assign the case "
                "director and record the plan first."
            )
        )
    if spec.target == S.CLOSED:
        open_count = case.agreements.filter(status="open").count()
        if open_count:
            raise TransitionBlocked(
                _(
                    "%(n)d agreement(s) are still open. Mark each done, or close it as 'not "
                    "possible' or 'not done' with a reason, before closing the case."
                )
                % {"n": open_count}
            )


def _transition_apply(
    case: Case,
    spec: Transition,
    *,
    actor: User | None,
    reason: str = "",
    organisation: Organisation | None = None,
    automatic: bool = False,
    cause: str = "",
) -> CaseEvent:
    previous, previous_phase = case.status, case.safety_phase
    case.status = spec.target
    _effects(case, spec)
    # Retention counts from the moment a case reaches a final status.
    case.ended_at = timezone.now() if spec.target in TERMINAL else None
    case.save(update_fields=["status", "safety_phase", "follow_up_until", "ended_at", "updated_at"])
    detail: dict[str, object] = {"cause": cause} if cause else {}
    fact_record(FactKind.STATUS, case=case, category=spec.target)
    if spec.triage:
        decided = timezone.localdate()
        working_days = statistics.triage_working_days(case, decided)
        fact_record(FactKind.TRIAGE, case=case, category=spec.name, working_days=working_days)
    if spec.name == "reopen":
        fact_record(FactKind.REOPENING, case=case, category=statistics.reopen_cause(cause))
    event = event_record(
        case=case,
        kind=EventKind.TRANSITION,
        actor=actor,
        organisation=organisation,
        text=reason,
        automatic=automatic,
        transition=spec.name,
        from_status=previous,
        to_status=spec.target,
        detail=detail,
    )
    if case.safety_phase != previous_phase:
        # The first phase comes with the acceptance, which is its why in the timeline.
        event_record(
            case=case,
            kind=EventKind.SAFETY_PHASE,
            actor=actor,
            organisation=organisation,
            detail={"from": previous_phase, "to": case.safety_phase, "cause": spec.name},
        )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="case",
        object_id=str(case.pk),
        case=case,
        detail={
            "transition": spec.name,
            "from": previous,
            "to": spec.target,
            "automatic": automatic,
            "cause": cause or None,
        },
    )
    return event


def _effects(case: Case, spec: Transition) -> None:
    if spec.name == "accept" and case.safety_phase is None:
        case.safety_phase = SafetyPhase.DIRECT_SAFETY
        fact_record(FactKind.SAFETY_PHASE, case=case, category=str(case.safety_phase))
    if spec.name == "start_follow_up":
        _follow_up_schedule(case, timezone.localdate())
    if spec.name in ("reopen", "close", "close_early"):
        CheckIn.objects.pending().filter(case=case).update(cancelled_at=timezone.now())


def _follow_up_schedule(case: Case, start: date) -> None:
    """The follow-up period and its check-ins, from the region's settings. A check-in that would
    fall on a day off (a weekend, holiday or the region's closing day) is due the next working
    day, as a term under the Algemene termijnenwet runs on."""
    policy = RegionPolicy.objects.for_region(case.region)
    calendar = workdays.work_calendar(case.region_id)
    case.follow_up_until = add_months(start, policy.follow_up_months)
    CheckIn.objects.pending().filter(case=case).update(cancelled_at=timezone.now())
    for months in sorted(set(policy.check_in_months)):
        if months <= policy.follow_up_months:
            due_on = calendar.on_or_after(add_months(start, months))
            CheckIn.objects.create(case=case, months_after=months, due_on=due_on)


def case_reopen_by_signal(*, case: Case, cause: str, actor: User | None = None) -> CaseEvent:
    """A case in follow-up re-opens by itself on a new signal (inside the caller's
    transaction); the coordinators and the case director are told."""
    _lock(case)
    event = _transition_apply(case, TRANSITIONS["reopen"], actor=actor, automatic=True, cause=cause)
    recipients = coordinators_of(case.region_id)
    if case.case_director is not None:
        recipients.append(case.case_director)
    notification_send(
        recipients=recipients,
        kind="case_reopened",
        subject=_("Case %(ref)s re-opened") % {"ref": case.reference},
        body=_("A new signal during follow-up re-opened case %(ref)s.") % {"ref": case.reference},
        link=reverse("casework:case-detail", args=[case.pk]),
        case_reference=case.reference,
    )
    return event


def _notify_triage_decision(case: Case, spec: Transition) -> None:
    notification_send(
        recipients=referrer_recipients(case),
        kind="triage_decision",
        subject=_("Triage decision on referral %(ref)s") % {"ref": case.reference},
        body=_(
            "The coordinators decided on your referral %(ref)s: %(decision)s. Open the case "
            "in the service for what this means."
        )
        % {"ref": case.reference, "decision": spec.label},
        link=reverse("casework:case-detail", args=[case.pk]),
        case_reference=case.reference,
    )


# --- Case director, plan, safety phase --------------------------------------------------------


@transaction.atomic
def case_director_assign(*, actor: User, case: Case, director: User) -> Case:
    access.require_coordinator(actor, case)
    _lock(case)
    if case.status not in ACTIVE:
        raise not_in_status_error(case, _("Assigning a case director"), ACTIVE)
    organisation = director_organisation(case, director)
    if organisation is None:
        raise ValidationError(
            {
                "director": _(
                    "The case director must be a professional of an organisation that takes part "
                    "in "
                    "the case at level 2."
                )
            }
        )
    case.case_director, case.case_director_organisation = director, organisation
    case.save(update_fields=["case_director", "case_director_organisation", "updated_at"])
    event_record(
        case=case,
        kind=EventKind.DIRECTOR,
        actor=actor,
        organisation=coordinator_organisation(actor, case),
        detail={
            "organisation": organisation.name,
            "director": director.get_full_name() or director.get_username(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="case_director",
        object_id=str(case.pk),
        case=case,
        detail={"director": director.get_username()},
    )
    notification_send(
        recipients=[director],
        kind="case_director",
        subject=_("You are case director of %(ref)s") % {"ref": case.reference},
        body=_("A coordinator made you case director of %(ref)s.") % {"ref": case.reference},
        link=reverse("casework:case-detail", args=[case.pk]),
        case_reference=case.reference,
    )
    return case


@transaction.atomic
def case_plan_save(
    *, actor: User, case: Case, safety_goals: str, review_every_weeks: int
) -> CasePlan:
    """The one plan: safety goals (encrypted) and the review cadence. Coordinators and the case
    director write it."""
    access.require_director(actor, case)
    if case.status not in ACTIVE:
        raise not_in_status_error(case, _("Recording the plan"), ACTIVE)
    errors = {}
    if not safety_goals.strip():
        errors["safety_goals"] = [_("Write down the safety goals of the plan.")]
    if not 1 <= int(review_every_weeks) <= 26:
        errors["review_every_weeks"] = [_("Review the case every 1 to 26 weeks.")]
    if errors:
        raise ValidationError(errors)
    plan = CasePlan.objects.filter(case=case).first() or CasePlan(case=case)
    if plan._state.adding:
        days = statistics.working_days_since_acceptance(case, timezone.localdate())
        fact_record(FactKind.PLAN, case=case, working_days=days)
    now = timezone.now()
    plan.review_every_weeks, plan.updated_by, plan.updated_at = review_every_weeks, actor, now
    plan.next_review_on = timezone.localdate() + timedelta(weeks=review_every_weeks)
    crypto.seal(plan, "safety_goals_ct", safety_goals.strip(), case.data_key)
    plan.full_clean(exclude=["case"])
    plan.save()
    event_record(
        case=case,
        kind=EventKind.PLAN,
        actor=actor,
        organisation=_acting_organisation(actor, case),
        detail={"review_every_weeks": review_every_weeks},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="plan",
        object_id=str(case.pk),
        case=case,
        detail={"review_every_weeks": review_every_weeks},
    )
    return plan


@transaction.atomic
def safety_phase_set(*, actor: User, case: Case, phase: int, reason: str) -> Case:
    """Coordinators and the case director move the case to another safety phase, always with
    a reason: the timeline keeps it (encrypted, read at level 2 and by coordinators)."""
    access.require_director(actor, case)
    _lock(case)
    if case.status not in ACTIVE:
        raise not_in_status_error(case, _("Changing the safety phase"), ACTIVE)
    errors: dict[str, list[str]] = {}
    if phase not in SafetyPhase.values:
        errors["phase"] = [_("Choose phase 1, 2 or 3.")]
    elif phase == case.safety_phase:
        errors["phase"] = [_("The case is in this safety phase already.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the safety phase changes.")]
    if errors:
        raise ValidationError(errors)
    previous = case.safety_phase
    case.safety_phase = phase
    case.save(update_fields=["safety_phase", "updated_at"])
    fact_record(FactKind.SAFETY_PHASE, case=case, category=str(phase))
    event_record(
        case=case,
        kind=EventKind.SAFETY_PHASE,
        actor=actor,
        text=reason,
        organisation=_acting_organisation(actor, case),
        detail={"from": previous, "to": phase},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="safety_phase",
        object_id=str(case.pk),
        case=case,
        detail={"from": previous, "to": phase},
    )
    return case


# --- Follow-up check-ins ----------------------------------------------------------------------


@transaction.atomic
def check_in_complete(
    *, actor: User, case: Case, check_in: CheckIn, outcome: str, remark: str = ""
) -> CheckIn:
    """The case director (or a coordinator) records a check-in; concerns re-open the case."""
    access.require_director(actor, case)
    if check_in.case_id != case.pk:
        raise PermissionDenied
    locked = CheckIn.objects.select_for_update().get(pk=check_in.pk)
    if locked.completed_at is not None or locked.cancelled_at is not None:
        raise ValidationError(_("This check-in is no longer open."))
    if case.status != S.FOLLOW_UP:
        raise not_in_status_error(case, _("A check-in"), (S.FOLLOW_UP,))
    if outcome not in CheckInOutcome.values:
        raise ValidationError({"outcome": _("Say whether safety holds or there are concerns.")})
    if outcome == CheckInOutcome.CONCERNS and not remark.strip():
        raise ValidationError({"remark": _("Describe the concerns.")})
    locked.completed_at, locked.completed_by, locked.outcome = timezone.now(), actor, outcome
    if remark.strip():
        crypto.seal(locked, "remark_ct", remark.strip(), case.data_key)
    locked.save()
    event_record(
        case=case,
        kind=EventKind.CHECK_IN,
        actor=actor,
        text=remark,
        organisation=_acting_organisation(actor, case),
        detail={"months_after": locked.months_after, "outcome": outcome},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="check_in",
        object_id=str(locked.pk),
        case=case,
        detail={"outcome": outcome},
    )
    if outcome == CheckInOutcome.CONCERNS:
        case_reopen_by_signal(case=case, cause="check_in_concerns", actor=actor)
    return locked


def check_ins_due_notify(*, today: date | None = None) -> int:
    """The sweep: tell each case director once that a check-in is due (claimed first)."""
    today = today or timezone.localdate()
    due = (
        CheckIn.objects.pending()
        .filter(
            due_on__lte=today,
            notified_at__isnull=True,
            case__status=S.FOLLOW_UP,
            case__case_director__isnull=False,
        )
        .values_list("pk", flat=True)[:500]
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = CheckIn.objects.filter(pk=pk, notified_at__isnull=True).update(
                notified_at=timezone.now()
            )
            if claimed != 1:
                continue
            check_in = CheckIn.objects.select_related("case__case_director").get(pk=pk)
            case = check_in.case
            notification_send(
                recipients=[u for u in (case.case_director,) if u is not None],
                kind="check_in_due",
                subject=_("Follow-up check-in due for %(ref)s") % {"ref": case.reference},
                body=_("The check-in %(n)d months after the start of follow-up is due.")
                % {"n": check_in.months_after},
                link=reverse("casework:check-in", args=[case.pk, check_in.pk]),
                case_reference=case.reference,
            )
            sent += 1
    return sent
