"""Demo cases: about ten pseudonymised cases in Groningen (and one in Drenthe), with participants
at every information level and notes in every visibility, so that logging in as different demo
users shows the access rules at work. ``seed_cases`` then moves them through their lives
(``casework.demo.lifecycle``). Idempotent: skipped when the demo cases exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from casework import access, selectors, services
from casework.models import Case, Criterion, LegalBasis, NoteVisibility
from mda.models import Organisation, Region, User


def demo_bsn(seed: int) -> str:
    """A valid (elfproef) but fictitious BSN, derived from *seed*."""
    digits = [int(c) for c in f"{(seed * 7919 + 10000000) % 100000000:08d}"]
    total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
    last = total % 11
    if last == 10:
        return demo_bsn(seed + 1000)
    return "".join(map(str, digits)) + str(last)


def demo_referral_details(reason: str, region: Region) -> services.ReferralInput:
    """A plausible complete referral for a demo case (goal, criteria, family informed)."""
    criminal = "onderzoek" in reason.lower() or "politie" in reason.lower()
    return services.ReferralInput(
        goal="Eén gezamenlijk veiligheidsplan met één casusregisseur; het geweld stopt.",
        criteria=[
            Criterion.STRUCTURAL_UNSAFETY,
            Criterion.REPEATED_INCIDENTS,
            Criterion.SEVERAL_LIFE_DOMAINS,
        ],
        family_informed=not criminal,
        not_informed_reason="criminal_investigation" if criminal else "",
    )


@dataclass
class DemoCase:
    referrer: str  # username
    reason: str
    household: list[tuple[str, str, str, int]]  # role, label, name, age
    partners: list[tuple[str, int]]  # organisation slug, level
    notes: list[tuple[str, str, str]]  # username, visibility, text


CASES = [
    DemoCase(
        "veiligthuis",
        "Herhaald huiselijk geweld na eerdere meldingen; kinderen getuige. "
        "Reguliere hulp is maximaal beproefd.",
        [
            ("victim", "moeder", "Anna de Groot", 34),
            ("perpetrator", "vader", "Mark de Groot", 38),
            ("child", "kind 1", "Sem de Groot", 7),
            ("child", "kind 2", "Lisa de Groot", 4),
        ],
        [("politie", 2), ("ggz", 2), ("lokaal-team", 2), ("jeugdbescherming", 1)],
        [
            ("politie", "domain", "Lopend opsporingsonderzoek; aangifte mishandeling 12-09."),
            (
                "ggz",
                "participants",
                "Vader in behandeling voor agressieregulatie, opkomst wisselend.",
            ),
            ("lokaalteam", "organisation", "Schuldhulpverlening gestart; huur achterstand."),
            ("coordinator", "coordinators", "Weegmoment jeugdbescherming heroverwegen na triage."),
        ],
    ),
    DemoCase(
        "lokaalteam",
        "Zorgen over verwaarlozing en verslaving van beide ouders.",
        [
            ("parent", "moeder", "Sanne Bakker", 29),
            ("parent", "vader", "Joris Bakker", 31),
            ("child", "kind 1", "Noor Bakker", 2),
        ],
        [("verslavingszorg", 2), ("veilig-thuis", 2), ("raad", 0)],
        [
            ("verslavingszorg", "participants", "Beide ouders aangemeld voor intake."),
            ("veiligthuis", "participants", "Eerdere melding in 2025 afgesloten met advies."),
        ],
    ),
    DemoCase(
        "politie",
        "Stalking en bedreiging door ex-partner na scheiding.",
        [
            ("victim", "moeder", "Fatima El Amrani", 41),
            ("perpetrator", "ex-partner", "Karim Benali", 44),
            ("child", "kind 1", "Yasmin El Amrani", 12),
        ],
        [("politie", 2), ("om", 2), ("reclassering", 2), ("veilig-thuis", 1)],
        [
            ("politie", "domain", "Contactverbod opgelegd; overtreding op 03-10 gemeld."),
            ("reclassering", "domain", "Toezicht gestart; meldplicht wekelijks."),
        ],
    ),
    DemoCase(
        "ggz",
        "Psychiatrische problematiek moeder; veiligheid kind onvoldoende geborgd.",
        [("parent", "moeder", "Els Visser", 37), ("child", "kind 1", "Daan Visser", 9)],
        [("ggz", 2), ("jeugdbescherming", 2), ("lokaal-team", 1)],
        [("ggz", "participants", "Crisisplan opgesteld met moeder en netwerk.")],
    ),
    DemoCase(
        "veiligthuis",
        "Kindermishandeling vermoed na letsel; school meldt zorgen.",
        [
            ("child", "kind 1", "Milan Smit", 6),
            ("parent", "moeder", "Iris Smit", 30),
            ("parent", "stiefvader", "Tom Hendriks", 35),
        ],
        [("raad", 2), ("politie", 1), ("jeugdbescherming", 2)],
        [
            ("raad", "domain", "Raadsonderzoek gestart naar gezag."),
            ("jeugdbescherming", "participants", "Veiligheidsplan: kind tijdelijk bij oma."),
        ],
    ),
    DemoCase(
        "lokaalteam",
        "Ouderenmishandeling: financiële uitbuiting door zoon.",
        [("victim", "moeder", "Gerda Mulder", 79), ("perpetrator", "zoon", "Henk Mulder", 52)],
        [("politie", 2), ("lokaal-team", 2)],
        [("lokaalteam", "participants", "Bewindvoering aangevraagd.")],
    ),
    DemoCase(
        "om",
        "Eergerelateerd geweld: dreiging richting dochter.",
        [("victim", "dochter", "Leyla Aydin", 17), ("parent", "vader", "Mehmet Aydin", 49)],
        [("om", 2), ("politie", 2), ("veilig-thuis", 2)],
        [
            ("om", "domain", "Strafrechtelijk onderzoek; geen informatie delen met vader."),
            ("veiligthuis", "participants", "Veilige opvang geregeld."),
        ],
    ),
    DemoCase(
        "jeugdbescherming",
        "Ondertoezichtstelling; ouders werken niet mee aan hulpverlening.",
        [
            ("child", "kind 1", "Finn Jansen", 11),
            ("child", "kind 2", "Eva Jansen", 8),
            ("parent", "moeder", "Kim Jansen", 36),
        ],
        [("jeugdbescherming", 2), ("ggz", 1), ("lokaal-team", 2)],
        [("jeugdbescherming", "participants", "Gezinsvoogd wekelijks op huisbezoek.")],
    ),
    DemoCase(
        "veiligthuis",
        "Partnergeweld met wapenbezit.",
        [("victim", "partner 1", "Lotte Kok", 27), ("perpetrator", "partner 2", "Rick Kok", 30)],
        [("politie", 2), ("ggz", 0)],
        [("politie", "domain", "Wapen in beslag genomen op 21-10.")],
    ),
    DemoCase(
        "reclassering",
        "Dader met eerdere veroordeling woont opnieuw samen met slachtoffer.",
        [
            ("victim", "partner 1", "Anna de Groot", 34),
            ("perpetrator", "partner 2", "Mark de Groot", 38),
        ],
        [("reclassering", 2), ("politie", 2), ("veilig-thuis", 2)],
        [("reclassering", "domain", "Bijzondere voorwaarden: geen contact, overtreden.")],
    ),
]

DRENTHE_CASE = DemoCase(
    "drenthe-politie",
    "Huiselijk geweld na verhuizing vanuit Groningen.",
    [("victim", "moeder", "Fatima El Amrani", 41), ("child", "kind 1", "Yasmin El Amrani", 12)],
    [("politie", 2)],
    [("drenthe-politie", "domain", "Melding na verhuizing; eerdere bekendheid onbekend.")],
)


def birth(age: int) -> date:
    today = timezone.localdate()
    return date(today.year - age, 3 + age % 9, 1 + age % 27)


def _seed_case(spec: DemoCase, region: Region, coordinator: User, seed: int) -> Case:
    referrer = User.objects.get(username=spec.referrer)
    organisation = referrer.memberships.get().organisation
    members = [
        services.MemberInput(
            role=role,
            label=label,
            name=name,
            date_of_birth=birth(age),
            bsn=demo_bsn(stable(name)),
            address=f"Demostraat {seed + i}, {region.name}",
        )
        for i, (role, label, name, age) in enumerate(spec.household)
    ]
    case = services.case_refer(
        actor=referrer,
        organisation=organisation,
        reason=spec.reason,
        members=members,
        details=demo_referral_details(spec.reason, region),
    )
    for slug, level in spec.partners:
        org = Organisation.objects.get(region=region, slug=slug)
        weegmoment: dict[str, Any] = {
            "level": level,
            "legal_basis": LegalBasis.CONVENANT,
            "purpose": "Samenwerking in de MDA++-aanpak voor dit gezin.",
            "necessity": "Zonder de informatie van deze partner is geen integraal plan mogelijk.",
            "expires_at": timezone.now() + timedelta(days=365),
        }
        visible = access.access_case(coordinator, case.pk)
        current = case.participations.filter(organisation=org, revoked_at__isnull=True).first()
        if current is not None:
            # The referrer follows at level 1; a new weegmoment raises it to what the plan needs.
            services.participation_supersede(
                actor=coordinator,
                participation=selectors.participation_of_case(
                    case=visible, participation_id=current.pk
                ),
                **weegmoment,
            )
        else:
            services.participation_add(
                actor=coordinator, case=visible, organisation=org, **weegmoment
            )
    for username, visibility, text in spec.notes:
        author = User.objects.get(username=username)
        visible = access.access_case(author, case.pk)
        services.note_add(
            actor=author, case=visible, body=text, visibility=NoteVisibility(visibility)
        )
    return case


def stable(name: str) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(name))


def refer_all() -> None:
    """Refer every demo case, as its referrer would, and let the coordinator weigh partners in."""
    groningen = Region.objects.get(slug="groningen")
    coordinator = User.objects.get(username="coordinator")
    for seed, spec in enumerate(CASES, start=1):
        _seed_case(spec, groningen, coordinator, seed)
    drenthe = Region.objects.get(slug="drenthe")
    _seed_case(DRENTHE_CASE, drenthe, User.objects.get(username="drenthe-coordinator"), 99)
