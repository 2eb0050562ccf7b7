"""The subject-access report holds what a case's meeting slots hold about it: the minutes of each
slot and the partners' submitted contributions, next to its notes and agreements; withholdings
reach them; and the report costs the same number of queries for one case as for three."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.access import access_case, access_subject_access_review
from casework.models import Case, HouseholdMember, Identity, SubjectAccessRequest, Withholding
from casework.selectors.subject_access import subject_access_report
from casework.services import subject_access
from mda import blind_index, crypto
from scheduling.models import ItemMinutes
from tests.scheduling import meetings_support
from tests.scheduling.contributions_support import contribute
from tests.scheduling.meetings_support import World

published = meetings_support.published

pytestmark = pytest.mark.django_db

PERSON_BSN = "111222333"
OTHER_BSN = "123456782"


def add_person(case: Case, bsn: str, label: str = "moeder") -> HouseholdMember:
    """The person as a household member of *case*, findable through the blind index."""
    member = HouseholdMember.objects.create(case=case, role="victim", label=label)
    identity = Identity(member=member, bsn_index=blind_index.bsn_index(bsn))
    crypto.seal(identity, "bsn_ct", bsn, case.data_key)
    identity.save()
    return member


def record_minutes(world: World, key: str) -> ItemMinutes:
    item = world.item(key)
    minutes = ItemMinutes(item=item, recorded_by=world.coordinator, next_review_on=date(2026, 5, 5))
    crypto.seal(minutes, "shared_views_ct", f"MINUTES-VIEWS-{key}", item.case.data_key)
    crypto.seal(minutes, "decisions_ct", f"MINUTES-DECISIONS-{key}", item.case.data_key)
    minutes.save()
    return minutes


def fill(world: World, key: str) -> None:
    """A note and an agreement by the coordinator, and the slot's minutes."""
    coordinator = world.coordinator
    case = access_case(coordinator, world.cases[key].pk)
    services.note_add(actor=coordinator, case=case, body=f"COORD-NOTE-{key}")
    services.agreement_create(
        actor=coordinator,
        case=case,
        description=f"AGREEMENT-{key} a safety plan",
        owner_organisation=world.cast.orgs["veilig_thuis" if key == "C" else "local_team"],
        due_date=date(2026, 4, 14),
    )
    record_minutes(world, key)


def released(world: World, bsn: str, **withholding: Any) -> SubjectAccessRequest:
    """Prepared, every case confirmed by its coordinator (after *withholding* on each), released."""
    cast = world.cast
    request = subject_access.subject_access_prepare(actor=cast.privacy.user, bsn=bsn)
    for found in request.items.all():
        item = access_subject_access_review(cast.coordinator.user, found.pk)
        if withholding:
            subject_access.withholding_set(
                actor=cast.coordinator.user,
                item=item,
                ground="criminal_investigation",
                explanation="The prosecutor asked us to wait.",
                **{"organisation": None, **withholding},
            )
        subject_access.subject_access_confirm(actor=cast.coordinator.user, item=item)
    return subject_access.subject_access_release(actor=cast.privacy.user, request=request)


def report_text(world: World, request: SubjectAccessRequest) -> str:
    report = subject_access_report(actor=world.cast.privacy.user, request=request)
    return repr([(r.case.reference, r.content) for r in report])


def test_the_report_holds_the_slot_s_minutes_and_the_partners_contributions(
    published: World,
) -> None:
    world = published
    add_person(world.cases["A"], PERSON_BSN)
    fill(world, "A")
    contribute(world, "police", "A")
    contribute(world, "care", "A", submit=False, tag="DRAFT-ONLY")
    text = report_text(world, released(world, PERSON_BSN))
    assert "MINUTES-VIEWS-A" in text and "MINUTES-DECISIONS-A" in text
    assert "KNOWN-MARKER police" in text and "RISK-MARKER police" in text
    assert "DRAFT-ONLY" not in text  # a draft is the partner's work, not yet held
    assert "COORD-NOTE-A" in text and "AGREEMENT-A" in text


def test_the_report_s_json_holds_the_minutes_and_contributions_too(
    published: World, api: Any
) -> None:
    world = published
    add_person(world.cases["A"], PERSON_BSN)
    record_minutes(world, "A")
    contribute(world, "police", "A")
    request = released(world, PERSON_BSN)
    body = api("privacy").get(f"/api/v1/subject-access/{request.pk}/report/").json()
    (case,) = body["cases"]
    (minutes,) = case["minutes"]
    assert minutes["organisation"] is None and minutes["on"].startswith("2026-03-24")
    assert {"label": "Decisions", "text": "MINUTES-DECISIONS-A"} in minutes["texts"]
    (contribution,) = case["contributions"]
    assert contribution["organisation"] == "Politie Noord"
    assert "RISK-MARKER police" in str(contribution["texts"])


def test_withholding_the_police_removes_its_contribution_and_one_minutes_entry_goes_alone(
    published: World,
) -> None:
    world = published
    add_person(world.cases["A"], PERSON_BSN)
    fill(world, "A")
    contribute(world, "police", "A")
    contribute(world, "social", "A")
    police = released(world, PERSON_BSN, organisation=world.cast.orgs["police"])
    text = report_text(world, police)
    assert "KNOWN-MARKER police" not in text and "KNOWN-MARKER social" in text
    assert "MINUTES-VIEWS-A" in text
    minutes = ItemMinutes.objects.get()
    alone = released(world, PERSON_BSN, entry_kind="minutes", entry_id=minutes.pk)
    text = report_text(world, alone)
    assert "MINUTES-VIEWS-A" not in text and "MINUTES-DECISIONS-A" not in text
    assert "KNOWN-MARKER police" in text and "COORD-NOTE-A" in text


def test_minutes_of_another_case_cannot_be_withheld_from_this_one(published: World) -> None:
    world = published
    add_person(world.cases["A"], PERSON_BSN)
    other = record_minutes(world, "B")
    request = subject_access.subject_access_prepare(actor=world.cast.privacy.user, bsn=PERSON_BSN)
    item = access_subject_access_review(world.coordinator, request.items.get().pk)
    with pytest.raises(ValidationError) as raised:
        subject_access.withholding_set(
            actor=world.coordinator,
            item=item,
            organisation=None,
            ground="safety_of_others",
            explanation="Not this case's minutes.",
            entry_kind="minutes",
            entry_id=other.pk,
        )
    assert "entry" in raised.value.message_dict
    assert not Withholding.objects.exists()


def test_the_report_costs_the_same_queries_for_one_case_as_for_three(published: World) -> None:
    world = published
    for key in ("A", "B", "C"):
        fill(world, key)
        add_person(world.cases[key], OTHER_BSN, label="vader")
    contribute(world, "police", "A")
    contribute(world, "care", "B")
    add_person(world.cases["A"], PERSON_BSN)
    one = released(world, PERSON_BSN)
    three = released(world, OTHER_BSN)
    privacy = world.cast.privacy.user
    counts = []
    for request in (one, three):
        with CaptureQueriesContext(connection) as queries:
            report = subject_access_report(actor=privacy, request=request)
        # The audit trail links a read of several cases to each in one more insert.
        reads = [q for q in queries.captured_queries if "mda_auditeventcase" not in q["sql"]]
        counts.append((len(report), len(reads)))
    assert [n for n, _q in counts] == [1, 3]
    assert counts[0][1] == counts[1][1], counts
