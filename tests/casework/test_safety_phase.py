"""The safety phase changes only with a reason, and the timeline says who changed it, when and
why; the why is read as every timeline text is (level 2 and coordinators)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from casework import services
from casework.models import CaseEvent, EventKind
from tests.casework.conftest import Scenario
from tests.casework.lifecycle_support import as_seen_by, move, ready_for_execution, shown
from tests.casework.test_access_matrix import PERSONAS, TABLE
from tests.conftest import Cast

WHY = "PHASE-MARKER no incidents for three months, the network carries the plan"


@pytest.fixture
def accepted(cast: Cast, scenario: Scenario) -> Any:
    return ready_for_execution(cast, move(cast, scenario.case, "accept"), director="social")


def _phase_events(case: Any) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=EventKind.SAFETY_PHASE))


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_change_of_phase_without_a_reason_is_refused_and_changes_nothing(
    reason: str, cast: Cast, accepted: Any, api: Any, web: Any
) -> None:
    before = len(_phase_events(accepted))
    response = api("coordinator").put(
        f"/api/v1/cases/{accepted.pk}/safety-phase/", {"phase": 2, "reason": reason}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "reason" in response.json()["fields"]
    missing = api("social").put(
        f"/api/v1/cases/{accepted.pk}/safety-phase/", {"phase": 2}, format="json"
    )
    assert missing.status_code == 400
    assert "reason" in missing.json()["fields"]
    page = web("social").post(f"/cases/{accepted.pk}/safety-phase/", {"phase": 3, "reason": reason})
    assert page.status_code == 400
    assert re.search(r'name="phase" value="3"[^>]*checked', page.content.decode())  # kept
    with pytest.raises(ValidationError) as refused:
        services.safety_phase_set(
            actor=cast.coordinator.user,
            case=as_seen_by(cast, "coordinator", accepted),
            phase=2,
            reason=reason,
        )
    assert "reason" in refused.value.message_dict
    accepted.refresh_from_db()
    assert accepted.safety_phase == 1
    assert len(_phase_events(accepted)) == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_timeline_says_who_changed_the_phase_and_why_as_far_as_each_reader_may_see(
    persona: str, accepted: Any, api: Any, web: Any
) -> None:
    response = api("social").put(
        f"/api/v1/cases/{accepted.pk}/safety-phase/", {"phase": 2, "reason": WHY}, format="json"
    )
    assert response.status_code == 200, response.content
    level = TABLE[persona][0]
    timeline = api(persona).get(f"/api/v1/cases/{accepted.pk}/timeline/")
    html = web(persona).get(f"/cases/{accepted.pk}/").content.decode()
    if level is None or level < 1:
        assert timeline.status_code == (404 if level is None else 403)
        assert "PHASE-MARKER" not in html
        return
    change = [e for e in timeline.json() if e["kind"] == "safety_phase"][-1]
    parts = {"from": shown("1 – direct safety"), "to": shown("2 – stable safety")}
    assert change["summary"] == shown("Safety phase: %(from)s → %(to)s") % parts
    assert change["by"].endswith("(Lokaal team Noord)")
    assert (change["text"] == WHY) == (level == 2)
    assert change["text_withheld"] == (level < 2)
    assert ("PHASE-MARKER" in html) == (level == 2)


def test_accepting_a_case_records_its_first_phase_in_the_timeline(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    move(cast, scenario.case, "accept", reason="Voldoet aan de criteria.")
    (first,) = _phase_events(scenario.case)
    assert first.detail == {"from": None, "to": 1, "cause": "accept"}
    entries = api("care").get(f"/api/v1/cases/{scenario.case.pk}/timeline/").json()
    entry = next(e for e in entries if e["kind"] == "safety_phase")
    phases = {"from": "—", "to": shown("1 – direct safety")}
    cause = shown("set when the case was accepted")
    assert entry["summary"] == shown("Safety phase: %(from)s → %(to)s") % phases + " — " + cause
