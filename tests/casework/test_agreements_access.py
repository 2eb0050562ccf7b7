"""The authorization table for agreements: every persona against every agreement endpoint and
page. Two agreements on the scenario case: one owned by the local team (level 2), one by GGZ
(level 1). Expected answers follow from the row, by the rules in mda/access.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from casework.access import access_agreement, agreements_of_case_visible_to, agreements_visible_to
from casework.models import Agreement
from tests.casework.conftest import Scenario
from tests.conftest import Cast, logins_made_once
from tests.scheduling.conftest import make_agreement
from tests.scheduling.conftest import scenario as scenario  # the case, made directly
from tests.support.layers import layer

logins = logins_made_once()  # one token and one session per persona for the whole table

# persona: (level on the case or None, agreements it sees, agreements it may resolve, coordinator?)
TABLE: dict[str, tuple[int | None, set[str], set[str], bool]] = {
    "coordinator": (2, {"lt", "ggz"}, {"lt", "ggz"}, True),
    "chair": (1, set(), set(), False),
    "police": (2, {"lt", "ggz"}, set(), False),
    "social": (2, {"lt", "ggz"}, {"lt"}, False),
    "escalation": (2, {"lt", "ggz"}, {"lt"}, False),
    "care": (1, {"ggz"}, {"ggz"}, False),
    "veilig_thuis": (0, set(), set(), False),
    "privacy": (None, set(), set(), False),
    "admin": (None, set(), set(), False),
    "policy": (None, set(), set(), False),
    "outsider": (None, set(), set(), False),
    "outsider_police": (None, set(), set(), False),
}
PERSONAS = list(TABLE)
MARKERS = {"lt": "AGREEMENT-MARKER-LT budget coaching", "ggz": "AGREEMENT-MARKER-GGZ intake"}
OWNED = {"social": {"lt"}, "escalation": {"lt"}, "care": {"ggz"}}


@dataclass
class Two:
    lt: Agreement
    ggz: Agreement

    def __getitem__(self, key: str) -> Agreement:
        return getattr(self, key)


@layer
def two(cast: Cast, scenario: Scenario) -> Two:
    due = timezone.localdate() + timedelta(days=20)
    return Two(
        lt=make_agreement(cast, scenario.case, due, description=MARKERS["lt"]),
        ggz=make_agreement(
            cast, scenario.case, due, org="ggz", owner="care", description=MARKERS["ggz"]
        ),
    )


def _ok(status: int, expected: int) -> bool:
    return status in (200, 201, 302) if expected == 200 else status == expected


def _see(persona: str, key: str) -> int:
    return 200 if key in TABLE[persona][1] else 404


def _resolve(persona: str, key: str) -> int:
    if key not in TABLE[persona][1]:
        return 404
    return 200 if key in TABLE[persona][2] else 403


def _manage(persona: str, key: str) -> int:
    if key not in TABLE[persona][1]:
        return 404
    return 200 if TABLE[persona][3] else 403


def _case(persona: str, need: str) -> int:
    level, _sees, _resolves, coordinator = TABLE[persona]
    if level is None:
        return 404
    if need == "coordinate":
        return 200 if coordinator else 403
    return 200 if level >= 1 else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_agreement_is_decided_as_the_list_decides_it(
    persona: str, cast: Cast, two: Two
) -> None:
    """``access_agreement`` decides for one agreement what ``agreements_visible_to`` filters and
    annotates on every row, and the table says who sees, owns and coordinates."""
    user = cast.personas[persona].user
    _level, sees, _resolves, coordinator = TABLE[persona]
    for key in ("lt", "ggz"):
        listed = agreements_visible_to(user).filter(pk=two[key].pk).first()
        try:
            one = access_agreement(user, two[key].pk)
        except Http404:
            assert listed is None, key
            assert key not in sees, key
            continue
        assert listed is not None, key
        assert (one.as_coordinator, one.as_owner) == (listed.as_coordinator, listed.as_owner)
        assert key in sees, key
        assert one.as_coordinator == coordinator, key
        assert one.as_owner == (key in OWNED.get(persona, set())), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_agreements_of_one_case_follow_the_same_rule_as_every_agreement(
    persona: str, cast: Cast, scenario: Scenario, two: Two
) -> None:
    """The case page's one-case form of the agreement rule and the general one agree, agreement
    by agreement and in what they annotate."""
    user = cast.personas[persona].user

    def seen(rows: Any) -> dict[Any, tuple[bool, bool]]:
        return {a.pk: (a.as_coordinator, a.as_owner) for a in rows}

    one_case = seen(agreements_of_case_visible_to(user, scenario.case))
    assert one_case == seen(agreements_visible_to(user).filter(case=scenario.case))
    assert one_case == {
        two[key].pk: (TABLE[persona][3], key in OWNED.get(persona, set()))
        for key in TABLE[persona][1]
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", ["lt", "ggz"])
def test_the_agreement_detail_answers_by_the_table(
    persona: str, key: str, two: Two, api: Any, web: Any
) -> None:
    response = api(persona).get(f"/api/v1/agreements/{two[key].pk}/")
    assert _ok(response.status_code, _see(persona, key)), response.content
    if response.status_code == 200:
        assert response.json()["description"] == MARKERS[key]
    page = web(persona).get(f"/agreements/{two[key].pk}/")
    assert _ok(page.status_code, _see(persona, key))
    assert (MARKERS[key] in page.content.decode()) == (page.status_code == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_resolving_answers_by_the_table(persona: str, two: Two, api: Any, web: Any) -> None:
    response = api(persona).post(
        f"/api/v1/agreements/{two.lt.pk}/resolve/", {"status": "done"}, format="json"
    )
    assert _ok(response.status_code, _resolve(persona, "lt")), response.content
    page = web(persona).post(
        f"/agreements/{two.ggz.pk}/resolve/", {"status": "not_done", "reason": "No capacity."}
    )
    assert _ok(page.status_code, _resolve(persona, "ggz"))
    two.lt.refresh_from_db()
    two.ggz.refresh_from_db()
    assert (two.lt.status == "done") == (_resolve(persona, "lt") == 200)
    assert (two.ggz.status == "not_done") == (_resolve(persona, "ggz") == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_changing_and_reopening_answer_by_the_table(
    persona: str, two: Two, api: Any, web: Any
) -> None:
    later = (timezone.localdate() + timedelta(days=40)).isoformat()
    patch = api(persona).patch(
        f"/api/v1/agreements/{two.lt.pk}/", {"due_date": later}, format="json"
    )
    assert _ok(patch.status_code, _manage(persona, "lt")), patch.content
    edit = web(persona).get(f"/agreements/{two.ggz.pk}/edit/")
    assert _ok(edit.status_code, _manage(persona, "ggz"))
    reopen = api(persona).post(
        f"/api/v1/agreements/{two.ggz.pk}/reopen/", {"due_date": later}, format="json"
    )
    expected = _manage(persona, "ggz")
    # Visible to a coordinator but open: a 400 that says so (reopen needs a resolved agreement).
    assert reopen.status_code == (400 if expected == 200 else expected), reopen.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_cases_agreements_are_listed_and_recorded_by_the_table(
    persona: str, two: Two, scenario: Scenario, api: Any, web: Any, cast: Cast
) -> None:
    url = f"/api/v1/cases/{scenario.case.pk}/agreements/"
    response = api(persona).get(url)
    assert _ok(response.status_code, _case(persona, "see")), response.content
    if response.status_code == 200:
        assert {row["id"] for row in response.json()} == {str(two[k].pk) for k in TABLE[persona][1]}
    due = (timezone.localdate() + timedelta(days=9)).isoformat()
    created = api(persona).post(
        url,
        {
            "description": "New AGREEMENT-MARKER",
            "due_date": due,
            "owner_organisation": str(cast.orgs["police"].uuid),
        },
        format="json",
    )
    assert _ok(
        created.status_code, _case(persona, "coordinate") if TABLE[persona][0] is not None else 404
    ), created.content
    page = web(persona).get(f"/cases/{scenario.case.pk}/agreements/new/")
    expected = _case(persona, "coordinate") if TABLE[persona][0] is not None else 404
    assert _ok(page.status_code, expected)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_case_page_shows_the_agreements_the_persona_sees(
    persona: str, two: Two, scenario: Scenario, web: Any
) -> None:
    page = web(persona).get(f"/cases/{scenario.case.pk}/")
    if TABLE[persona][0] is None:
        assert page.status_code == 404
        return
    html = page.content.decode()
    for key in ("lt", "ggz"):
        assert (MARKERS[key] in html) == (key in TABLE[persona][1]), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_agreements_and_the_agreement_list_are_scoped(
    persona: str, two: Two, api: Any, web: Any
) -> None:
    everything = api(persona).get("/api/v1/agreements/").json()
    assert {r["id"] for r in everything["results"]} == {str(two[k].pk) for k in TABLE[persona][1]}
    mine = api(persona).get("/api/v1/agreements/?mine=1").json()
    assert {r["id"] for r in mine["results"]} == {str(two[k].pk) for k in OWNED.get(persona, ())}
    page = web(persona).get("/agreements/")
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("lt", "ggz"):
        assert (str(two[key].pk) in html) == (key in OWNED.get(persona, set()))
        # "my agreements" says what was agreed, for the owner's own rows only
        assert (MARKERS[key] in html) == (key in OWNED.get(persona, set()))


def test_an_owner_resolves_from_the_web_page_and_sees_why_a_reason_is_needed(
    two: Two, web: Any
) -> None:
    client = web("care")
    missing = client.post(f"/agreements/{two.ggz.pk}/resolve/", {"status": "not_possible"})
    assert missing.status_code == 400
    assert 'id="id_reason_error"' in missing.content.decode()  # the message sits at the field
    done = client.post(
        f"/agreements/{two.ggz.pk}/resolve/",
        {"status": "not_possible", "reason": "The family moved."},
    )
    assert done.status_code == 302
    two.ggz.refresh_from_db()
    assert two.ggz.status == "not_possible"


def test_a_coordinator_records_an_agreement_from_the_case_page(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = web("coordinator").post(
        f"/cases/{scenario.case.pk}/agreements/new/",
        {
            "description": "AGREEMENT-MARKER made in the meeting",
            "owner_organisation": cast.orgs["local_team"].pk,
            "owner": cast.social.user.pk,
            "due_date": due,
            "origin": "meeting",
        },
    )
    assert response.status_code == 302, response.content.decode()
    agreement = Agreement.objects.get(origin="meeting")
    assert response["Location"] == f"/agreements/{agreement.pk}/"
    page = web("social").get(f"/cases/{scenario.case.pk}/")
    assert "AGREEMENT-MARKER made in the meeting" in page.content.decode()


def test_every_api_list_pages_by_cursor_without_a_count(
    two: Two, api: Any, scenario: Scenario
) -> None:
    """Agreements, escalations, organisations and the access log: keyset pages, no COUNT."""
    lists = {
        "coordinator": ["/api/v1/agreements/", "/api/v1/organisations/"],
        "privacy": [f"/api/v1/cases/{scenario.case.pk}/access-log/"],
    }
    for persona, urls in lists.items():
        client = api(persona)
        for url in urls:
            whole = client.get(f"{url}?page_size=200").json()
            assert set(whole) == {"next", "previous", "results"}, url
            assert len(whole["results"]) >= 2, url
            walked, next_url = [], f"{url}?page_size=1"
            while next_url:
                body = client.get(next_url).json()
                walked += body["results"]
                next_url = body["next"]
            # reading the access log is itself recorded: those rows are new on every page
            walked = [r for r in walked if r.get("object_type") != "access_log"]
            expected = [r for r in whole["results"] if r.get("object_type") != "access_log"]
            assert walked == expected, url
