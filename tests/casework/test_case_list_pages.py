"""The case list pages by cursor: every visible case once, newest first, in the same few queries
on any page and at any size; what the user may not see is never on a page; bad cursors are 400."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.models import Case, CaseStatus
from tests.casework.conftest import grant, refer
from tests.conftest import Cast
from tests.scheduling.conftest import at


def _refer_over_days(cast: Cast, count: int, police: bool = True) -> list[Case]:
    cases = []
    for n in range(count):
        with time_machine.travel(at(2026, 3, 2) + timedelta(hours=n), tick=False):
            case = refer(cast)
        if police:
            grant(cast, case, "police", 2)
        cases.append(case)
    return cases


def _walk(client: Any, url: str) -> tuple[list[str], list[int]]:
    """Follow the next links; the references in order and each page's query count."""
    references, queries = [], []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        references += [row["reference"] for row in body["results"]]
        queries.append(len(ctx.captured_queries))
        url = body["next"]
    return references, queries


def test_following_next_lists_every_visible_case_once_newest_first(cast: Cast, api: Any) -> None:
    mine = _refer_over_days(cast, 7)
    _refer_over_days(cast, 3, police=False)  # not the police's
    client = api("police")
    client.get("/api/v1/cases/")  # a token's first use records last_used_at

    references, queries = _walk(client, "/api/v1/cases/?page_size=3")

    assert references == [c.reference for c in reversed(mine)]
    assert len(queries) == 3 and len(set(queries)) == 1  # every page: the same few queries


def test_previous_goes_back_to_the_same_rows(cast: Cast, api: Any) -> None:
    _refer_over_days(cast, 5)
    client = api("police")
    first = client.get("/api/v1/cases/?page_size=2").json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert back["results"] == first["results"]
    assert back["previous"] is None and first["previous"] is None


def test_a_page_costs_the_same_queries_with_few_cases_or_many(cast: Cast, api: Any) -> None:
    _refer_over_days(cast, 3)
    client = api("police")
    client.get("/api/v1/cases/")
    _refs, few = _walk(client, "/api/v1/cases/?page_size=2")
    _refer_over_days(cast, 12)
    _refs, many = _walk(client, "/api/v1/cases/?page_size=2")
    assert few[0] == many[0] == many[-1]


def test_a_cursor_or_page_size_that_was_not_given_out_is_refused(cast: Cast, api: Any) -> None:
    _refer_over_days(cast, 2)
    client = api("police")
    for query in ("cursor=not-a-cursor", "cursor=eyJ2IjpbMV0sImIiOmZhbHNlfQ", "page_size=x"):
        response = client.get(f"/api/v1/cases/?{query}")
        assert response.status_code == 400, query
    assert client.get("/api/v1/cases/?page_size=0").status_code == 400
    assert client.get("/api/v1/cases/?page_size=201").status_code == 400


def test_the_web_list_pages_by_cursor_too(cast: Cast, web: Any) -> None:
    cases = _refer_over_days(cast, 52)
    page = web("police")
    first = page.get("/cases/").content.decode()
    assert cases[-1].reference in first and cases[1].reference not in first
    assert "?cursor=" in first
    oldest = page.get("/cases/?sort=oldest").content.decode()
    assert cases[0].reference in oldest and "?sort=oldest&amp;cursor=" in oldest  # kept
    broken = page.get("/cases/?cursor=garbage")
    assert broken.status_code == 200 and cases[-1].reference in broken.content.decode()


def test_every_sort_pages_by_cursor_without_repeating_or_skipping_a_row(
    cast: Cast, api: Any
) -> None:
    cases = _refer_over_days(cast, 7)
    for n, case in enumerate(cases):  # ties on status and phase, and phases not yet set
        status = ["plan", "execution", "plan"][n % 3]
        Case.objects.filter(pk=case.pk).update(status=status, safety_phase=[None, 1, 2][n % 3])
    hidden = _refer_over_days(cast, 2, police=False)  # the police sees these at level 0
    for case in hidden:
        grant(cast, case, "police", 0)
    for persona in ("coordinator", "police"):
        client = api(persona)
        client.get("/api/v1/cases/")
        for sort in ("newest", "oldest", "reference", "status", "safety_phase"):
            whole = client.get(f"/api/v1/cases/?sort={sort}&page_size=200").json()["results"]
            expected = [row["reference"] for row in whole]
            walked, _queries = _walk(client, f"/api/v1/cases/?sort={sort}&page_size=2")
            assert walked == expected, (persona, sort)
            assert len(set(walked)) == len(walked) > 2
            if persona == "coordinator" and sort == "status":  # in the order of a case's life
                order = [CaseStatus.values.index(row["status"]) for row in whole]
                assert order == sorted(order) and "plan" in {r["status"] for r in whole}


