"""The case timeline: everything in order, each entry only as far as the viewer may see it. A
level-1 partner sees status changes but not their reasons, nor notes; level 0 sees no timeline;
reasons are read at level 2 and by coordinators, and every such read is recorded."""

from __future__ import annotations

from typing import Any

import pytest

from mda.models import AuditEvent
from tests.casework.conftest import Scenario
from tests.casework.lifecycle_support import shown
from tests.casework.test_access_matrix import PERSONAS, TABLE

REASON = "DECLINE-MARKER regular care suffices"


@pytest.fixture
def declined(scenario: Scenario, api: Any) -> Any:
    response = api("coordinator").post(
        f"/api/v1/cases/{scenario.case.pk}/transitions/",
        {"transition": "decline", "reason": REASON},
        format="json",
    )
    assert response.status_code == 200
    return scenario.case


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_the_timeline_as_far_as_it_may(
    persona: str, declined: Any, api: Any, web: Any
) -> None:
    level, coordinator, notes, _privacy = TABLE[persona]
    response = api(persona).get(f"/api/v1/cases/{declined.pk}/timeline/")
    html = web(persona).get(f"/cases/{declined.pk}/").content.decode()
    if level is None or level < 1:
        assert response.status_code == (404 if level is None else 403)
        assert REASON not in html and 'id="timeline-heading"' not in html
        return
    entries = response.json()
    kinds = [e["kind"] for e in entries]
    decline = next(e for e in entries if e["transition"] == "decline")
    parts = {"label": shown("Decline"), "from": shown("Referred"), "to": shown("Declined")}
    assert decline["summary"] == shown("%(label)s: %(from)s → %(to)s") % parts
    assert (decline["text"] == REASON) == (level == 2)
    assert decline["text_withheld"] == (level < 2)
    assert (REASON in html) == (level == 2)
    assert kinds.count("note") == len(notes)
    assert ("known_elsewhere" in kinds or "repeat" in kinds) is False  # nobody else's household
    assert "participation" in kinds
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    if not coordinator:
        assert shown("Bekendheid") not in html and "repeat" not in kinds


def test_reading_a_reason_is_recorded_in_the_audit_trail_without_it(
    declined: Any, api: Any
) -> None:
    api("police").get(f"/api/v1/cases/{declined.pk}/timeline/")
    api("care").get(f"/api/v1/cases/{declined.pk}/timeline/")
    reads = AuditEvent.objects.filter(case_reference=declined.reference, object_type="case_event")
    assert list(reads.values_list("username", flat=True)) == ["police"]
    assert "DECLINE-MARKER" not in str(reads.get().detail)
