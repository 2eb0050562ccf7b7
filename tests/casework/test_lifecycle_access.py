"""Authorization of every lifecycle endpoint and page, persona by persona (the table pattern of
test_access_matrix): what each persona may see and do on the scenario case once it is accepted,
with the local team's professional ("social") as its case director."""

from __future__ import annotations

from typing import Any

import pytest

from tests.casework.conftest import Scenario
from tests.casework.lifecycle_support import move, ready_for_execution
from tests.casework.test_access_matrix import PERSONAS, TABLE
from tests.casework.test_access_matrix import expected as register_expected
from tests.conftest import Cast, logins_made_once
from tests.support.layers import layer

logins = logins_made_once()  # one token and one session per persona for the whole table

DIRECTOR = "social"
REFERRERS = {
    "coordinator",
    "outsider",
    "police",
    "care",
    "social",
    "veilig_thuis",
    "outsider_police",
}


def expected(persona: str, needs: str) -> int:
    """As test_access_matrix.expected, plus 'direct': coordinators and the case director."""
    if needs != "direct":
        return register_expected(persona, needs)
    level, coordinator, _notes, _privacy = TABLE[persona]
    if level is None:
        return 404
    return 200 if coordinator or persona == DIRECTOR else 403


def _ok(status: int, want: int) -> bool:
    return status in (200, 201) if want == 200 else status == want


@layer
def accepted(cast: Cast, scenario: Scenario) -> Any:
    return ready_for_execution(cast, move(cast, scenario.case, "accept"), director=DIRECTOR)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_lifecycle_and_timeline_are_read_from_level_one(
    persona: str, accepted: Any, api: Any, web: Any
) -> None:
    base = f"/api/v1/cases/{accepted.pk}"
    want = expected(persona, "process")
    for url in (f"{base}/lifecycle/", f"{base}/timeline/", f"{base}/transitions/"):
        assert _ok(api(persona).get(url).status_code, want), url
    html = web(persona).get(f"/cases/{accepted.pk}/").content.decode()
    assert ('id="timeline-heading"' in html) == (want == 200)
    assert ('id="scale-heading"' in html) == (expected(persona, "full") == 200)
    if want == 200:
        data = api(persona).get(f"{base}/lifecycle/").json()
        assert data["status"] == "intake"
        full = TABLE[persona][0] == 2
        assert ("goal" in data["referral"]) == ("family_informed" in data["referral"]) == full
        assert data["referral"]["criteria"]  # the ticked criteria are process context
        assert ("safety_goals" in data["plan"]) == (TABLE[persona][0] == 2)
        assert bool(data["allowed_transitions"]) == TABLE[persona][1]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_coordinators_assign_the_case_director(
    persona: str, accepted: Any, api: Any, web: Any, cast: Cast
) -> None:
    want = expected(persona, "coordinate")
    url = f"/api/v1/cases/{accepted.pk}/director/"
    assert _ok(api(persona).get(url).status_code, want)
    response = api(persona).put(url, {"director": str(cast.police.user.uuid)}, format="json")
    assert _ok(response.status_code, want), response.content
    assert _ok(web(persona).get(f"/cases/{accepted.pk}/director/").status_code, want)


@pytest.mark.parametrize("persona", PERSONAS)
def test_coordinators_and_the_case_director_keep_the_plan_and_the_safety_phase(
    persona: str, accepted: Any, api: Any, web: Any
) -> None:
    want = expected(persona, "direct")
    base = f"/api/v1/cases/{accepted.pk}"
    plan = api(persona).put(
        f"{base}/plan/", {"safety_goals": "Safe at home.", "review_every_weeks": 2}, format="json"
    )
    assert _ok(plan.status_code, want), plan.content
    phase = api(persona).put(
        f"{base}/safety-phase/", {"phase": 2, "reason": "Stable for months."}, format="json"
    )
    assert _ok(phase.status_code, want), phase.content
    for page in ("plan", "safety-phase"):
        assert _ok(web(persona).get(f"/cases/{accepted.pk}/{page}/").status_code, want)


@pytest.mark.parametrize("persona", PERSONAS)
def test_readings_are_read_and_added_at_level_two(
    persona: str, accepted: Any, api: Any, web: Any
) -> None:
    want = expected(persona, "full")
    url = f"/api/v1/cases/{accepted.pk}/scores/"
    assert _ok(api(persona).get(url).status_code, want)
    response = api(persona).post(
        url, {"value": 4, "scored_on": "2026-01-05", "perspective": "professional"}, format="json"
    )
    assert _ok(response.status_code, want), response.content
    assert _ok(web(persona).get(f"/cases/{accepted.pk}/scores/new/").status_code, want)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_triage_queue_is_for_coordinators_and_scoped_to_their_region(
    persona: str, scenario: Scenario, api: Any, web: Any
) -> None:
    coordinator = persona in ("coordinator", "outsider")
    response = api(persona).get("/api/v1/triage/")
    page = web(persona).get("/triage/")
    assert response.status_code == page.status_code == (200 if coordinator else 403)
    if coordinator:
        mine = persona == "coordinator"
        assert response.json()["count"] == (1 if mine else 0)
        assert (scenario.case.reference in page.content.decode()) == mine


@pytest.mark.parametrize("persona", PERSONAS)
def test_professionals_and_coordinators_may_refer(persona: str, cast: Cast, web: Any) -> None:
    page = web(persona).get("/cases/refer/")
    assert page.status_code == (200 if persona in REFERRERS else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_check_in_tasks_are_scoped_to_what_one_directs_or_coordinates(
    persona: str, cast: Cast, accepted: Any, api: Any, web: Any
) -> None:
    move(cast, accepted, "start_plan", "start_execution", "start_follow_up")
    rows = api(persona).get("/api/v1/check-ins/").json()
    sees = persona in ("coordinator", DIRECTOR)
    assert len(rows) == (3 if sees else 0)
    page = web(persona).get("/check-ins/")
    assert page.status_code == 200
    assert (accepted.reference in page.content.decode()) == sees


def test_functional_admins_set_their_region_s_lifecycle_settings(cast: Cast, web: Any) -> None:
    admin = web("admin")
    response = admin.post(
        "/admin/casework/regionpolicy/add/",
        {
            "region": cast.north.pk,
            "triage_working_days": 3,
            "follow_up_months": 18,
            "check_in_months": "[3, 9, 18]",
            "retention_months": 36,
            "retention_short_months": 3,
            "retention_warning_days": 14,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = cast.north.case_policy
    assert (policy.triage_working_days, policy.check_in_months) == (3, [3, 9, 18])
    assert (policy.retention_months, policy.retention_short_months) == (36, 3)
    assert policy.retention_warning_days == 14
    refused = admin.post(
        "/admin/casework/regionpolicy/add/",
        {
            "region": cast.south.pk,
            "triage_working_days": 3,
            "follow_up_months": 12,
            "check_in_months": "[3]",
            "retention_months": 24,
            "retention_short_months": 6,
            "retention_warning_days": 30,
        },
    )
    assert refused.status_code == 200 and not hasattr(cast.south, "case_policy")
    assert web("coordinator").get("/admin/casework/regionpolicy/").status_code != 200
