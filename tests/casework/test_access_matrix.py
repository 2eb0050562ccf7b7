"""The authorization table: every persona against every endpoint and page of the case register.

One row per persona: the access level it has on the scenario case (None: it may not know the case
exists), and which notes it may read. Expected HTTP answers are derived from that row by the
access rules in ../shared/domain.md, so adding a persona or an endpoint is one line.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from casework.access import (
    access_case,
    cases_visible_to,
    notes_of_case_visible_to,
    notes_visible_to,
)
from tests.casework.conftest import NOTES, Scenario
from tests.conftest import Cast, logins_made_once

logins = logins_made_once()  # one token and one session per persona for the whole table

# persona: (level on the case or None, coordinator?, notes it reads, privacy officer?)
TABLE: dict[str, tuple[int | None, bool, set[str], bool]] = {
    "coordinator": (2, True, {"police_shared", "social_org", "coord_only"}, False),
    "chair": (1, False, set(), False),
    "police": (2, False, {"police_domain", "police_shared"}, False),
    "social": (2, False, {"police_shared", "social_org"}, False),
    "escalation": (2, False, {"police_shared", "social_org"}, False),
    "care": (1, False, set(), False),
    "veilig_thuis": (0, False, set(), False),
    "privacy": (None, False, set(), True),
    "admin": (None, False, set(), False),
    "policy": (None, False, set(), False),
    "outsider": (None, False, set(), False),
    "outsider_police": (None, False, set(), False),
}
PERSONAS = list(TABLE)


def expected(persona: str, needs: str) -> int:
    """The answer for an operation that *needs* 'see', 'process', 'full' or 'coordinate'."""
    level, coordinator, _notes, _privacy = TABLE[persona]
    if level is None:
        return 404
    required = {"see": 0, "process": 1, "full": 2}.get(needs)
    if needs == "coordinate":
        return 200 if coordinator else 403
    assert required is not None
    return 200 if level >= required else 403


def _ok(status: int, expected_status: int) -> bool:
    if expected_status == 200:
        return status in (200, 201)
    return status == expected_status


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_case_list_shows_the_case_only_to_those_who_may_see_it(
    persona: str, scenario: Scenario, api: Any, web: Any
) -> None:
    level = TABLE[persona][0]
    body = api(persona).get("/api/v1/cases/").json()
    references = {row["reference"]: row for row in body["results"]}
    assert len(body["results"]) == (0 if level is None else 1)
    if level is None:
        assert scenario.case.reference not in references
    else:
        row = references[scenario.case.reference]
        assert row["access_level"] == level
        assert ("status" in row) == (level >= 1)
    page = web(persona).get("/cases/")
    if TABLE[persona][3] or persona == "admin":
        assert page.status_code == 200  # the page exists for them, with nothing on it
    assert (scenario.case.reference in page.content.decode()) == (level is not None)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_case_detail_answers_by_access_level(
    persona: str, scenario: Scenario, api: Any, web: Any
) -> None:
    url = f"/api/v1/cases/{scenario.case.pk}/"
    response = api(persona).get(url)
    assert _ok(response.status_code, expected(persona, "see")), response.content
    page = web(persona).get(f"/cases/{scenario.case.pk}/")
    assert _ok(page.status_code, expected(persona, "see"))
    if response.status_code != 200:
        assert response.json()["code"] == "not_found"
        return
    data, html = response.json(), page.content.decode()
    level = TABLE[persona][0]
    assert ("reason" in data) == (level == 2)
    assert ("REASON-MARKER" in html) == (level == 2)
    assert ("participants" in data) == (level is not None and level >= 1)
    assert ("known_elsewhere" in data) == TABLE[persona][1]
    assert "Johanna" not in html and "Johanna" not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reads_exactly_the_notes_meant_for_it(
    persona: str, scenario: Scenario, api: Any, web: Any
) -> None:
    response = api(persona).get(f"/api/v1/cases/{scenario.case.pk}/notes/")
    assert _ok(response.status_code, expected(persona, "full"))
    readable = TABLE[persona][2]
    html = web(persona).get(f"/cases/{scenario.case.pk}/").content.decode()
    for key, (_author, _visibility, body) in NOTES.items():
        marker = body.split()[0]
        if response.status_code == 200:
            assert (marker in response.content.decode()) == (key in readable), key
        assert (marker in html) == (key in readable), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_adding_a_note_needs_full_access(
    persona: str, scenario: Scenario, api: Any, web: Any
) -> None:
    response = api(persona).post(
        f"/api/v1/cases/{scenario.case.pk}/notes/", {"body": "new note"}, format="json"
    )
    assert _ok(response.status_code, expected(persona, "full"))
    page = web(persona).post(
        f"/cases/{scenario.case.pk}/notes/", {"body": "new web note", "visibility": "participants"}
    )
    want = expected(persona, "full")
    assert page.status_code == (302 if want == 200 else want)


@pytest.mark.parametrize("persona", PERSONAS)
def test_participants_are_listed_from_level_one_and_granted_by_coordinators(
    persona: str, scenario: Scenario, api: Any, web: Any, cast: Cast
) -> None:
    url = f"/api/v1/cases/{scenario.case.pk}/participants/"
    assert _ok(api(persona).get(url).status_code, expected(persona, "process"))
    payload = {
        "organisation": str(cast.orgs["zvh"].uuid),
        "level": 1,
        "legal_basis": "convenant",
        "purpose": "Coordination.",
        "necessity": "To chair the meeting.",
    }
    response = api(persona).post(url, payload, format="json")
    assert _ok(response.status_code, expected(persona, "coordinate")), response.content
    page = web(persona).get(f"/cases/{scenario.case.pk}/participants/new/")
    assert _ok(page.status_code, expected(persona, "coordinate"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_coordinators_revoke_a_participation(
    persona: str, scenario: Scenario, api: Any
) -> None:
    participation = scenario.participations["ggz"]
    url = f"/api/v1/cases/{scenario.case.pk}/participants/{participation.pk}/revoke/"
    response = api(persona).post(url, {"reason": "The care episode has ended."}, format="json")
    assert _ok(response.status_code, expected(persona, "coordinate"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_coordinators_reveal_an_identity(
    persona: str, scenario: Scenario, api: Any, web: Any
) -> None:
    member = scenario.case.members.get(label="moeder")
    url = f"/api/v1/cases/{scenario.case.pk}/members/{member.pk}/reveal/"
    response = api(persona).post(
        url, {"reason": "Needed to verify the address for safety."}, format="json"
    )
    assert _ok(response.status_code, expected(persona, "coordinate"))
    if response.status_code == 200:
        assert response.json()["name"] == "Johanna Vermeulen-Secret"
        assert response.json()["bsn"] == "111222333"
    page = web(persona).get(f"/cases/{scenario.case.pk}/members/{member.pk}/reveal/")
    assert _ok(page.status_code, expected(persona, "coordinate"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_privacy_officers_read_the_access_log(
    persona: str, scenario: Scenario, api: Any, web: Any
) -> None:
    privacy = TABLE[persona][3]
    response = api(persona).get(f"/api/v1/cases/{scenario.case.pk}/access-log/")
    assert response.status_code == (200 if privacy else 403)
    page = web(persona).get(f"/privacy/cases/{scenario.case.pk}/access-log/")
    assert page.status_code == (200 if privacy else 403)
    reveals = api(persona).get(f"/api/v1/cases/{scenario.case.pk}/reveals/")
    assert reveals.status_code == (200 if privacy else 403)
    if privacy:
        text = response.content.decode() + page.content.decode()
        assert "police" in text  # who wrote and looked
        assert "POLICE" not in text and "REASON-MARKER" not in text and "Johanna" not in text


@pytest.mark.parametrize("persona", [p for p in PERSONAS if TABLE[p][0] is not None])
def test_the_notes_of_one_case_follow_the_same_rule_as_every_note(
    persona: str, scenario: Scenario, cast: Cast
) -> None:
    """The case page's one-case form of the note rule and the general one agree, note by note."""
    user = cast.personas[persona].user
    case = access_case(user, scenario.case.pk)
    one_case = set(notes_of_case_visible_to(user, case).values_list("pk", flat=True))
    general = set(notes_visible_to(user).filter(case=case).values_list("pk", flat=True))
    assert one_case == general
    listed = cases_visible_to(user).get(pk=case.pk)  # without what access_case read: a query
    assert listed.full_participants is None
    assert set(notes_of_case_visible_to(user, listed).values_list("pk", flat=True)) == general
    assert len(one_case) == len(TABLE[persona][2])


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_case_is_accessed_by_the_same_rule_as_the_case_list(
    persona: str, scenario: Scenario, cast: Cast
) -> None:
    """``access_case`` decides for one case what ``cases_visible_to`` annotates on every row."""
    user = cast.personas[persona].user
    listed = cases_visible_to(user).filter(pk=scenario.case.pk).first()
    try:
        case = access_case(user, scenario.case.pk)
    except Http404:
        assert listed is None
        assert TABLE[persona][0] is None
        return
    assert listed is not None
    assert (case.access_level, case.as_coordinator) == (listed.access_level, listed.as_coordinator)
    assert (case.access_level, case.as_coordinator) == TABLE[persona][:2]
