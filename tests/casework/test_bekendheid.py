"""Bekendheid across regions: a coordinator learns the other region's name (whom to call), never
a reference, a count or content; nobody but a coordinator learns anything, on any page or in any
API answer about the case."""

from __future__ import annotations

from typing import Any

import pytest

from tests.casework.conftest import Scenario, refer
from tests.casework.test_access_matrix import PERSONAS, TABLE
from tests.conftest import Cast

OTHER_REGION = "Zuid"  # the south region's name in the cast


@pytest.fixture
def known_in_the_south(cast: Cast, scenario: Scenario) -> Any:
    """The scenario's mother is referred twice in the south as well."""
    refer(cast, persona="outsider_police")
    refer(cast, persona="outsider_police")
    return scenario.case


def _answers(persona: str, case: Any, api: Any, web: Any) -> list[str]:
    """Everything *persona* gets about *case*: its pages and API answers (whatever the status)."""
    client, browser = api(persona), web(persona)
    base = f"/api/v1/cases/{case.pk}/"
    urls = ["", "lifecycle/", "timeline/", "participants/", "notes/", "transitions/"]
    answers = [client.get(base + url).content.decode() for url in urls]
    answers.append(client.get("/api/v1/triage/").content.decode())
    answers.append(browser.get(f"/cases/{case.pk}/").content.decode())
    answers.append(browser.get("/triage/").content.decode())
    return answers


def test_a_coordinator_learns_the_other_region_by_name_and_nothing_more(
    known_in_the_south: Any, api: Any, web: Any
) -> None:
    data = api("coordinator").get(f"/api/v1/cases/{known_in_the_south.pk}/").json()
    # Two southern cases, one answer: the region, without a reference or a count.
    assert data["known_elsewhere"] == [
        {"reference": "", "region": OTHER_REGION, "same_region": False}
    ]
    html = web("coordinator").get(f"/cases/{known_in_the_south.pk}/").content.decode()
    assert f"known in another region ({OTHER_REGION})" in html


# Everyone of the case's own region who is not a coordinator (the south's own people know their
# region, and see nothing of this case: test_access_matrix).
NOT_COORDINATORS = [p for p in PERSONAS if not TABLE[p][1] and not p.startswith("outsider")]


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_nobody_but_a_coordinator_learns_of_the_other_region(
    persona: str, known_in_the_south: Any, api: Any, web: Any
) -> None:
    for answer in _answers(persona, known_in_the_south, api, web):
        assert OTHER_REGION not in answer
        assert "known_elsewhere" not in answer
