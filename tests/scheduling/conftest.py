"""Agreements and the escalation ladder on a case like the casework ``scenario``.

| organisation         | level | persona / extra person          | rung that tells them |
| local_team           | 2     | social (owner), escalation (TL) | 0 (owner), 1         |
| police               | 2     | police                          | -                    |
| ggz                  | 1     | care (owner of the ggz one)     | 0                    |
| veilig_thuis         | 0     | veilig_thuis; vt_lead (extra)   | 2 (vt_lead)          |
| zvh                  | -     | coordinator                     | 3                    |
| municipality (extra) | -     | mayor (extra)                   | 4                    |
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from typing import cast as as_type
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casework import services
from casework.access import access_agreement, access_case
from casework.models import Agreement, Case
from mda import crypto
from mda.models import Domain, OrganisationKind, Role, User
from scheduling import services as scheduling_services
from scheduling.models import EscalationNotice
from tests.casework.conftest import Scenario, grant
from tests.conftest import Cast
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

AMS = ZoneInfo("Europe/Amsterdam")
DESCRIPTION = "AGREEMENT-MARKER arrange debt counselling for moeder"


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An Amsterdam wall-clock moment."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


REASON = "REASON-MARKER repeated violence, children witness"


@pytest.fixture
def scenario(cast: Cast) -> Scenario:
    """A case of region north (made directly, so these tests do not depend on the referral form)
    with the casework scenario's participations: local team and police at level 2, GGZ at 1,
    Veilig Thuis at 0."""
    key = crypto.data_key_create()
    case = Case(
        id=uuid.uuid4(),
        reference="MDA-2026-0042",
        region=cast.north,
        referring_organisation=cast.orgs["local_team"],
        referred_by=cast.social.user,
        data_key=key,
    )
    crypto.seal(case, "reason_ct", REASON, key)
    case.save()
    parts = {
        "local_team": grant(cast, case, "local_team", 2),
        "police": grant(cast, case, "police", 2),
        "ggz": grant(cast, case, "ggz", 1),
        "veilig_thuis": grant(cast, case, "veilig_thuis", 0),
    }
    return Scenario(case=case, participations=parts)


@dataclass
class LadderPeople:
    vt_lead: User
    mayor: User


@pytest.fixture
def ladder_people(cast: Cast) -> LadderPeople:
    vt_lead = UserFactory(username="vt_lead")
    MembershipFactory(
        user=vt_lead, organisation=cast.orgs["veilig_thuis"], role=Role.ESCALATION_OFFICIAL
    )
    municipality = OrganisationFactory(
        region=cast.north,
        name="Gemeente Noord",
        slug="gemeente",
        domain=Domain.SOCIAL,
        kind=OrganisationKind.MUNICIPALITY,
    )
    mayor = UserFactory(username="mayor")
    MembershipFactory(user=mayor, organisation=municipality, role=Role.ESCALATION_OFFICIAL)
    return LadderPeople(vt_lead=as_type(User, vt_lead), mayor=as_type(User, mayor))


def make_agreement(
    cast: Cast,
    case: Case,
    due: date,
    *,
    org: str = "local_team",
    owner: str | None = "social",
    description: str = DESCRIPTION,
) -> Agreement:
    coordinator = cast.coordinator.user
    return services.agreement_create(
        actor=coordinator,
        case=access_case(coordinator, case.pk),
        description=description,
        owner_organisation=cast.orgs[org],
        owner=cast.personas[owner].user if owner else None,
        due_date=due,
    )


def bulk_agreements(cast: Cast, case: Case, count: int, due: date) -> list[Agreement]:
    """*count* open agreements of the local team (owner: social), inserted directly: test data
    for volume, with a due date the service would refuse (in the past)."""
    rows = []
    for n in range(count):
        agreement = Agreement(
            id=uuid.uuid4(),
            case=case,
            owner_organisation=cast.orgs["local_team"],
            owner=cast.social.user,
            due_date=due,
            created_by=cast.coordinator.user,
        )
        crypto.seal(agreement, "description_ct", f"{DESCRIPTION} {n}", case.data_key)
        rows.append(agreement)
    return Agreement.objects.bulk_create(rows)


def as_seen_by(user: User, agreement: Agreement, **flags: bool) -> Agreement:
    return access_agreement(user, agreement.pk, **flags)


def run_ladder() -> list[str]:
    """One sweep and the deliveries it hands out, in this process (no broker)."""
    scheduling_services.escalations_sweep()
    outcomes = []
    while ids := scheduling_services.escalations_claim_for_dispatch():
        outcomes += [scheduling_services.escalation_deliver(notice_id=i) for i in ids]
    return outcomes


def sent_steps(agreement: Agreement) -> list[tuple[int, int]]:
    return list(
        EscalationNotice.objects.filter(agreement=agreement, status="sent")
        .order_by("due_at")
        .values_list("rung_number", "rung__offset_working_days")
    )


@pytest.fixture
def travel() -> Iterator[Callable[[datetime], Any]]:
    """``travel(moment)`` moves the clock (frozen) to *moment* for the rest of the test."""
    traveller: list[Any] = []

    def go(moment: datetime) -> None:
        while traveller:
            traveller.pop().stop()
        machine = time_machine.travel(moment, tick=False)
        machine.start()
        traveller.append(machine)

    yield go
    while traveller:
        traveller.pop().stop()
