"""Every persona against every contribution endpoint and page, on case A of the published agenda
(| local_team 2 | police 2 | ggz 1 | veilig_thuis 0 |): invited partners write and read what the
rules allow, coordinators and chairs see the slot but may not write (403), everyone else gets 404
as if nothing existed (Veilig Thuis at level 0, other regions, privacy, admin, policy)."""

from __future__ import annotations

from typing import Any

import pytest

from casework.models import NoteVisibility
from mda.errors import Conflict
from scheduling.models import Contribution, ContributionStatus
from tests.scheduling import meetings_support
from tests.scheduling.contributions_support import MARKERS, contribute, deadline_of
from tests.scheduling.meetings_support import PERSONAS, World

published = meetings_support.published

WRITERS = {"police", "care", "social", "escalation"}  # members of the organisations invited to A
SLOT_SEEN = WRITERS | {"coordinator", "chair"}
# The meeting exists for whoever sees one of its slots (Veilig Thuis: case C's).
MEETING_SEEN = SLOT_SEEN | {"veilig_thuis"}
BODY = {
    "known_since": f"{MARKERS[0]} api",
    "involvement": "",
    "risks": f"{MARKERS[2]} api",
    "proposals": "",
    "status": "submitted",
}


def _expected_write(persona: str) -> int:
    if persona in WRITERS:
        return 200
    return 403 if persona in SLOT_SEEN else 404


