"""The weegmoment: its written justification is sealed with the case's key and read by the
coordinators and the organisation it concerns only; a change of level or expiry is a new
weegmoment that supersedes the old one (the history stays); the partners the referrer named are
suggested; the legal basis is a choice, never a default."""

from __future__ import annotations

import re
from typing import Any

import pytest

from casework import selectors, services
from casework.access import access_case
from casework.models import LegalBasis, Participation
from mda import crypto
from mda.models import AuditEvent
from tests.casework.conftest import Scenario, refer, referral_details
from tests.casework.test_access_matrix import PERSONAS, TABLE, expected
from tests.casework.test_case_register import _all_rows_as_text
from tests.conftest import Cast

POLICE_WHY = ("POLICE-PURPOSE contact ban", "POLICE-NECESSITY violence record")
GGZ_WHY = ("GGZ-PURPOSE treatment of father", "GGZ-NECESSITY no plan without it")
OTHER_BASIS = "OTHER-BASIS-MARKER municipal bylaw"

# Which organisations' justifications each persona reads (police: the police's; care: GGZ's).
READS = {
    "coordinator": {"police", "ggz"},
    "police": {"police"},
    "care": {"ggz"},
}


def _renew(cast: Cast, case: Any, org: str, why: tuple[str, str], **changes: Any) -> Any:
    coordinator = cast.coordinator.user
    visible = access_case(coordinator, case.pk)
    current = case.participations.get(organisation=cast.orgs[org], revoked_at=None)
    values: dict[str, Any] = {
        "level": current.level,
        "legal_basis": LegalBasis.CONVENANT,
        "purpose": why[0],
        "necessity": why[1],
        **changes,
    }
    return services.participation_supersede(
        actor=coordinator,
        participation=selectors.participation_of_case(case=visible, participation_id=current.pk),
        **values,
    )


@pytest.fixture
def justified(cast: Cast, scenario: Scenario) -> Any:
    """The scenario with the police's and GGZ's weegmomenten written out (GGZ's on 'other')."""
    _renew(cast, scenario.case, "police", POLICE_WHY)
    _renew(
        cast,
        scenario.case,
        "ggz",
        GGZ_WHY,
        legal_basis=LegalBasis.OTHER,
        legal_basis_other=OTHER_BASIS,
    )
    return scenario.case


def test_the_database_holds_no_plaintext_of_any_weegmoment(justified: Any) -> None:
    dump = _all_rows_as_text()
    for text in (*POLICE_WHY, *GGZ_WHY, OTHER_BASIS, "Work on the family's plan."):
        assert text not in dump, text
        assert text.split()[0] not in dump, text
    referrer_text = "Follow the referral and its triage decision."
    assert referrer_text not in dump  # the referrer's own weegmoment, made on referral
    row = Participation.objects.get(case=justified, supersedes__isnull=False, level=1)
    assert crypto.unseal(row, "legal_basis_other_ct", justified.data_key) == OTHER_BASIS


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_justification_reaches_coordinators_and_the_organisation_concerned_only(
    persona: str, justified: Any, api: Any, web: Any
) -> None:
    url = f"/api/v1/cases/{justified.pk}/participants/"
    response = api(persona).get(url)
    level = TABLE[persona][0]
    if level is None or level < 1:
        assert response.status_code == (404 if level is None else 403)
        return
    reads = READS.get(persona, set())
    detail = api(persona).get(f"/api/v1/cases/{justified.pk}/").content.decode()
    html = web(persona).get(f"/cases/{justified.pk}/").content.decode()
    for answer in (response.content.decode(), detail, html):
        for org, why in (("police", POLICE_WHY), ("ggz", GGZ_WHY)):
            for text in why:
                assert (text in answer) == (org in reads), (org, text)
        assert (OTHER_BASIS in answer) == ("ggz" in reads)
    for row in response.json():
        # Everyone at level 1 sees who takes part, at which level, on which basis, since when.
        assert {"organisation_name", "level", "legal_basis", "decided_at", "expires_at"} <= set(row)
        readable = persona == "coordinator" or row["organisation_name"] in _own_orgs(persona)
        assert ("purpose" in row) == ("necessity" in row) == readable


def _own_orgs(persona: str) -> set[str]:
    return {
        "police": {"Politie Noord"},
        "care": {"GGZ Noord"},
        "social": {"Lokaal team Noord"},
        "escalation": {"Lokaal team Noord"},
    }.get(persona, set())


