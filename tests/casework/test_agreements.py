"""Agreements: recorded by a coordinator, encrypted at rest, resolved by their owners, with a
history of every change and an audit trail that holds no content."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework import selectors, services
from casework.access import access_case
from casework.models import AgreementOrigin, AgreementStatus
from mda.models import AuditEvent
from tests.casework.conftest import Scenario
from tests.conftest import Cast
from tests.scheduling.conftest import DESCRIPTION, as_seen_by, make_agreement
from tests.scheduling.conftest import scenario as scenario  # this module's case, made directly


def _later(days: int = 30) -> Any:
    return timezone.localdate() + timedelta(days=days)


def test_an_agreement_is_stored_encrypted_and_read_back_with_a_recorded_read(
    cast: Cast, scenario: Scenario
) -> None:
    agreement = make_agreement(cast, scenario.case, _later())
    assert DESCRIPTION.encode() not in bytes(agreement.description_ct)
    social = cast.social.user
    view = selectors.agreement_view(actor=social, agreement=as_seen_by(social, agreement))
    assert view.description == DESCRIPTION
    assert [e.kind for e in view.events] == ["created"]
    read = AuditEvent.objects.filter(user=social, object_type="agreement", action="view").get()
    assert str(agreement.pk) in str(read.detail) and "MARKER" not in str(read.detail)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": "  "}, "description"),
        ({"due_date": timezone.localdate() - timedelta(days=1)}, "due_date"),
        ({"org": "veilig_thuis", "owner": "veilig_thuis"}, "owner_organisation"),  # level 0
        ({"org": "police", "owner": "social"}, "owner"),  # works elsewhere
    ],
    ids=["no-description", "due-in-the-past", "owner-at-level-0", "owner-not-at-organisation"],
)
def test_an_agreement_needs_a_description_a_future_date_and_an_owner_who_takes_part(
    change: dict[str, Any], field: str, cast: Cast, scenario: Scenario
) -> None:
    coordinator = cast.coordinator.user
    org = change.get("org", "local_team")
    owner = change.get("owner", "social")
    with pytest.raises(ValidationError) as error:
        services.agreement_create(
            actor=coordinator,
            case=access_case(coordinator, scenario.case.pk),
            description=change.get("description", DESCRIPTION),
            owner_organisation=cast.orgs[org],
            owner=cast.personas[owner].user,
            due_date=change.get("due_date", _later()),
        )
    assert field in error.value.message_dict


def test_only_a_coordinator_records_an_agreement(cast: Cast, scenario: Scenario) -> None:
    police = cast.police.user
    with pytest.raises(PermissionDenied):
        services.agreement_create(
            actor=police,
            case=access_case(police, scenario.case.pk),
            description=DESCRIPTION,
            owner_organisation=cast.orgs["police"],
            due_date=_later(),
        )


def test_the_safety_house_may_own_an_agreement_without_taking_part(
    cast: Cast, scenario: Scenario
) -> None:
    agreement = make_agreement(cast, scenario.case, _later(), org="zvh", owner="coordinator")
    assert agreement.owner_organisation == cast.orgs["zvh"]


def test_an_agreement_made_in_a_meeting_remembers_it(cast: Cast, scenario: Scenario) -> None:
    import uuid

    coordinator = cast.coordinator.user
    meeting = uuid.uuid4()
    agreement = services.agreement_create(
        actor=coordinator,
        case=access_case(coordinator, scenario.case.pk),
        description=DESCRIPTION,
        owner_organisation=cast.orgs["ggz"],
        due_date=_later(),
        origin=AgreementOrigin.MEETING,
        meeting_id=meeting,
    )
    assert (agreement.origin, agreement.meeting_id) == ("meeting", meeting)


def test_the_history_records_every_change_without_content(cast: Cast, scenario: Scenario) -> None:
    coordinator = cast.coordinator.user
    agreement = make_agreement(cast, scenario.case, _later())
    services.agreement_update(
        actor=coordinator,
        agreement=as_seen_by(coordinator, agreement),
        description="AGREEMENT-MARKER changed text",
        owner=cast.escalation.user,
        due_date=_later(40),
    )
    services.agreement_resolve(
        actor=cast.social.user,
        agreement=as_seen_by(cast.social.user, agreement, resolve=True),
        status=AgreementStatus.NOT_POSSIBLE,
        reason="REASON-MARKER the family moved abroad",
    )
    services.agreement_reopen(
        actor=coordinator, agreement=as_seen_by(coordinator, agreement), due_date=_later(50)
    )
    kinds = list(agreement.events.order_by("at").values_list("kind", flat=True))
    assert kinds == ["created", "changed", "rescheduled", "resolved", "reopened"]
    everything = str(list(agreement.events.values_list("detail", flat=True)))
    everything += str(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert "MARKER" not in everything
    agreement.refresh_from_db()
    assert (agreement.status, agreement.ladder_round) == ("open", 2)
    assert agreement.resolution_reason_ct is None


def test_the_reason_for_not_possible_is_encrypted_and_shown_to_those_who_see_the_agreement(
    cast: Cast, scenario: Scenario
) -> None:
    agreement = make_agreement(cast, scenario.case, _later(), org="ggz", owner="care")
    care = cast.care.user
    services.agreement_resolve(
        actor=care,
        agreement=as_seen_by(care, agreement, resolve=True),
        status=AgreementStatus.NOT_POSSIBLE,
        reason="REASON-MARKER circumstances changed",
    )
    agreement.refresh_from_db()
    assert b"REASON-MARKER" not in bytes(agreement.resolution_reason_ct or b"")
    view = selectors.agreement_view(actor=care, agreement=as_seen_by(care, agreement))
    assert view.reason == "REASON-MARKER circumstances changed"
    assert not view.can_resolve


def test_only_coordinators_change_or_reopen(cast: Cast, scenario: Scenario) -> None:
    agreement = make_agreement(cast, scenario.case, _later())
    social = cast.social.user
    mine = as_seen_by(social, agreement, resolve=True)
    with pytest.raises(PermissionDenied):
        services.agreement_update(actor=social, agreement=mine, due_date=_later(60))
    services.agreement_resolve(actor=social, agreement=mine, status=AgreementStatus.DONE)
    with pytest.raises(PermissionDenied):
        services.agreement_reopen(actor=social, agreement=mine, due_date=_later(60))


def test_my_agreements_lists_my_organisations_own_with_mine_first(
    cast: Cast, scenario: Scenario
) -> None:
    theirs = make_agreement(cast, scenario.case, _later(5), owner="escalation")
    mine = make_agreement(cast, scenario.case, _later(10), owner="social")
    make_agreement(cast, scenario.case, _later(1), org="ggz", owner="care")
    rows = list(selectors.agreement_list(actor=cast.social.user, mine=True))
    assert rows == [mine, theirs]
    assert selectors.agreement_counts(actor=cast.social.user) == {"open": 2, "overdue": 0}