def _urls(world: World) -> dict[str, str]:
    meeting, item = world.meeting.pk, world.item("A").pk
    return {
        "list": f"/api/v1/meetings/{meeting}/items/{item}/contributions/",
        "own": f"/api/v1/meetings/{meeting}/items/{item}/contributions/own/",
        "agenda": f"/api/v1/meetings/{meeting}/contributions/",
        "page": f"/meetings/{meeting}/items/{item}/contributions/",
        "meeting": f"/meetings/{meeting}/",
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_save_answers_each_persona(persona: str, published: World, api: Any) -> None:
    response = api(persona).put(_urls(published)["own"], BODY, format="json")

    assert response.status_code == _expected_write(persona), response.content
    if persona in WRITERS:
        assert response.json()["status"] == "submitted"
        assert response.json()["risks"] == BODY["risks"]
    else:
        assert not Contribution.objects.exists()
        assert "MARKER" not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_list_holds_only_what_the_persona_may_read(
    persona: str, published: World, api: Any
) -> None:
    contribute(published, "police", visibility=NoteVisibility.PARTICIPANTS, tag="police")
    contribute(published, "social", submit=False, tag="social")

    response = api(persona).get(_urls(published)["list"])

    if persona not in SLOT_SEEN:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    names = {row["organisation_name"] for row in response.json()["results"]}
    expected = {
        "coordinator": {"Politie Noord"},
        "chair": set(),
        "police": {"Politie Noord"},
        "social": {"Politie Noord", "Lokaal team Noord"},  # its own draft too
        "escalation": {"Politie Noord", "Lokaal team Noord"},
        "care": set(),  # level 1
    }[persona]
    assert names == expected
    if persona in {"chair", "care"}:
        assert "MARKER" not in response.content.decode()


def test_the_api_list_is_paged_by_cursor(published: World, api: Any) -> None:
    for persona in ("police", "social", "care"):
        contribute(published, persona, visibility=NoteVisibility.PARTICIPANTS)
    url = _urls(published)["list"]
    client = api("social")

    first = client.get(url, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    seen = [row["id"] for row in first["results"] + second["results"]]
    assert len(first["results"]) == 2
    assert len(seen) == len(set(seen)) == 3
    assert second["next"] is None


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_agenda_summary_answers_each_persona(persona: str, published: World, api: Any) -> None:
    contribute(published, "police")

    response = api(persona).get(_urls(published)["agenda"])

    if persona not in MEETING_SEEN:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    rows = {row["reference"]: row for row in response.json()}
    if persona == "veilig_thuis":
        assert set(rows) == {"MDA-2026-0103"}
        return
    assert rows["MDA-2026-0101"]["submitted"] == ["Politie Noord"]
    assert rows["MDA-2026-0101"]["may_contribute"] == (persona in WRITERS)
    assert "MARKER" not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_page_answers_each_persona(persona: str, published: World, web: Any) -> None:
    contribute(published, "police", visibility=NoteVisibility.PARTICIPANTS, tag="police")
    client = web(persona)
    url = _urls(published)["page"]

    shown = client.get(url)
    posted = client.post(url, {"organisation": "", "known_since": "x", "action": "submit"})

    if persona not in SLOT_SEEN:
        assert (shown.status_code, posted.status_code) == (404, 404)
        return
    assert shown.status_code == 200
    reads_contents = persona in {"coordinator", "police", "social", "escalation"}
    assert ("KNOWN-MARKER police" in shown.content.decode()) == reads_contents
    assert ('name="known_since"' in shown.content.decode()) == (persona in WRITERS)
    if persona not in WRITERS:
        assert posted.status_code == 403


def test_a_partner_submits_on_the_page_and_the_agenda_shows_it(
    published: World, web: Any, cast: Any
) -> None:
    client = web("social")
    url = _urls(published)["page"]

    response = client.post(
        url,
        {
            "organisation": cast.orgs["local_team"].pk,
            "known_since": "Moeder meldt rust",
            "involvement": "",
            "risks": "",
            "proposals": "",
            "visibility": NoteVisibility.PARTICIPANTS,
            "action": "submit",
        },
    )

    assert response.status_code == 302
    row = Contribution.objects.get()
    assert (row.organisation, row.status) == (cast.orgs["local_team"], "submitted")
    agenda = web("coordinator").get(_urls(published)["meeting"]).content.decode()
    assert "1 of 3 contributed: Lokaal team Noord" in agenda


def test_after_the_deadline_the_page_keeps_the_input_and_says_why(
    published: World, web: Any, cast: Any, time_machine: Any
) -> None:
    time_machine.move_to(deadline_of(published), tick=False)

    response = web("social").post(
        _urls(published)["page"],
        {
            "organisation": cast.orgs["local_team"].pk,
            "known_since": "TYPED-AFTER-THE-DEADLINE",
            "visibility": NoteVisibility.PARTICIPANTS,
            "action": "submit",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "has passed" in page
    assert "TYPED-AFTER-THE-DEADLINE" in page  # the input is kept
    assert not Contribution.objects.exists()


def test_after_the_deadline_the_api_answers_409(
    published: World, api: Any, time_machine: Any
) -> None:
    time_machine.move_to(deadline_of(published), tick=False)

    response = api("social").put(_urls(published)["own"], BODY, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == Conflict.code
    assert not Contribution.objects.exists()


def test_a_draft_through_the_api_is_read_back_by_its_own_organisation_only(
    published: World, api: Any
) -> None:
    urls = _urls(published)
    assert api("social").get(urls["own"]).status_code == 404  # nothing yet

    api("social").put(urls["own"], {**BODY, "status": "draft"}, format="json")

    own = api("escalation").get(urls["own"])
    assert own.status_code == 200
    assert own.json()["status"] == ContributionStatus.DRAFT
    assert api("police").get(urls["own"]).status_code == 404  # police has none of its own
    assert api("police").get(urls["list"]).json()["results"] == []


def test_a_bad_organisation_or_visibility_is_a_clear_400(published: World, api: Any) -> None:
    url = _urls(published)["own"]
    client = api("social")

    wrong_org = client.put(
        url, {**BODY, "organisation": "00000000-0000-0000-0000-000000000000"}, format="json"
    )
    wrong_visibility = client.put(url, {**BODY, "visibility": "everyone"}, format="json")
    empty = client.put(url, {"status": "submitted"}, format="json")

    assert (wrong_org.status_code, wrong_visibility.status_code, empty.status_code) == (
        400,
        400,
        400,
    )
    assert not Contribution.objects.exists()
