"""The disclosure log for the privacy officer: per case and per partner, each weegmoment granted,
changed, expired or revoked with level and basis, and what the partner read; who may see it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from casework import selectors, services
from casework.access import access_case, cases_supervised_by
from casework.selectors.disclosures import disclosure_log, partner_cases, partner_disclosure_log
from mda.audit import audit_record
from mda.models import AuditAction
from tests.casework.conftest import Scenario, grant, refer
from tests.casework.test_access_matrix import PERSONAS, TABLE
from tests.conftest import Cast


def revoke(cast: Cast, scenario: Scenario, key: str) -> None:
    coordinator = cast.coordinator.user
    participation = selectors.participation_of_case(
        case=access_case(coordinator, scenario.case.pk),
        participation_id=scenario.participations[key].pk,
    )
    services.participation_revoke(actor=coordinator, participation=participation)


@pytest.fixture
def history(cast: Cast, scenario: Scenario, web: Any, time_machine: Any) -> Scenario:
    """A day later: the police's level changed to 1, GGZ revoked, Veilig Thuis's weegmoment
    changed to one of two days, which expired; the police read the case page twice."""
    start = timezone.now()
    time_machine.move_to(start + timedelta(days=1), tick=False)
    revoke(cast, scenario, "police")
    grant(cast, scenario.case, "police", 1)
    revoke(cast, scenario, "ggz")
    revoke(cast, scenario, "veilig_thuis")
    grant(cast, scenario.case, "veilig_thuis", 1, expires_at=start + timedelta(days=3))
    for _ in range(2):
        assert web("police").get(f"/cases/{scenario.case.pk}/").status_code == 200
    time_machine.move_to(start + timedelta(days=4), tick=False)
    return scenario


def test_the_case_s_disclosure_log_shows_every_weegmoment_and_the_reads(
    history: Scenario, api: Any, web: Any
) -> None:
    log = api("privacy").get(f"/api/v1/cases/{history.case.pk}/disclosures/").json()
    by_org = {row["organisation"]: row for row in log}
    police = by_org["Politie Noord"]
    assert [(w["level"], w["state"]) for w in police["weegmomenten"]] == [
        (2, "changed"),
        (1, "active"),
    ]
    assert {w["legal_basis"] for w in police["weegmomenten"]} == {"convenant"}
    assert [w["state"] for w in by_org["GGZ Noord"]["weegmomenten"]] == ["revoked"]
    assert [w["state"] for w in by_org["Veilig Thuis Noord"]["weegmomenten"]] == [
        "changed",
        "expired",
    ]
    case_reads = [r for r in police["reads"] if r["object_type"] == "case"]
    assert case_reads and case_reads[0]["count"] == 2
    assert not [r for r in by_org["GGZ Noord"]["reads"] if r["object_type"] == "case"]
    html = web("privacy").get(f"/privacy/cases/{history.case.pk}/disclosures/").content.decode()
    assert "Politie Noord" in html and "Work on the family" not in html  # no justification
    assert "REASON-MARKER" not in html


def test_a_partner_s_disclosure_log_lists_its_cases(
    cast: Cast, history: Scenario, web: Any
) -> None:
    other = refer(cast)  # a second case in which the police took no part
    page = web("privacy").get(f"/privacy/partners/{cast.orgs['police'].uuid}/disclosures/")
    html = page.content.decode()
    assert page.status_code == 200
    assert history.case.reference in html and other.reference not in html
    assert "changed by a new weegmoment" in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_disclosure_log_is_for_the_privacy_officer_of_the_region(
    persona: str, cast: Cast, scenario: Scenario, api: Any, web: Any
) -> None:
    south = refer(cast, persona="outsider")
    privacy = TABLE[persona][3]
    want = 200 if privacy else 403
    client, token = web(persona), api(persona)
    assert client.get(f"/privacy/cases/{scenario.case.pk}/disclosures/").status_code == want
    assert token.get(f"/api/v1/cases/{scenario.case.pk}/disclosures/").status_code == want
    assert client.get("/privacy/partners/").status_code == want
    police = f"/privacy/partners/{cast.orgs['police'].uuid}/disclosures/"
    assert client.get(police).status_code == want
    other_region = 404 if privacy else 403
    assert client.get(f"/privacy/cases/{south.pk}/disclosures/").status_code == other_region
    assert token.get(f"/api/v1/cases/{south.pk}/disclosures/").status_code == other_region
    south_police = f"/privacy/partners/{cast.orgs['south_police'].uuid}/disclosures/"
    assert client.get(south_police).status_code == other_region
    if privacy:
        listing = client.get("/privacy/partners/").content.decode()
        assert "Politie Noord" in listing and "Politie Zuid" not in listing


def test_a_partner_s_log_counts_as_each_case_s_log_in_constant_queries(
    cast: Cast, history: Scenario, web: Any, django_assert_max_num_queries: Any
) -> None:
    """The partner page reads every case of its page at once: the same weegmomenten and reads
    as the case's own log (an event about several cases counted once per case), and the same
    number of queries for two cases as for four."""
    police, privacy = cast.orgs["police"], cast.privacy.user

    def page() -> list[Any]:
        return list(partner_cases(organisation=police, cases=cases_supervised_by(privacy)))

    grant(cast, refer(cast), "police", 2)
    two = page()
    with django_assert_max_num_queries(12) as few:
        partner_disclosure_log(actor=privacy, organisation=police, cases=two)
    for _ in range(2):
        grant(cast, refer(cast), "police", 2)
    more = page()
    assert len(more) == 4
    # A read about several cases at once (a list page): counted in each of them, once.
    audit_record(
        actor=cast.police.user, action=AuditAction.VIEW, object_type="case_list", cases=more
    )
    with django_assert_max_num_queries(len(few)):
        log = partner_disclosure_log(actor=privacy, organisation=police, cases=more)
    for row in log:
        own = {entry.organisation: entry for entry in disclosure_log(actor=privacy, case=row.case)}[
            "Politie Noord"
        ]
        assert [(w.level, w.state) for w in row.weegmomenten] == [
            (w.level, w.state) for w in own.weegmomenten
        ]
        assert [(r.object_type, r.count) for r in row.reads] == [
            (r.object_type, r.count) for r in own.reads
        ]
        assert ("case_list", 1) in [(r.object_type, r.count) for r in row.reads]
