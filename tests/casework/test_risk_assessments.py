"""Risk-instrument outcomes at any moment of a case, not only with the referral: recorded by
partners at level 2 and coordinators for an organisation that takes part, kept as a history with
the trend per instrument, read at level 2, audited without the outcome."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from casework import services
from casework.models import RiskAssessment
from mda.models import AuditEvent
from tests.casework.conftest import Scenario, refer, referral_details
from tests.casework.lifecycle_support import force_status, move
from tests.casework.test_access_matrix import PERSONAS, TABLE, expected
from tests.conftest import Cast

NOW = "2026-12-01 10:00 +01:00"


def _payload(cast: Cast, outcome: str = "high", org: str = "police", **changes: Any) -> dict:
    return {
        "instrument": "arij",
        "assessed_on": "2026-11-30",
        "assessor_organisation": str(cast.orgs[org].uuid),
        "outcome": outcome,
        **changes,
    }


def _form(cast: Cast, outcome: str = "high", org: str = "police") -> dict:
    return {
        "instrument": "arij",
        "assessed_on": "2026-11-30",
        "assessor_organisation": str(cast.orgs[org].pk),
        "outcome": outcome,
    }


def _ok(status: int, want: int) -> bool:
    return status in (200, 201, 302) if want == 200 else status == want


@pytest.fixture
def accepted(cast: Cast, scenario: Scenario) -> Any:
    with time_machine.travel(NOW, tick=False):
        return move(cast, scenario.case, "accept")


@time_machine.travel(NOW, tick=False)
def test_a_later_outcome_joins_the_history_and_shows_the_trend(
    cast: Cast, accepted: Any, api: Any, web: Any
) -> None:
    url = f"/api/v1/cases/{accepted.pk}/risk-assessments/"
    first = api("police").post(
        url, _payload(cast, "medium", assessed_on="2026-09-01"), format="json"
    )
    assert first.status_code == 201, first.content
    later = api("coordinator").post(url, _payload(cast, "very_high", "ggz"), format="json")
    assert later.status_code == 201, later.content
    rows = api("social").get(url).json()
    assert [(r["outcome"], r["assessor_organisation_name"]) for r in rows] == [
        ("medium", "Politie Noord"),
        ("very_high", "GGZ Noord"),
    ]
    assert [r["recorded_by_organisation"] for r in rows] == ["Politie Noord", "ZVH Noord"]
    assert not any(r["at_referral"] for r in rows)
    html = web("social").get(f"/cases/{accepted.pk}/").content.decode()
    assert 'id="risk-heading"' in html
    assert "higher than before (Medium risk)" in html
    kinds = [e["kind"] for e in api("police").get(f"/api/v1/cases/{accepted.pk}/timeline/").json()]
    assert kinds.count("risk_assessment") == 2


@time_machine.travel(NOW, tick=False)
def test_outcomes_given_with_the_referral_open_the_history_and_stay_in_the_referral(
    cast: Cast, api: Any
) -> None:
    at_referral = services.RiskAssessmentInput(
        instrument="dash",
        assessed_on=date(2026, 11, 2),
        assessor_organisation=cast.orgs["veilig_thuis"],
        outcome="high",
    )
    case = refer(cast, details=referral_details(risk_assessments=[at_referral]))
    services.risk_assessment_add(
        actor=cast.social.user,
        case=_as_referrer_at_two(cast, case),
        risk=services.RiskAssessmentInput(
            instrument="dash",
            assessed_on=date(2026, 11, 30),
            assessor_organisation=cast.orgs["local_team"],
            outcome="medium",
        ),
    )
    rows = api("coordinator").get(f"/api/v1/cases/{case.pk}/risk-assessments/").json()
    assert [(r["outcome"], r["at_referral"]) for r in rows] == [("high", True), ("medium", False)]
    referral = api("coordinator").get(f"/api/v1/cases/{case.pk}/lifecycle/").json()["referral"]
    assert [r["outcome"] for r in referral["risk_assessments"]] == ["high"]  # as submitted


def _as_referrer_at_two(cast: Cast, case: Any) -> Any:
    from casework.access import access_case
    from tests.casework.conftest import grant

    coordinator = cast.coordinator.user
    services.participation_revoke(
        actor=coordinator,
        participation=_referral_participation(access_case(coordinator, case.pk)),
    )
    grant(cast, case, "local_team", 2)
    return access_case(cast.social.user, case.pk)


def _referral_participation(case: Any) -> Any:
    from casework import selectors

    return selectors.participation_of_case(
        case=case, participation_id=case.participations.get(revoked_at=None).pk
    )


@pytest.mark.parametrize("persona", PERSONAS)
@time_machine.travel(NOW, tick=False)
def test_level_two_and_coordinators_read_and_record_outcomes_the_rest_do_not(
    persona: str, cast: Cast, accepted: Any, api: Any, web: Any
) -> None:
    want = expected(persona, "full")
    url = f"/api/v1/cases/{accepted.pk}/risk-assessments/"
    assert _ok(api(persona).get(url).status_code, want)
    response = api(persona).post(url, _payload(cast), format="json")
    assert _ok(response.status_code, want), response.content
    page = web(persona).get(f"/cases/{accepted.pk}/risk-assessments/new/")
    assert _ok(page.status_code, want)
    posted = web(persona).post(f"/cases/{accepted.pk}/risk-assessments/new/", _form(cast))
    assert _ok(posted.status_code, want)
    recorded = RiskAssessment.objects.filter(case=accepted).count()
    assert recorded == (2 if want == 200 else 0)
    level = TABLE[persona][0]
    if level is not None:
        html = web(persona).get(f"/cases/{accepted.pk}/").content.decode()
        assert ('id="risk-heading"' in html) == (level == 2)
        assert ("Record a risk-instrument outcome" in html) == (level == 2)


@pytest.mark.parametrize(
    ("org", "field_error"),
    [
        ("zvh", "Choose an organisation that takes part in the case"),  # takes no part
        ("south_police", "No such organisation in this region."),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_the_assessor_must_take_part_in_the_case(
    org: str, field_error: str, cast: Cast, accepted: Any, api: Any, web: Any
) -> None:
    response = api("police").post(
        f"/api/v1/cases/{accepted.pk}/risk-assessments/", _payload(cast, org=org), format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["assessor_organisation"][0].startswith(field_error)
    page = web("police").post(f"/cases/{accepted.pk}/risk-assessments/new/", _form(cast, org=org))
    assert page.status_code == 400
    assert not RiskAssessment.objects.filter(case=accepted).exists()


@time_machine.travel(NOW, tick=False)
def test_wrong_input_is_refused_field_by_field(cast: Cast, accepted: Any, api: Any) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api("police").post(
        f"/api/v1/cases/{accepted.pk}/risk-assessments/",
        _payload(cast, instrument="oasys", outcome="extreme", assessed_on=tomorrow),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"instrument", "outcome"}
    future = api("police").post(
        f"/api/v1/cases/{accepted.pk}/risk-assessments/",
        _payload(cast, assessed_on=tomorrow),
        format="json",
    )
    assert future.status_code == 400
    assert set(future.json()["fields"]) == {"assessed_on"}


@time_machine.travel(NOW, tick=False)
def test_a_closed_case_takes_no_new_outcomes(cast: Cast, accepted: Any, api: Any) -> None:
    force_status(accepted, "closed")
    response = api("coordinator").post(
        f"/api/v1/cases/{accepted.pk}/risk-assessments/", _payload(cast), format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


@time_machine.travel(NOW, tick=False)
def test_recording_and_reading_are_audited_without_the_outcome(
    cast: Cast, accepted: Any, api: Any
) -> None:
    url = f"/api/v1/cases/{accepted.pk}/risk-assessments/"
    api("police").post(url, _payload(cast, "very_high"), format="json")
    api("social").get(url)
    events = AuditEvent.objects.filter(
        case_reference=accepted.reference, object_type="risk_assessment"
    ).order_by("id")
    assert [(e.username, e.action) for e in events] == [("police", "create"), ("social", "view")]
    assert all("very_high" not in str(e.detail) for e in events)
