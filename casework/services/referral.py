"""The referral's details, its triage deadline, and what runs on submit: the bekendheid check
and repeat detection (both on the blind index, never on plaintext)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Criterion,
    EventAudience,
    EventKind,
    Identity,
    NotInformedReason,
    Referral,
    RegionPolicy,
    RiskAssessment,
    RiskInstrument,
    RiskOutcome,
)
from mda import crypto, workdays
from mda.models import Membership, Organisation, Region, Role, User
from mda.notifications import notification_send

REPEAT_WINDOW_MONTHS = 12
_When = TypeVar("_When", date, datetime)


def add_months(when: _When, months: int) -> _When:
    """*when* moved by whole calendar months; the 31st becomes the month's last day."""
    index = when.year * 12 + when.month - 1 + months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def repeat_window_start(moment: datetime) -> datetime:
    """Referrals on or after this moment count for a repeat at *moment*."""
    return add_months(moment, -REPEAT_WINDOW_MONTHS)


MAX_RISK_ASSESSMENTS = 10


@dataclass
class RiskAssessmentInput:
    instrument: str
    assessed_on: date | None
    assessor_organisation: Organisation | None
    outcome: str


@dataclass
class ReferralInput:
    """Everything a referral holds besides the reason and the household."""

    goal: str
    criteria: list[str]
    family_informed: bool | None
    not_informed_reason: str = ""
    not_informed_explanation: str = ""
    risk_assessments: list[RiskAssessmentInput] = field(default_factory=list)
    partners_involved: list[Organisation] = field(default_factory=list)


def region_policy(region: Region) -> RegionPolicy:
    """The region's lifecycle settings; the defaults when it has none."""
    return RegionPolicy.objects.filter(region=region).first() or RegionPolicy(region=region)


def triage_due_on(region: Region, referred_at: datetime) -> date:
    """The referral's local date in Amsterdam plus the region's working days for triage (in the
    region's working-day calendar: its closing days do not count)."""
    days = region_policy(region).triage_working_days
    calendar = workdays.work_calendar(region)
    return calendar.add_working_days(workdays.local_date(referred_at), days)


def referral_errors(details: ReferralInput, region: Region) -> dict[str, list[str]]:
    """Every problem with *details*, by field (empty when all is well)."""
    errors: dict[str, list[str]] = {}
    if not details.goal.strip():
        errors["goal"] = [_("Describe what the conference should achieve.")]
    unknown = set(details.criteria) - set(Criterion.values)
    if not details.criteria or unknown:
        errors["criteria"] = [_("Tick at least one MDA++ criterion that this household meets.")]
    if details.family_informed is None:
        errors["family_informed"] = [_("Say whether the family was informed of this referral.")]
    elif not details.family_informed:
        errors.update(_not_informed_errors(details))
    if len(details.risk_assessments) > MAX_RISK_ASSESSMENTS:
        errors["risk_assessments"] = [
            _("Give at most %d risk instrument outcomes.") % MAX_RISK_ASSESSMENTS
        ]
    else:
        risk = [_risk_errors(r, region) for r in details.risk_assessments]
        if any(risk):
            errors["risk_assessments"] = [
                _("Risk instrument %(n)d: %(problems)s") % {"n": n, "problems": " ".join(e)}
                for n, e in enumerate(risk, start=1)
                if e
            ]
    if any(org.region_id != region.pk for org in details.partners_involved):
        errors["partners_involved"] = [_("Choose partners of the case's region.")]
    return errors


def _not_informed_errors(details: ReferralInput) -> dict[str, list[str]]:
    if details.not_informed_reason not in NotInformedReason.values:
        return {
            "not_informed_reason": [
                _(
                    "When the family was not informed, say why: a criminal investigation, safety, "
                    "or "
                    "another reason."
                )
            ]
        }
    if (
        details.not_informed_reason == NotInformedReason.OTHER
        and not details.not_informed_explanation.strip()
    ):
        return {"not_informed_explanation": [_("Explain the other reason.")]}
    return {}


def _risk_errors(risk: RiskAssessmentInput, region: Region) -> list[str]:
    errors = []
    if risk.instrument not in RiskInstrument.values:
        errors.append(_("Choose the instrument (ARIJ, LIRIK, RiHG, B-SAFER or DASH)."))
    if risk.assessed_on is None or risk.assessed_on > timezone.localdate():
        errors.append(_("Give the date of the assessment (not in the future)."))
    if risk.assessor_organisation is None or risk.assessor_organisation.region_id != region.pk:
        errors.append(_("Choose the organisation that made the assessment."))
    if risk.outcome not in RiskOutcome.values:
        errors.append(_("Choose the outcome category the instrument gave."))
    return errors


def referral_record(*, case: Case, details: ReferralInput) -> Referral:
    """Store the validated details of *case*'s referral (inside case_refer's transaction)."""
    informed = bool(details.family_informed)
    referral = Referral(
        case=case,
        criteria=sorted(set(details.criteria)),
        family_informed=informed,
        not_informed_reason="" if informed else details.not_informed_reason,
    )
    crypto.seal(referral, "goal_ct", details.goal.strip(), case.data_key)
    explanation = details.not_informed_explanation.strip()
    if explanation and not informed:
        crypto.seal(referral, "not_informed_explanation_ct", explanation, case.data_key)
    referral.full_clean(exclude=["case"])
    referral.save()
    referral.partners_involved.set(details.partners_involved)
    for risk in details.risk_assessments:
        assert risk.assessed_on is not None  # checked by referral_errors
        row = RiskAssessment(
            case=case,
            instrument=risk.instrument,
            assessed_on=risk.assessed_on,
            assessor_organisation=risk.assessor_organisation,
            outcome=risk.outcome,
        )
        row.full_clean(exclude=["case"])
        row.save()
    return referral


