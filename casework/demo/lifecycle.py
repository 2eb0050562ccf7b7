"""Demo of the life of a case: the demo cases spread over every status, with case directors,
plans, safety phases, follow-up check-ins, Signs of Safety readings over several months, an
overdue referral and repeats (one of which re-opens a case in follow-up).

Called by ``casework.demo.cases.seed_cases`` right after it referred the demo cases, in its
transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from casework import access, services
from casework.demo.cases import CASES, birth, demo_bsn, demo_referral_details, stable
from casework.models import Case, CaseStatus, HouseholdMember
from mda import workdays
from mda.models import Region, User

# Per demo case (in the order of casework.demo.cases.CASES): where it ends up, its case director
# (a professional of an organisation at level 2), and its readings.
PATHS: list[tuple[tuple[str, ...], str]] = [
    (("accept", "start_plan", "start_execution"), "lokaalteam"),  # 1 de Groot: execution
    (("start_triage",), ""),  # 2 Bakker: in triage, overdue
    (("accept", "start_plan"), "politie"),  # 3 El Amrani: plan
    (("accept", "start_plan", "start_execution", "start_follow_up"), "ggz"),  # 4 Visser
    (("accept",), ""),  # 5 Smit: intake
    (("accept", "start_plan", "start_execution", "start_follow_up", "close"), "lokaalteam"),
    (("acute_route",), ""),  # 7 Aydin
    (("accept", "start_plan", "start_execution", "start_follow_up"), "jeugdbescherming"),
    (("decline",), ""),  # 9 Kok
    ((), ""),  # 10 de Groot again: a repeat of 1, waiting for triage
]
REASONS = {
    "acute_route": "Acuut gevaar: overgedragen aan het spoedproces van politie en Veilig Thuis.",
    "decline": "Reguliere hulp is nog niet maximaal beproefd; eerst het lokaal team inzetten.",
    "advise": "Advies: huisarts en wijkteam samen laten optrekken; bij nieuwe signalen opnieuw "
    "aanmelden.",
    "close": "Afgesloten na twaalf maanden stabiele veiligheid.",
}
# Readings (professional, mother, child, network) per month back from today.
READINGS = [(2, 6, 3, 4), (3, 7, 4, 5), (4, 7, 5, 5), (5, 8, 5, 6), (6, 8, 6, 7), (7, 8, 7, 7)]


def _as(username: str, case: Case) -> Any:
    return access.access_case(User.objects.get(username=username), case.pk)


def _move(case: Case, names: tuple[str, ...], director: str) -> None:
    coordinator = User.objects.get(username="coordinator")
    for name in names:
        if name == "start_execution" or (name == "start_plan" and director):
            _direct(case, director)
        services.case_transition(
            actor=coordinator,
            case=_as("coordinator", case),
            transition=name,
            reason=REASONS.get(name, ""),
        )


def _direct(case: Case, director: str) -> None:
    if Case.objects.filter(pk=case.pk, case_director__isnull=False).exists():
        return
    coordinator = User.objects.get(username="coordinator")
    services.case_director_assign(
        actor=coordinator,
        case=_as("coordinator", case),
        director=User.objects.get(username=director),
    )
    services.case_plan_save(
        actor=coordinator,
        case=_as("coordinator", case),
        review_every_weeks=4,
        safety_goals="1. Geen geweld in huis.\n2. De kinderen hebben een veilig adres bij "
        "oma.\n3. Vader volgt agressieregulatie.",
    )


def _readings(case: Case, director: str) -> None:
    """Six months of readings from four perspectives, diverging at first."""
    members = list(case.members.all())
    parent = next((m for m in members if m.role != "child"), None)
    child = next((m for m in members if m.role == "child"), None)
    today = timezone.localdate()
    for months_back, (prof, mother, kid, network) in zip(range(5, -1, -1), READINGS, strict=True):
        on = today - timedelta(days=30 * months_back + 3)
        record: list[tuple[str, int, HouseholdMember | None]] = [
            ("professional", prof, None),
            ("network", network, None),
        ]
        if parent is not None:
            record.append(("parent", mother, parent))
        if child is not None:
            record.append(("child", kid, child))
        for perspective, value, member in record:
            services.score_add(
                actor=User.objects.get(username=director),
                case=_as(director, case),
                value=value,
                scored_on=on,
                perspective=perspective,
                member=member,
            )


def _overdue(case: Case, days: int) -> None:
    """Back-date the referral, so the triage queue shows an overdue decision."""
    referred = timezone.now() - timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(
        created_at=referred,
        triage_due_on=workdays.work_calendar(case.region_id).add_working_days(
            workdays.local_date(referred), 5
        ),
    )


def seed_lifecycle(out: list[str]) -> None:
    region = Region.objects.get(slug="groningen")
    cases = list(Case.objects.filter(region=region).order_by("created_at", "reference"))
    for case, (names, director) in zip(cases, PATHS, strict=False):
        _move(case, names, director)
        case.refresh_from_db()
        if case.status in (CaseStatus.EXECUTION, CaseStatus.FOLLOW_UP):
            _readings(case, director)
            phase = 3 if case.status == CaseStatus.FOLLOW_UP else 2
            services.safety_phase_set(
                actor=User.objects.get(username=director),
                case=_as(director, case),
                phase=phase,
                reason="Geen nieuwe incidenten; het netwerk draagt mee.",
            )
    _overdue(cases[1], days=12)
    _repeat_that_reopens(cases[3])
    drenthe = Case.objects.filter(region__slug="drenthe").first()
    if drenthe is not None:
        services.case_transition(
            actor=User.objects.get(username="drenthe-coordinator"),
            case=_as("drenthe-coordinator", drenthe),
            transition="advise",
            reason=REASONS["advise"],
        )
    statuses = sorted(set(Case.objects.values_list("status", flat=True)))
    out.append(
        f"Demo lifecycle: statuses {', '.join(statuses)}; repeats "
        f"{Case.objects.filter(repeat_of__isnull=False).count()}."
    )


def _repeat_that_reopens(earlier: Case) -> None:
    """A new referral for the household of *earlier* (in follow-up): a repeat that re-opens it."""
    spec = CASES[3]
    referrer = User.objects.get(username=spec.referrer)
    members = [
        services.MemberInput(
            role=role,
            label=label,
            name=name,
            date_of_birth=birth(age),
            bsn=demo_bsn(stable(name)),
        )
        for role, label, name, age in spec.household
    ]
    services.case_refer(
        actor=referrer,
        organisation=referrer.memberships.get().organisation,
        reason="Nieuw incident: moeder opnieuw opgenomen, kind bij buren opgevangen.",
        members=members,
        details=demo_referral_details("", earlier.region),
    )
