"""Demo agreements, seeded after the demo cases (``casework.demo.seed_cases``): open ones due
soon (the running sweep reminds their owners within a minute of the stack starting), one done,
one not possible, and a coordinator's escalation by hand. All through the services; idempotent:
skipped when the region has agreements already."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from casework import selectors as casework_selectors
from casework import services
from casework.access import access_agreement, access_case
from casework.models import AccessLevel, Agreement, AgreementStatus, Case, Participation
from mda.models import Organisation, Region, Role, User
from mda.workdays import work_calendar
from scheduling.services import escalation_raise, ladder_of

# (case number in the region, what was agreed, working days until due, outcome or None)
AGREEMENTS = [
    (0, "Budgetcoaching regelen voor het gezin.", 1, None),
    (0, "Huisbezoek afleggen en de veiligheidsafspraken toetsen.", 5, None),
    (0, "Intake voor vader bij de GGZ plannen.", 15, (AgreementStatus.DONE, "")),
    (1, "Veiligheidsplan opstellen met het netwerk.", 1, None),
    (1, "Intake voor beide ouders inplannen.", 3, None),
    (
        2,
        "Contactverbod evalueren met het OM.",
        8,
        (AgreementStatus.NOT_POSSIBLE, "Omstandigheden gewijzigd: de verdachte is verhuisd."),
    ),
]
MANUAL_REASON = "Samenwerking stagneert: afspraken uit het vorige overleg zijn niet opgepakt."


def _owners(case: Case) -> list[Organisation]:
    return [
        p.organisation
        for p in Participation.objects.active()
        .filter(case=case, level__gte=AccessLevel.PROCESS)
        .select_related("organisation")
        .order_by("organisation__name")
    ]


@transaction.atomic
def seed_agreements(out: list[str]) -> None:
    region = Region.objects.get(slug="groningen")
    if Agreement.objects.filter(case__region=region).exists():
        out.append("Demo agreements exist already; left as they are.")
        return
    ladder = ladder_of(region)
    coordinator = User.objects.get(username="coordinator")
    cases = list(Case.objects.filter(region=region).order_by("reference")[:3])
    today = timezone.localdate()
    made = 0
    for number, (index, text, days, outcome) in enumerate(AGREEMENTS):
        if index >= len(cases) or not (owners := _owners(cases[index])):
            continue
        case = access_case(coordinator, cases[index].pk)
        organisation = owners[number % len(owners)]
        candidates = casework_selectors.agreement_owner_candidates(organisation).order_by("pk")
        owner = candidates.filter(memberships__role=Role.PROFESSIONAL).first() or candidates.first()
        agreement = services.agreement_create(
            actor=coordinator,
            case=case,
            description=text,
            owner_organisation=organisation,
            owner=owner,
            due_date=work_calendar(case.region_id).add_working_days(today, days),
        )
        made += 1
        if outcome is not None:
            status, reason = outcome
            services.agreement_resolve(
                actor=coordinator,
                agreement=access_agreement(coordinator, agreement.pk),
                status=status,
                reason=reason,
            )
    if len(cases) > 1:
        escalation_raise(
            actor=coordinator,
            case=access_case(coordinator, cases[1].pk),
            rung=ladder.rungs.get(number=2),
            reason=MANUAL_REASON,
        )
    out.append(f"Demo agreements: {made}, and one escalation by hand (rung 2, Veilig Thuis).")