def event_record(
    *,
    case: Case,
    kind: str,
    actor: User | None,
    organisation: Organisation | None = None,
    audience: str = EventAudience.PROCESS,
    text: str = "",
    automatic: bool = False,
    transition: str = "",
    from_status: str = "",
    to_status: str = "",
    detail: dict[str, object] | None = None,
) -> CaseEvent:
    """Append one entry to the case timeline; *text* is sealed with the case's key."""
    event = CaseEvent(
        case=case,
        kind=kind,
        audience=audience,
        actor=actor,
        actor_organisation=organisation,
        automatic=automatic,
        transition=transition,
        from_status=from_status,
        to_status=to_status,
        occurred_at=timezone.now(),
        detail=detail or {},
    )
    if text.strip():
        crypto.seal(event, "text_ct", text.strip(), case.data_key)
    event.full_clean(exclude=["case", "actor", "actor_organisation"])
    event.save()
    return event


# --- On submit: bekendheid and repeats ---------------------------------------------------------


def _matching_identities(case: Case) -> Q | None:
    own = Identity.objects.filter(member__case=case)
    bsn = [i for i in own.values_list("bsn_index", flat=True) if i]
    name_dob = [i for i in own.values_list("name_dob_index", flat=True) if i]
    if not bsn and not name_dob:
        return None
    return Q(bsn_index__in=bsn) | Q(name_dob_index__in=name_dob)


def known_elsewhere_counts(case: Case) -> tuple[int, bool]:
    """(other cases of the region, known in another region) for *case*'s household."""
    match = _matching_identities(case)
    if match is None:
        return 0, False
    cases = Case.objects.filter(members__identity__in=Identity.objects.filter(match)).exclude(
        pk=case.pk
    )
    same = cases.filter(region_id=case.region_id).values("pk").distinct().count()
    other = cases.exclude(region_id=case.region_id).exists()
    return same, other


def repeat_candidate(case: Case) -> Case | None:
    """The latest earlier case of the region, referred within 12 months before *case*, with a
    household member whose blind index matches: *case* is then a repeat of it."""
    match = _matching_identities(case)
    if match is None:
        return None
    since = repeat_window_start(case.created_at)
    return (
        Case.objects.filter(
            region_id=case.region_id,
            created_at__gte=since,
            created_at__lte=case.created_at,
            members__identity__in=Identity.objects.filter(match),
        )
        .exclude(pk=case.pk)
        .select_related("region", "data_key")
        .order_by("-created_at")
        .first()
    )


def region_coordinators(region_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.COORDINATOR,
            memberships__organisation__region_id=region_id,
        ).distinct()
    )


def referral_checks(*, actor: User, case: Case, organisation: Organisation) -> Case | None:
    """Run on submit: bekendheid (for the coordinators), repeat detection, and the re-opening of
    every case of the household in follow-up. Returns the earlier case when this is a repeat."""
    same, other = known_elsewhere_counts(case)
    Referral.objects.filter(case=case).update(known_in_region=same, known_in_other_region=other)
    if same or other:
        event_record(
            case=case,
            kind=EventKind.KNOWN_ELSEWHERE,
            actor=None,
            automatic=True,
            audience=EventAudience.COORDINATORS,
            detail={"same_region": same, "other_region": other},
        )
    earlier = repeat_candidate(case)
    if earlier is not None:
        case.repeat_of = earlier
        case.save(update_fields=["repeat_of", "updated_at"])
        event_record(
            case=case,
            kind=EventKind.REPEAT,
            actor=None,
            automatic=True,
            audience=EventAudience.COORDINATORS,
            detail={"repeat_of": earlier.reference},
        )
    _reopen_follow_ups(case)
    _notify_coordinators(case)
    return earlier


def _reopen_follow_ups(case: Case) -> None:
    """A new referral is a new signal for every case of the household in follow-up (however long
    ago it was referred: follow-up itself may last longer than the 12-month repeat window)."""
    from casework.services.lifecycle import case_reopen_by_signal

    match = _matching_identities(case)
    if match is None:
        return
    in_follow_up = (
        Case.objects.filter(
            region_id=case.region_id,
            status=CaseStatus.FOLLOW_UP,
            members__identity__in=Identity.objects.filter(match),
        )
        .exclude(pk=case.pk)
        .distinct()
    )
    for earlier in in_follow_up:
        case_reopen_by_signal(case=earlier, cause="new_referral")


def _notify_coordinators(case: Case) -> None:
    due = case.triage_due_on.strftime("%d-%m-%Y") if case.triage_due_on else ""
    body = _("A new referral is waiting for triage. The decision is due on %(due)s.") % {"due": due}
    if case.repeat_of_id:
        body += " " + _("It is a repeat of an earlier case.")
    notification_send(
        recipients=region_coordinators(case.region_id),
        kind="referral_received",
        subject=_("New referral %(ref)s") % {"ref": case.reference},
        body=body,
        link=reverse("casework:case-detail", args=[case.pk]),
        case_reference=case.reference,
    )


def referrer_recipients(case: Case) -> list[User]:
    """Who hears of the triage decision: the referrer, if still with the organisation."""
    still_there = Membership.objects.filter(
        user_id=case.referred_by_id, organisation_id=case.referring_organisation_id
    )
    return [case.referred_by] if still_there.exists() else []