def test_a_page_reads_what_its_rows_show_and_never_a_ciphertext_or_a_password(
    cast: Cast, api: Any, web: Any
) -> None:
    cases = _refer_over_days(cast, 3)
    director = cast.care.user
    Case.objects.filter(pk=cases[0].pk).update(
        case_director=director, case_director_organisation=cast.orgs["ggz"]
    )
    client = api("coordinator")
    client.get("/api/v1/cases/")
    _refs, without = _walk(client, "/api/v1/cases/?page_size=2&sort=newest")
    with CaptureQueriesContext(connection) as api_queries:
        rows = client.get("/api/v1/cases/").json()["results"]
    with CaptureQueriesContext(connection) as web_queries:
        page = web("coordinator").get("/cases/").content.decode()

    shown = next(row for row in rows if row["reference"] == cases[0].reference)
    assert shown["case_director"] == {
        "name": director.get_full_name() or director.get_username(),
        "organisation": cast.orgs["ggz"].name,
    }
    assert cast.orgs["ggz"].name in page
    for captured in (api_queries, web_queries):
        lists = [q["sql"] for q in captured.captured_queries if 'FROM "casework_case"' in q["sql"]]
        assert lists
        for sql in lists:
            assert "_ct" not in sql.split("FROM")[0], sql  # the page decrypts nothing
            assert '"mda_user"."password"' not in sql, sql
    assert len(api_queries.captured_queries) == without[0]  # the director costs no query


def test_a_list_entry_shows_what_the_case_model_shows(cast: Cast) -> None:
    from casework import selectors
    from casework.models import SafetyPhase
    from mda.models.accounts import person_label

    cases = _refer_over_days(cast, 3)
    Case.objects.filter(pk=cases[0].pk).update(
        case_director=cast.care.user,
        case_director_organisation=cast.orgs["ggz"],
        status=CaseStatus.PLAN,
        safety_phase=SafetyPhase.DIRECT_SAFETY,
    )
    Case.objects.filter(pk=cases[1].pk).update(case_director=cast.social.user)  # no organisation
    coordinator = cast.coordinator.user
    rows = selectors.case_rows(
        actor=coordinator,
        cases=selectors.case_find(actor=coordinator, filters=selectors.CaseFilters()),
    )
    assert {row.case.pk for row in rows} == {case.pk for case in cases}
    for row in rows:
        entry, case = row.case, Case.objects.select_related("region").get(pk=row.case.pk)
        assert (entry.reference, entry.created_at, entry.region) == (
            case.reference,
            case.created_at,
            case.region,
        )
        assert entry.get_status_display() == case.get_status_display()
        assert entry.get_safety_phase_display() == case.get_safety_phase_display()
        director = case.case_director
        label = person_label(director, case.case_director_organisation) if director else ""
        assert row.director_label == label
        assert (entry.access_level, entry.as_coordinator) == (2, True)


def test_people_of_several_regions_get_the_region_filter_and_column_others_not(
    cast: Cast, web: Any
) -> None:
    from mda.models import Role
    from tests.factories import MembershipFactory

    _refer_over_days(cast, 2)
    single = web("coordinator").get("/cases/").content.decode()
    MembershipFactory(
        user=cast.coordinator.user, organisation=cast.orgs["south_police"], role=Role.PROFESSIONAL
    )
    client = web("coordinator")
    client.get("/cases/")
    with CaptureQueriesContext(connection) as queries:
        several = client.get("/cases/").content.decode()

    assert "All my regions" not in single and '<span class="muted">Noord</span>' not in single
    assert "All my regions" in several and '<span class="muted">Noord</span>' in several
    counted = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert not [sql for sql in counted if '"mda_region"' in sql]  # known from the memberships
