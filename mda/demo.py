"""Demo data: region Groningen with one organisation of each kind and users in every role, and a
second region (Drenthe). Idempotent: running it again changes nothing and prints the same users.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from mda.models import Domain, Membership, Organisation, OrganisationKind, Region, Role, User


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    organisation: str
    role: str


GRONINGEN_ORGANISATIONS = [
    (
        "zvh",
        "Zorg- en Veiligheidshuis Groningen",
        Domain.COORDINATION,
        OrganisationKind.SAFETY_HOUSE,
    ),
    ("veilig-thuis", "Veilig Thuis Groningen", Domain.SOCIAL, OrganisationKind.VEILIG_THUIS),
    ("lokaal-team", "Lokaal team Groningen-Stad", Domain.SOCIAL, OrganisationKind.LOCAL_TEAM),
    ("politie", "Politie Noord-Nederland", Domain.JUSTICE, OrganisationKind.POLICE),
    ("om", "Openbaar Ministerie Noord-Nederland", Domain.JUSTICE, OrganisationKind.PROSECUTION),
    (
        "reclassering",
        "Reclassering Nederland, regio Noord",
        Domain.JUSTICE,
        OrganisationKind.PROBATION,
    ),
    (
        "raad",
        "Raad voor de Kinderbescherming Noord",
        Domain.JUSTICE,
        OrganisationKind.CHILD_PROTECTION_BOARD,
    ),
    ("ggz", "GGZ Groningen", Domain.CARE, OrganisationKind.MENTAL_HEALTH),
    ("verslavingszorg", "Verslavingszorg Noord", Domain.CARE, OrganisationKind.ADDICTION_CARE),
    ("jeugdbescherming", "Jeugdbescherming Noord", Domain.CARE, OrganisationKind.YOUTH_PROTECTION),
    ("gemeente", "Gemeente Groningen", Domain.SOCIAL, OrganisationKind.MUNICIPALITY),
]

GRONINGEN_USERS = [
    DemoUser("coordinator", "Carla", "de Vries", "zvh", Role.COORDINATOR),
    DemoUser("voorzitter", "Vincent", "Bakker", "zvh", Role.CHAIR),
    DemoUser("beheerder", "Bram", "Mulder", "zvh", Role.FUNCTIONAL_ADMIN),
    DemoUser("privacy", "Petra", "Smit", "zvh", Role.PRIVACY_OFFICER),
    DemoUser("beleid", "Bea", "Kuipers", "gemeente", Role.POLICY_OFFICER),
    DemoUser("teamleider", "Tessa", "Visser", "lokaal-team", Role.ESCALATION_OFFICIAL),
    DemoUser("lokaalteam", "Lotte", "Jansen", "lokaal-team", Role.PROFESSIONAL),
    DemoUser("veiligthuis", "Vera", "Hoekstra", "veilig-thuis", Role.PROFESSIONAL),
    DemoUser("politie", "Pieter", "Kramer", "politie", Role.PROFESSIONAL),
    DemoUser("om", "Olga", "Meijer", "om", Role.PROFESSIONAL),
    DemoUser("reclassering", "Ruben", "Bos", "reclassering", Role.PROFESSIONAL),
    DemoUser("raad", "Rianne", "Dijkstra", "raad", Role.PROFESSIONAL),
    DemoUser("ggz", "Gerrit", "van Dijk", "ggz", Role.PROFESSIONAL),
    DemoUser("verslavingszorg", "Vince", "de Boer", "verslavingszorg", Role.PROFESSIONAL),
    DemoUser("jeugdbescherming", "Julia", "Peters", "jeugdbescherming", Role.PROFESSIONAL),
    # The escalation ladder: Veilig Thuis (rung 2), mayor and alderman (rung 4).
    DemoUser("vt-teamleider", "Wendy", "Koster", "veilig-thuis", Role.ESCALATION_OFFICIAL),
    DemoUser("burgemeester", "Bert", "Wolters", "gemeente", Role.ESCALATION_OFFICIAL),
]

DRENTHE_ORGANISATIONS = [
    ("zvh", "Zorg- en Veiligheidshuis Drenthe", Domain.COORDINATION, OrganisationKind.SAFETY_HOUSE),
    ("politie", "Politie Drenthe", Domain.JUSTICE, OrganisationKind.POLICE),
]

DRENTHE_USERS = [
    DemoUser("drenthe-coordinator", "Daan", "Hendriks", "zvh", Role.COORDINATOR),
    DemoUser("drenthe-politie", "Diana", "Vos", "politie", Role.PROFESSIONAL),
]


def _organisations(
    region: Region,
    rows: Sequence[tuple[str, str, str, str]],  # (slug, name, domain, kind)
) -> dict[str, Organisation]:
    result = {}
    for slug, name, domain, kind in rows:
        org, _created = Organisation.objects.get_or_create(
            region=region,
            slug=slug,
            defaults={
                "name": name,
                "domain": domain,
                "kind": kind,
                "email": f"{slug}.{region.slug}@demo.mda.localhost",
            },
        )
        result[slug] = org
    return result


def _user(spec: DemoUser, organisations: dict[str, Organisation]) -> tuple[User, str]:
    user, created = User.objects.get_or_create(
        username=spec.username,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": f"{spec.username}@demo.mda.localhost",
        },
    )
    if created:
        user.set_password(settings.MDA_DEMO_PASSWORD)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(
        user=user, organisation=organisations[spec.organisation], defaults={"role": spec.role}
    )
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return user, secret


@transaction.atomic
def seed_core(out: list[str]) -> None:
    for region_name, region_slug, org_rows, users in [
        ("Groningen", "groningen", GRONINGEN_ORGANISATIONS, GRONINGEN_USERS),
        ("Drenthe", "drenthe", DRENTHE_ORGANISATIONS, DRENTHE_USERS),
    ]:
        region, _created = Region.objects.get_or_create(
            slug=region_slug, defaults={"name": region_name}
        )
        organisations = _organisations(region, org_rows)
        for spec in users:
            user, secret = _user(spec, organisations)
            organisation = organisations[spec.organisation]
            out.append(f"{user.username:<20} {spec.role:<20} {organisation.name:<40} TOTP {secret}")