def test_each_read_of_a_justification_is_recorded_without_its_text(
    justified: Any, api: Any
) -> None:
    api("care").get(f"/api/v1/cases/{justified.pk}/participants/")
    api("chair").get(f"/api/v1/cases/{justified.pk}/participants/")
    reads = AuditEvent.objects.filter(case_reference=justified.reference, object_type="weegmoment")
    assert list(reads.values_list("username", flat=True)) == ["care"]
    assert "GGZ-PURPOSE" not in str(reads.get().detail)


def test_a_coordinator_raises_a_level_by_a_new_weegmoment_and_the_history_stays(
    cast: Cast, scenario: Scenario, api: Any, web: Any
) -> None:
    case, old = scenario.case, scenario.participations["ggz"]
    assert api("care").get(f"/api/v1/cases/{case.pk}/").json()["access_level"] == 1
    response = api("coordinator").post(
        f"/api/v1/cases/{case.pk}/participants/{old.pk}/supersede/",
        {
            "level": 2,
            "legal_basis": "convenant",
            "purpose": "Treatment plan.",
            "necessity": "Needed now.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    new = response.json()
    assert (new["level"], new["supersedes"], new["superseded_at"]) == (2, str(old.pk), None)
    assert api("care").get(f"/api/v1/cases/{case.pk}/").json()["access_level"] == 2
    rows = api("coordinator").get(f"/api/v1/cases/{case.pk}/participants/").json()
    ggz = [r for r in rows if r["organisation_name"] == "GGZ Noord"]
    assert [(r["level"], r["superseded_at"] is not None, r["revoked_at"]) for r in ggz] == [
        (1, True, None),
        (2, False, None),
    ]
    timeline = api("coordinator").get(f"/api/v1/cases/{case.pk}/timeline/").json()
    summaries = [e["summary"] for e in timeline]
    assert "GGZ Noord: new weegmoment, information level 1 → 2" in summaries
    assert "GGZ Noord no longer takes part" not in summaries
    html = web("coordinator").get(f"/cases/{case.pk}/").content.decode()
    assert "replaced by a new weegmoment" in html
    again = api("coordinator").post(
        f"/api/v1/cases/{case.pk}/participants/{old.pk}/supersede/",
        {"level": 1, "legal_basis": "convenant", "purpose": "x", "necessity": "y"},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "participation_ended"


def test_the_change_page_records_a_new_expiry_and_keeps_the_input_on_an_error(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    case, old = scenario.case, scenario.participations["police"]
    client = web("coordinator")
    url = f"/cases/{case.pk}/participants/{old.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = {"level": "2", "legal_basis": "", "purpose": "Kept text", "necessity": "Also kept"}
    refused = client.post(url, form)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Choose the legal basis." in html and "Kept text" in html
    done = client.post(url, {**form, "legal_basis": "wpg", "expires_at": "2099-01-01T12:00"})
    assert done.status_code == 302
    current = case.participations.get(organisation=cast.orgs["police"], revoked_at=None)
    assert (current.supersedes_id, current.legal_basis) == (old.pk, "wpg")
    assert current.expires_at is not None and current.expires_at.year == 2099


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_coordinators_change_a_participation(
    persona: str, scenario: Scenario, api: Any, web: Any
) -> None:
    old = scenario.participations["ggz"]
    want = expected(persona, "coordinate")
    response = api(persona).post(
        f"/api/v1/cases/{scenario.case.pk}/participants/{old.pk}/supersede/",
        {"level": 2, "legal_basis": "convenant", "purpose": "p", "necessity": "n"},
        format="json",
    )
    assert response.status_code == (201 if want == 200 else want), response.content
    page = web(persona).get(f"/cases/{scenario.case.pk}/participants/{old.pk}/change/")
    if want == 200:  # superseded just now by this persona: nothing left to change
        assert page.status_code == 404
    else:
        assert page.status_code == want


def test_adding_an_organisation_that_takes_part_points_to_a_new_weegmoment(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    response = api("coordinator").post(
        f"/api/v1/cases/{scenario.case.pk}/participants/",
        {
            "organisation": str(cast.orgs["police"].uuid),
            "level": 1,
            "legal_basis": "convenant",
            "purpose": "p",
            "necessity": "n",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "new weegmoment" in response.json()["fields"]["organisation"][0]


def test_the_legal_basis_is_a_choice_without_a_default(
    cast: Cast, scenario: Scenario, api: Any, web: Any
) -> None:
    client = web("coordinator")
    url = f"/cases/{scenario.case.pk}/participants/new/"
    page = client.get(url).content.decode()
    select = re.search(r'<select name="legal_basis"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    assert re.search(r'<option value="" selected>', select.group(1))
    assert "selected" not in select.group(1).replace('<option value="" selected>', "")
    form = {
        "organisation": str(cast.orgs["zvh"].pk),
        "level": "1",
        "purpose": "Chairing.",
        "necessity": "Needed.",
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "Choose the legal basis." in refused.content.decode()
    missing = api("coordinator").post(
        f"/api/v1/cases/{scenario.case.pk}/participants/",
        {**form, "organisation": str(cast.orgs["zvh"].uuid)},
        format="json",
    )
    assert missing.status_code == 400
    assert "legal_basis" in missing.json()["fields"]
    assert not scenario.case.participations.filter(organisation=cast.orgs["zvh"]).exists()


@pytest.fixture
def named_partners(cast: Cast) -> Any:
    """A referral by the local team that names the police and GGZ as involved."""
    details = referral_details(partners_involved=[cast.orgs["police"], cast.orgs["ggz"]])
    return refer(cast, details=details)


def test_the_partners_the_referrer_named_are_suggested_until_they_take_part(
    cast: Cast, named_partners: Any, api: Any, web: Any
) -> None:
    url = f"/api/v1/cases/{named_partners.pk}/participants/suggestions/"
    assert [o["name"] for o in api("coordinator").get(url).json()] == [
        "GGZ Noord",
        "Politie Noord",
    ]
    client = web("coordinator")
    page = client.get(f"/cases/{named_partners.pk}/participants/new/").content.decode()
    police = cast.orgs["police"]
    assert f'href="?organisation={police.pk}"' in page
    chosen = client.get(f"/cases/{named_partners.pk}/participants/new/?organisation={police.pk}")
    assert re.search(rf'<option value="{police.pk}" selected>', chosen.content.decode())
    services.participation_add(
        actor=cast.coordinator.user,
        case=access_case(cast.coordinator.user, named_partners.pk),
        organisation=police,
        level=2,
        legal_basis=LegalBasis.WPOLITIE,
        purpose="p",
        necessity="n",
    )
    assert [o["name"] for o in api("coordinator").get(url).json()] == ["GGZ Noord"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_coordinators_get_the_suggestions(persona: str, scenario: Scenario, api: Any) -> None:
    response = api(persona).get(f"/api/v1/cases/{scenario.case.pk}/participants/suggestions/")
    assert response.status_code == expected(persona, "coordinate")


# --- The referrer keeps its referral -------------------------------------------------------------

# Who reads the scenario's referral as submitted (the local team referred it; it takes part at
# level 2 there, see _referrer_at below for the other levels).
REFERRAL_READERS = {"coordinator", "police", "social", "escalation"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_referral_as_submitted_is_read_at_level_two_and_by_coordinators(
    persona: str, scenario: Scenario, api: Any, web: Any
) -> None:
    response = api(persona).get(f"/api/v1/cases/{scenario.case.pk}/referral/")
    page = web(persona).get(f"/cases/{scenario.case.pk}/referral/")
    level = TABLE[persona][0]
    want = 200 if persona in REFERRAL_READERS else 404 if level is None else 403
    assert response.status_code == page.status_code == want
    if want == 200:
        data = response.json()
        assert data["reason"].startswith("REASON-MARKER")
        assert [m["label"] for m in data["household"]] == ["moeder", "kind 1"]
        assert "Johanna" not in response.content.decode() + page.content.decode()


def _referrer_at(cast: Cast, case: Any, level: int | None) -> None:
    """Put the referring local team at *level* (None: it takes no part any more)."""
    if level is None:
        coordinator = cast.coordinator.user
        current = case.participations.get(organisation=cast.orgs["local_team"], revoked_at=None)
        services.participation_revoke(
            actor=coordinator,
            participation=selectors.participation_of_case(
                case=access_case(coordinator, case.pk), participation_id=current.pk
            ),
        )
    else:
        _renew(cast, case, "local_team", ("Follow up.", "Referred it."), level=level)


@pytest.mark.parametrize("level", [None, 0, 1])
def test_the_referrer_keeps_reading_its_referral_whatever_its_level(
    level: int | None, cast: Cast, scenario: Scenario, api: Any, web: Any
) -> None:
    _referrer_at(cast, scenario.case, level)
    url = f"/cases/{scenario.case.pk}/referral/"
    response = api("social").get(f"/api/v1{url}")
    assert response.status_code == 200, response.content
    assert response.json()["goal"].startswith("GOAL-MARKER")
    assert "REASON-MARKER" in web("social").get(url).content.decode()
    # The team lead of the same organisation refers nothing: it reads by its level only.
    lead = api("escalation").get(f"/api/v1{url}").status_code
    assert lead == (404 if level is None else 403)
    reads = AuditEvent.objects.filter(
        case_reference=scenario.case.reference, object_type="referral", username="social"
    )
    assert reads.count() == 2  # the API and the page
