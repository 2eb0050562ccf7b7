"""People with more than one role: ``cases_visible_to`` gives them every case one of their roles
gives, at the highest level any of them gives, and ``access_case`` decides each case the same way.
Every listed case carries its region without a query (it is one of the user's own regions)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.access import access_case, cases_visible_to
from casework.models import Case, LegalBasis
from mda.models import Organisation, Role, User
from tests.conftest import Cast
from tests.factories import MembershipFactory, UserFactory
from tests.scheduling.meetings_support import make_case


def _take_part(coordinator: User, case: Case, organisation: Organisation, level: int) -> None:
    services.participation_add(
        actor=coordinator,
        case=access_case(coordinator, case.pk),
        organisation=organisation,
        level=level,
        legal_basis=LegalBasis.CONVENANT,
        purpose="Work on the family's plan.",
        necessity="Needed for one integral plan.",
    )


def _cases(cast: Cast) -> None:
    make_case(cast, "MDA-2026-0901", {"police": 1})
    make_case(cast, "MDA-2026-0902", {})
    south = make_case(cast, "MDA-2026-0903", {}, region=cast.south)
    _take_part(cast.outsider.user, south, cast.orgs["south_police"], 1)
    make_case(cast, "MDA-2026-0904", {}, region=cast.south)


def _person(cast: Cast, *roles: tuple[str, str]) -> User:
    user = UserFactory(username="several-roles")
    for org_key, role in roles:
        MembershipFactory(user=user, organisation=cast.orgs[org_key], role=role)
    return user


def _seen(user: User) -> dict[str, tuple[int, bool, str]]:
    cases = list(cases_visible_to(user))
    with CaptureQueriesContext(connection) as queries:
        seen = {c.reference: (c.access_level, c.as_coordinator, c.region.name) for c in cases}
    assert len(queries) == 0  # the regions came with the list
    for case in cases:
        one = access_case(user, case.pk)
        assert (one.access_level, one.as_coordinator) == seen[case.reference][:2]
    return seen


def test_a_coordinator_who_is_also_a_partner_in_the_region_sees_it_all_at_level_2(
    cast: Cast,
) -> None:
    _cases(cast)
    user = _person(cast, ("zvh", Role.COORDINATOR), ("police", Role.PROFESSIONAL))

    assert _seen(user) == {
        "MDA-2026-0901": (2, True, "Noord"),
        "MDA-2026-0902": (2, True, "Noord"),
    }


def test_a_coordinator_who_is_a_partner_in_another_region_sees_there_what_it_takes_part_in(
    cast: Cast,
) -> None:
    _cases(cast)
    user = _person(cast, ("zvh", Role.COORDINATOR), ("south_police", Role.PROFESSIONAL))

    assert _seen(user) == {
        "MDA-2026-0901": (2, True, "Noord"),
        "MDA-2026-0902": (2, True, "Noord"),
        "MDA-2026-0903": (1, False, "Zuid"),
    }


def test_a_chair_of_one_region_and_coordinator_of_another_has_each_regions_level(
    cast: Cast,
) -> None:
    _cases(cast)
    user = _person(cast, ("zvh", Role.CHAIR), ("south_zvh", Role.COORDINATOR))

    assert _seen(user) == {
        "MDA-2026-0901": (1, False, "Noord"),
        "MDA-2026-0902": (1, False, "Noord"),
        "MDA-2026-0903": (2, True, "Zuid"),
        "MDA-2026-0904": (2, True, "Zuid"),
    }
