"""Who sees the figures: every persona against every figures page, export and endpoint.

Coordinators, chairs and policy officers see their own regions' figures; nobody else sees any,
and another region's figures answer 404 as if the region did not exist. The policy officer sees
figures and nothing else (their 404s on case, agreement, meeting and escalation pages and
endpoints are rows of the tables in tests/casework and tests/scheduling).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mda.models import AuditEvent, Role
from tests.conftest import Cast, login_client
from tests.factories import MembershipFactory, OrganisationFactory

# persona: the regions whose figures it sees
SEES: dict[str, set[str]] = {
    "coordinator": {"noord"},
    "chair": {"noord"},
    "policy": {"noord"},
    "police": set(),
    "care": set(),
    "social": set(),
    "veilig_thuis": set(),
    "escalation": set(),
    "privacy": set(),
    "admin": set(),
    "outsider": {"zuid"},
    "outsider_police": set(),
}
PERSONAS = list(SEES)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_dashboard_answers_only_for_the_regions_one_steers_on(
    persona: str, cast: Cast, web: Any
) -> None:
    client = web(persona)
    own = client.get("/figures/")
    north = client.get("/figures/?region=noord")
    assert own.status_code == (200 if SEES[persona] else 404)
    assert north.status_code == (200 if "noord" in SEES[persona] else 404)
    if SEES[persona]:
        assert "Referrals" in own.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_csv_export_answers_only_for_the_regions_one_steers_on(
    persona: str, cast: Cast, web: Any
) -> None:
    response = web(persona).get(
        "/figures/export.csv?indicator=referrals&period=2026-Q1&region=noord"
    )
    assert response.status_code == (200 if "noord" in SEES[persona] else 404)
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/csv")
        assert (
            response.content.decode().splitlines()[1].startswith("noord,referrals,referrals.total,")
        )


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_lists_and_answers_only_the_regions_one_steers_on(
    persona: str, cast: Cast, api: Any
) -> None:
    client = api(persona)
    listed = {row["slug"] for row in client.get("/api/v1/figures/").json()}
    assert listed == SEES[persona]
    for slug in ("noord", "zuid", "nowhere"):
        response = client.get(f"/api/v1/figures/{slug}/?period=2026-Q1")
        assert response.status_code == (200 if slug in SEES[persona] else 404), slug
        if response.status_code == 404:
            assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_shows_figures_to_those_who_steer_and_cases_not_to_the_policy_officer(
    persona: str, cast: Cast, web: Any
) -> None:
    page = web(persona).get("/").content.decode()
    assert ('href="/figures/"' in page) == bool(SEES[persona])
    if persona == "policy":
        assert 'href="/cases/"' not in page
        assert 'href="/meetings/"' not in page


def test_someone_who_is_not_logged_in_sees_no_figures(cast: Cast) -> None:
    assert Client().get("/figures/").status_code == 302
    assert Client().get("/api/v1/figures/noord/").status_code in (401, 403)


def test_a_policy_officer_in_two_regions_compares_them_side_by_side(cast: Cast) -> None:
    persona = cast.policy
    MembershipFactory(
        user=persona.user, organisation=cast.orgs["south_zvh"], role=Role.POLICY_OFFICER
    )
    client = login_client(persona)
    page = client.get("/figures/?region=noord&region=zuid&period=2026-Q1").content.decode()
    assert page.count("Referrals · Noord") == 1 and page.count("Referrals · Zuid") == 1
    assert page.index("Referrals · Noord") < page.index("Referrals · Zuid")
    csv = client.get("/figures/export.csv?indicator=triage&period=2026&region=zuid&region=noord")
    regions = [line.split(",")[0] for line in csv.content.decode().splitlines()[1:]]
    assert regions[0] == "zuid" and regions[-1] == "noord"


def test_a_third_region_in_the_request_is_not_found_even_next_to_ones_own(
    cast: Cast, web: Any
) -> None:
    OrganisationFactory(region=cast.south)
    assert web("policy").get("/figures/?region=noord&region=zuid").status_code == 404


@pytest.mark.parametrize(
    ("channel", "url", "action"),
    [
        ("web", "/figures/?period=2026-Q1", "view"),
        ("csv", "/figures/export.csv?indicator=agreements&period=2026-Q1", "export"),
        ("api", "/api/v1/figures/noord/?period=2026-Q1", "view"),
    ],
)
def test_every_view_and_export_of_the_figures_is_audited(
    channel: str, url: str, action: str, cast: Cast, web: Any, api: Any
) -> None:
    client = api("policy") if channel == "api" else web("policy")
    assert client.get(url).status_code == 200
    event = AuditEvent.objects.filter(object_type="figures").get()
    assert (event.action, event.region_slug, event.user_id) == (
        action,
        "noord",
        cast.policy.user.pk,
    )
    assert event.role == Role.POLICY_OFFICER
    assert event.case_reference == ""
    assert event.detail["period"] == "2026-Q1" and event.detail["channel"] == channel


def test_a_period_that_cannot_be_read_is_a_clear_error_that_keeps_the_input(
    cast: Cast, web: Any, api: Any
) -> None:
    page = web("policy").get("/figures/?period=2026-13")
    assert page.status_code == 400
    assert "A month is 01 to 12." in page.content.decode()
    assert 'value="2026-13"' in page.content.decode()
    response = api("policy").get("/api/v1/figures/noord/?period=last+year")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "period" in response.json()["fields"]
    assert web("policy").get("/figures/export.csv?indicator=referrals&period=x").status_code == 400
    assert web("policy").get("/figures/export.csv?indicator=cases&period=2026").status_code == 404


def test_functional_admins_set_their_regions_size_and_norms_in_the_admin(
    cast: Cast, web: Any
) -> None:
    client = web("admin")
    response = client.post(
        "/admin/steering/regionnorms/add/",
        {
            "region": cast.north.pk,
            "young_people": "7000",
            "first_meeting_working_days": "10",
            "plan_working_days": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    refused = client.post(
        "/admin/steering/regionnorms/add/",
        {
            "region": cast.south.pk,
            "young_people": "1",
            "first_meeting_working_days": "10",
            "plan_working_days": "20",
        },
    )
    assert refused.status_code == 200  # the other region is no choice: the form comes back
    assert web("policy").get("/admin/steering/regionnorms/").status_code in (302, 403)


def test_the_policy_officer_gets_no_case_list_no_queue_and_no_referral_form(
    cast: Cast, web: Any, api: Any
) -> None:
    from tests.casework.conftest import refer

    case = refer(cast)
    client, token = web("policy"), api("policy")
    assert token.get("/api/v1/cases/").json()["results"] == []
    assert case.reference not in client.get("/cases/").content.decode()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert token.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get("/triage/").status_code in (403, 404)
    assert token.get("/api/v1/triage/").status_code in (403, 404)
    assert client.get("/cases/refer/").status_code in (403, 404)
    assert client.get("/overview/agreements/").status_code in (403, 404)
