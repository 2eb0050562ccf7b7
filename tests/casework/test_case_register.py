from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import selectors, services
from casework.access import access_case
from casework.models import Case, Identity, Note
from mda import crypto
from mda.models import AuditEvent
from tests.casework.conftest import (
    IDENTITY_BSN,
    IDENTITY_NAME,
    NOTES,
    REASON,
    Scenario,
    grant,
    refer,
)
from tests.conftest import Cast


def _all_rows_as_text() -> str:
    """Every row of every table, as the database holds it (a stand-in for a dump)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value).decode("latin-1"))
                    else:
                        chunks.append(str(value))
    return "\n".join(chunks)


def test_the_database_holds_no_plaintext_of_reasons_notes_or_identities(scenario: Scenario) -> None:
    dump = _all_rows_as_text()
    secrets = [
        REASON,
        IDENTITY_NAME,
        IDENTITY_BSN,
        "Secretstraat",
        "1990-05-17",
        *(body for _p, _v, body in NOTES.values()),
    ]
    for secret in secrets:
        assert secret not in dump, secret
        assert secret.split()[0] not in dump, secret


def test_a_note_copied_to_another_case_does_not_decrypt(cast: Cast, scenario: Scenario) -> None:
    other = refer(cast, persona="coordinator")
    note = Note.objects.filter(case=scenario.case).first()
    assert note is not None
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(
            other.data_key,
            bytes(note.body_ct),
            table=Note._meta.db_table,
            column="body_ct",
            row_id=str(note.pk),
        )


def test_shredding_the_case_key_makes_its_content_unreadable(scenario: Scenario, api: Any) -> None:
    crypto.data_key_shred(scenario.case.data_key)
    case = Case.objects.get(pk=scenario.case.pk)
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(case, "reason_ct", case.data_key)


def test_an_expired_participation_gives_no_access_from_that_moment(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    coordinator = cast.coordinator.user
    case = scenario.case
    current = selectors.participation_of_case(
        case=access_case(coordinator, case.pk),
        participation_id=scenario.participations["police"].pk,
    )
    services.participation_revoke(actor=coordinator, participation=current)
    grant(cast, case, "police", 2, expires_at=timezone.now() + timedelta(days=1))
    client = api("police")
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
        assert client.get("/api/v1/cases/").json()["results"] == []


def test_a_revoked_participation_hides_the_case_at_once(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    client = api("care")
    assert client.get(f"/api/v1/cases/{scenario.case.pk}/").status_code == 200
    response = api("coordinator").post(
        f"/api/v1/cases/{scenario.case.pk}/participants/{scenario.participations['ggz'].pk}/revoke/",
        {"reason": "The care episode has ended."},
        format="json",
    )
    assert response.status_code == 200
    assert client.get(f"/api/v1/cases/{scenario.case.pk}/").status_code == 404


def test_a_second_open_participation_for_the_same_organisation_is_refused(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    payload = {
        "organisation": str(cast.orgs["police"].uuid),
        "level": 2,
        "legal_basis": "convenant",
        "purpose": "x",
        "necessity": "y",
    }
    response = api("coordinator").post(
        f"/api/v1/cases/{scenario.case.pk}/participants/", payload, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "organisation" in response.json()["fields"]


def test_other_legal_basis_needs_an_explanation(cast: Cast, scenario: Scenario, api: Any) -> None:
    payload = {
        "organisation": str(cast.orgs["zvh"].uuid),
        "level": 1,
        "legal_basis": "other",
        "purpose": "x",
        "necessity": "y",
    }
    response = api("coordinator").post(
        f"/api/v1/cases/{scenario.case.pk}/participants/", payload, format="json"
    )
    assert response.status_code == 400
    assert "legal_basis_other" in response.json()["fields"]


def test_a_wrong_bsn_is_refused_with_a_clear_message_and_saves_nothing(
    cast: Cast, api: Any
) -> None:
    payload = {
        "reason": "Zorgen",
        "members": [{"role": "victim", "label": "moeder", "identity": {"bsn": "123456789"}}],
    }
    response = api("social").post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["members"]["0"]["identity"]["bsn"] == [
        "This is not a valid BSN: it does not pass the eleven test (elfproef)."
    ]
    assert Case.objects.count() == 0
    assert AuditEvent.objects.filter(action="create").count() == 0


def test_a_referral_through_the_api_creates_a_pseudonymised_case(cast: Cast, api: Any) -> None:
    payload = {
        "reason": "Zorgen over veiligheid",
        "goal": "Eén plan voor moeder en kind",
        "criteria": ["structural_unsafety"],
        "family_informed": True,
        "members": [
            {
                "role": "victim",
                "label": "moeder",
                "identity": {"name": "Eva Test", "bsn": "123456782", "date_of_birth": "1991-02-03"},
            },
            {"role": "child", "label": "kind 1"},
        ],
    }
    response = api("social").post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reference"].startswith(f"MDA-{timezone.localdate().year}-")
    assert data["access_level"] == 1  # the referrer follows its referral at level 1
    assert "members" not in data and "Eva" not in response.content.decode()
    identity = Identity.objects.get(member__case_id=data["id"], member__label="moeder")
    assert identity.bsn_index and identity.name_dob_index


def test_references_count_up_per_region_and_year(cast: Cast) -> None:
    first, second = refer(cast), refer(cast)
    south = refer(cast, persona="outsider_police")
    year = timezone.localdate().year
    assert (first.reference, second.reference) == (f"MDA-{year}-0001", f"MDA-{year}-0002")
    assert south.reference == f"MDA-{year}-0001"


def test_coordinators_see_a_person_known_in_another_case_of_their_region(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    again = refer(cast, persona="police")
    data = api("coordinator").get(f"/api/v1/cases/{again.pk}/").json()
    assert data["known_elsewhere"] == [
        {"reference": scenario.case.reference, "region": "Noord", "same_region": True}
    ]


def test_across_regions_a_coordinator_learns_only_the_region(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    south = refer(cast, persona="outsider_police")
    data = api("outsider").get(f"/api/v1/cases/{south.pk}/").json()
    assert data["known_elsewhere"] == [{"reference": "", "region": "Noord", "same_region": False}]


def test_the_same_person_matches_by_name_and_date_of_birth_without_a_bsn(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    members = [
        services.MemberInput(
            role="victim",
            label="moeder",
            name="johanna  vermeulen-secret",
            date_of_birth=date(1990, 5, 17),
        )
    ]
    again = refer(cast, persona="police", members=members)
    data = api("coordinator").get(f"/api/v1/cases/{again.pk}/").json()
    assert [k["reference"] for k in data["known_elsewhere"]] == [scenario.case.reference]


def test_every_read_and_reveal_is_in_the_audit_trail_without_content(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    member = scenario.case.members.get(label="moeder")
    api("police").get(f"/api/v1/cases/{scenario.case.pk}/")
    api("coordinator").post(
        f"/api/v1/cases/{scenario.case.pk}/members/{member.pk}/reveal/",
        {"reason": "Verify the address for the safety plan."},
        format="json",
    )
    events = AuditEvent.objects.filter(case_reference=scenario.case.reference)
    page = events.get(username="police", action="view")  # the case page and its notes: one
    assert (page.action, page.object_type) == ("view", "case")
    assert "view note" in page.detail["also"]
    assert events.filter(username="coordinator", action="reveal").exists()
    assert events.filter(action="disclose").count() >= 4
    text = " ".join(str(e.detail) + e.object_type for e in events)
    assert "Johanna" not in text and "POLICE-" not in text


def _count_queries(client: Any, url: str) -> int:
    client.get(url)  # warm up: a token's first use records last_used_at
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_case_list_does_not_issue_a_query_per_case(cast: Cast, api: Any, web: Any) -> None:
    for _ in range(2):
        grant(cast, refer(cast), "police", 2)
    client, page = api("police"), web("police")
    few = _count_queries(client, "/api/v1/cases/"), _count_queries(page, "/cases/")
    for _ in range(12):
        grant(cast, refer(cast), "police", 2)
    many = _count_queries(client, "/api/v1/cases/"), _count_queries(page, "/cases/")
    assert many == few


def test_the_case_page_does_not_issue_a_query_per_note(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    client = api("police")
    url = f"/api/v1/cases/{scenario.case.pk}/"
    few = _count_queries(client, url)
    police = cast.police.user
    for i in range(10):
        services.note_add(
            actor=police,
            case=access_case(police, scenario.case.pk),
            body=f"extra {i}",
            visibility="participants",
        )
    assert _count_queries(client, url) == few


def test_a_privacy_officer_of_another_region_cannot_read_the_access_log(
    cast: Cast, scenario: Scenario
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mda.models import Role
    from tests.conftest import Persona, api_client
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="south_privacy")
    MembershipFactory(user=user, organisation=cast.orgs["south_zvh"], role=Role.PRIVACY_OFFICER)
    persona = Persona(
        user=user,
        organisation=cast.orgs["south_zvh"],
        role=Role.PRIVACY_OFFICER,
        device=TOTPDevice.objects.create(user=user, name="t", confirmed=True),
    )
    response = api_client(persona).get(f"/api/v1/cases/{scenario.case.pk}/access-log/")
    assert response.status_code == 404


def test_the_reason_for_a_reveal_stays_out_of_the_audit_trail_and_reaches_the_privacy_officer(
    cast: Cast, scenario: Scenario, api: Any, web: Any
) -> None:
    member = scenario.case.members.get(label="moeder")
    reason = "Moeder Johanna belde over een nieuw adres"
    response = api("coordinator").post(
        f"/api/v1/cases/{scenario.case.pk}/members/{member.pk}/reveal/",
        {"reason": reason},
        format="json",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="reveal", case_reference=scenario.case.reference)
    assert "Johanna" not in str(event.detail)
    assert "Johanna" not in _all_rows_as_text()
    rows = api("privacy").get(f"/api/v1/cases/{scenario.case.pk}/reveals/").json()
    assert [(r["member_label"], r["reason"]) for r in rows] == [("moeder", reason)]
    page = web("privacy").get(f"/privacy/cases/{scenario.case.pk}/access-log/")
    assert reason in page.content.decode()
    assert AuditEvent.objects.filter(username="privacy", object_type="reveal_reasons").exists()
