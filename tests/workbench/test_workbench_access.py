"""The authorization table of the workbench: every new list, filter and count, from every
persona's seat (the world of tests/workbench/support.py). Each test builds the world once and
checks the whole table, reporting every persona that gets a wrong answer, so adding a persona or
a filter is one line.

An outsider's search finds nothing and counts nothing: a filter on process facts (status, phase,
case director) matches only cases the persona sees at level 1 or more, and a count covers only
rows the persona may see.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from mda.models import AuditAction, AuditEvent
from tests.casework.conftest import IDENTITY_BSN, refer
from tests.workbench.support import (
    MINE,
    PERSONAS,
    SEES_OVERDUE,
    Bench,
    at_process_level,
    visible,
)

pytestmark = pytest.mark.django_db
REFERENCE = re.compile(r">(MDA-2026-\d{4})</a>")  # the rows' links, not the help text


def _api_refs(api: Callable[[str], Any], persona: str, query: str = "") -> tuple[int, set[str]]:
    response = api(persona).get(f"/api/v1/cases/{query}")
    assert response.status_code == 200, (persona, query, response.content)
    body = response.json()
    assert body["next"] is None, (persona, query)  # one page holds the whole small table
    return len(body["results"]), {row["reference"] for row in body["results"]}


def _web_refs(web: Callable[[str], Any], persona: str, query: str = "") -> set[str]:
    response = web(persona).get(f"/cases/{query}")
    assert response.status_code == 200, (persona, query)
    return set(REFERENCE.findall(response.content.decode()))


def _check(
    bench: Bench,
    api: Any,
    web: Any,
    query: str,
    want: Callable[[str], set[str]],
    refused: frozenset[str] = frozenset(),
) -> None:
    """Every persona gets exactly *want(persona)* in the API (count too) and on the page; the
    *refused* ones name something outside their regions and get 400 (the API) and an error."""
    wrong: list[tuple[Any, ...]] = []
    for persona in PERSONAS:
        if persona in refused:
            api_status = api(persona).get(f"/api/v1/cases/{query}").status_code
            html = web(persona).get(f"/cases/{query}").content.decode()
            if api_status != 400 or "error-summary" not in html:
                wrong.append((persona, "not refused", api_status))
            continue
        expected = {bench.ref(k) for k in want(persona)}
        count, api_refs = _api_refs(api, persona, query)
        web_refs = _web_refs(web, persona, query)
        if (count, api_refs, web_refs) != (len(expected), expected, expected):
            wrong.append((persona, sorted(expected), count, sorted(api_refs), sorted(web_refs)))
    assert wrong == [], f"{query}: {wrong}"


def test_the_case_list_holds_exactly_the_cases_each_persona_may_see(
    bench: Bench, api: Any, web: Any
) -> None:
    _check(bench, api, web, "", lambda p: visible(p))


def test_filters_on_process_facts_match_only_what_the_persona_sees_at_level_one(
    bench: Bench, api: Any, web: Any
) -> None:
    director_org = bench.cast.orgs["local_team"].uuid
    _check(
        bench,
        api,
        web,
        "?status=execution",
        lambda p: at_process_level(p, visible(p, among={"A", "S"})),
    )
    _check(
        bench, api, web, "?safety_phase=1", lambda p: at_process_level(p, visible(p, among={"C"}))
    )
    _check(
        bench,
        api,
        web,
        f"?director_organisation={director_org}",
        lambda p: at_process_level(p, visible(p, among={"A"})),
        refused=frozenset({"outsider", "outsider_police"}),  # not an organisation of theirs
    )


def test_the_overdue_filter_and_count_follow_who_may_see_the_agreement(
    bench: Bench, api: Any
) -> None:
    _check_overdue: list[tuple[Any, ...]] = []
    for persona in PERSONAS:
        body = api(persona).get("/api/v1/cases/").json()
        counts = {row["reference"]: row["overdue_agreements"] for row in body["results"]}
        want_a = 1 if persona in SEES_OVERDUE else 0
        if bench.ref("A") in counts and counts[bench.ref("A")] != want_a:
            _check_overdue.append((persona, "count", counts))
        _count, refs = _api_refs(api, persona, "?overdue=true")
        if refs != ({bench.ref("A")} if persona in SEES_OVERDUE else set()):
            _check_overdue.append((persona, "filter", refs))
    assert _check_overdue == []


def test_my_organisations_cases_and_the_reference_search(bench: Bench, api: Any, web: Any) -> None:
    _check(bench, api, web, "?mine=true", lambda p: MINE.get(p, set()))
    _check(bench, api, web, "?q=0101", lambda p: visible(p, among={"A"}))
    _check(bench, api, web, "?q=mda-2026-0103", lambda p: visible(p, among={"C"}))


def test_rows_below_level_one_show_no_process_facts_or_meeting(bench: Bench, api: Any) -> None:
    rows = {r["reference"]: r for r in api("veilig_thuis").get("/api/v1/cases/").json()["results"]}
    restricted, process = rows[bench.ref("A")], rows[bench.ref("C")]
    assert restricted["access_level"] == 0
    assert not {"status", "safety_phase", "case_director", "next_meeting"} & set(restricted)
    assert process["status"] == "intake" and process["next_meeting"] is not None
    coordinator = {
        r["reference"]: r for r in api("coordinator").get("/api/v1/cases/").json()["results"]
    }
    assert coordinator[bench.ref("A")]["case_director"]["organisation"] == "Lokaal team Noord"


def test_a_region_filter_outside_ones_own_regions_is_refused(bench: Bench, api: Any) -> None:
    assert api("outsider").get("/api/v1/cases/?region=noord").status_code == 400
    assert api("coordinator").get("/api/v1/cases/?status=nonsense").status_code == 400


def test_sorting_never_orders_by_what_a_row_hides(bench: Bench, api: Any) -> None:
    for sort in ("reference", "status", "safety_phase", "oldest", "newest"):
        _count, refs = _api_refs(api, "veilig_thuis", f"?sort={sort}")
        assert refs == {bench.ref("A"), bench.ref("C")}
    body = api("veilig_thuis").get("/api/v1/cases/?sort=status").json()
    # The restricted row (level 0) sorts last, whatever its status is.
    assert [r["reference"] for r in body["results"]] == [bench.ref("C"), bench.ref("A")]


# --- Finding a person's cases through the blind index ---------------------------------------


def test_only_coordinators_find_a_persons_cases_and_only_in_their_regions(
    bench: Bench, api: Any, web: Any
) -> None:
    case = refer(bench.cast)  # a household member with BSN IDENTITY_BSN, in region north
    wrong = []
    for persona in PERSONAS:
        response = api(persona).post("/api/v1/cases/search/", {"bsn": IDENTITY_BSN}, format="json")
        page = web(persona).post("/cases/find-person/", {"bsn": IDENTITY_BSN})
        if persona == "coordinator":
            found = {r["reference"] for r in response.json()}
            ok = found == {case.reference} and case.reference in page.content.decode()
        elif persona == "outsider":  # a coordinator elsewhere: finds nothing, counts nothing
            ok = response.json() == [] and case.reference not in page.content.decode()
        else:
            ok = response.status_code == 403 and page.status_code == 403
        if not ok:
            wrong.append((persona, response.status_code, page.status_code))
    assert wrong == []


def test_a_person_search_is_recorded_without_the_bsn_or_name(bench: Bench, api: Any) -> None:
    refer(bench.cast)
    api("coordinator").post(
        "/api/v1/cases/search/",
        {"name": "Johanna Vermeulen-Secret", "date_of_birth": "1990-05-17"},
        format="json",
    )
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).get()
    assert event.object_type == "case_search"
    assert event.detail == {"by": "name_date_of_birth", "found": 1}
    recorded = str(event.detail) + event.object_id + event.case_reference
    assert IDENTITY_BSN not in recorded and "Johanna" not in recorded


def test_a_person_search_needs_a_valid_bsn_or_both_name_and_date(bench: Bench, api: Any) -> None:
    coordinator = api("coordinator")
    for payload in (
        {"bsn": "123456789"},
        {"name": "Johanna"},
        {},
        {"name": "0", "date_of_birth": "2000-01-01"},  # no letter: no name to index
        {"bsn": "", "name": "", "date_of_birth": [None, None]},  # a list is no date
    ):
        response = coordinator.post("/api/v1/cases/search/", payload, format="json")
        assert response.status_code == 400, payload
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()
