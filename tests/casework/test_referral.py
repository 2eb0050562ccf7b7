"""Referring a household, in the API and the web form: every field is checked with a clear
message and nothing is saved when something is wrong; on submit the bekendheid check runs, the
coordinators are told, and the referrer later hears the triage decision (in the app, by e-mail)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from casework.models import Case, CaseEvent, Referral, RiskAssessment
from mda.models import AuditEvent, Notification
from mda.notifications import notification_email
from tests.casework.conftest import GOAL, Scenario, grant, refer
from tests.casework.lifecycle_support import move, shown
from tests.conftest import Cast


def payload(cast: Cast, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reason": "REASON-WEB repeated violence",
        "goal": "GOAL-API one plan",
        "criteria": ["structural_unsafety", "several_life_domains"],
        "family_informed": False,
        "not_informed_reason": "criminal_investigation",
        "members": [
            {
                "role": "victim",
                "label": "moeder",
                "identity": {"bsn": "123456782", "name": "Eva Test"},
            },
            {"role": "child", "label": "kind 1"},
        ],
        "risk_assessments": [
            {
                "instrument": "rihg",
                "assessed_on": "2026-01-10",
                "assessor_organisation": str(cast.orgs["police"].uuid),
                "outcome": "high",
            }
        ],
        "partners_involved": [str(cast.orgs["ggz"].uuid)],
    }
    data.update(changes)
    return data


def test_a_complete_referral_is_stored_encrypted_with_its_details(cast: Cast, api: Any) -> None:
    response = api("social").post("/api/v1/cases/", payload(cast), format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    referral = Referral.objects.get(case=case)
    assert referral.criteria == ["several_life_domains", "structural_unsafety"]
    assert (referral.family_informed, referral.not_informed_reason) == (
        False,
        "criminal_investigation",
    )
    assert b"GOAL-API" not in bytes(referral.goal_ct)
    assert list(referral.partners_involved.all()) == [cast.orgs["ggz"]]
    risk = RiskAssessment.objects.get(case=case)
    assert (risk.instrument, risk.outcome, risk.assessor_organisation) == (
        "rihg",
        "high",
        cast.orgs["police"],
    )
    coordinator = api("coordinator").get(f"/api/v1/cases/{case.pk}/lifecycle/").json()
    assert coordinator["referral"]["goal"] == "GOAL-API one plan"
    assert coordinator["referral"]["risk_assessments"][0]["outcome"] == "high"
    # The referrer follows at level 1 and keeps reading what it submitted.
    referrer = api("social").get(f"/api/v1/cases/{case.pk}/lifecycle/").json()
    assert referrer["access_level"] == 1
    assert referrer["referral"]["goal"] == "GOAL-API one plan"
    assert referrer["referral"]["not_informed_reason"] == "criminal_investigation"
    # Another partner at level 1 gets the ticked criteria only: why the family was not told
    # (a criminal investigation) must not reach care and social partners.
    grant(cast, case, "ggz", 1)
    other = api("care").get(f"/api/v1/cases/{case.pk}/lifecycle/").json()
    assert "goal" not in other["referral"] and "not_informed_reason" not in other["referral"]
    assert other["referral"]["criteria"] == ["several_life_domains", "structural_unsafety"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"goal": ""}, "goal"),
        ({"criteria": []}, "criteria"),
        ({"family_informed": None}, "family_informed"),
        ({"not_informed_reason": ""}, "not_informed_reason"),
        ({"not_informed_reason": "other"}, "not_informed_explanation"),
        ({"members": []}, "members"),
        ({"reason": " "}, "reason"),
    ],
)
def test_wrong_or_missing_input_names_the_field_and_saves_nothing(
    changes: dict[str, Any], field: str, cast: Cast, api: Any
) -> None:
    data = {k: v for k, v in payload(cast, **changes).items() if v is not None}
    response = api("social").post("/api/v1/cases/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert Case.objects.count() == 0 and Referral.objects.count() == 0
    assert not AuditEvent.objects.filter(action="create").exists()


def test_a_risk_outcome_of_another_region_or_in_the_future_is_refused(cast: Cast, api: Any) -> None:
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    risks = [
        {
            "instrument": "dash",
            "assessed_on": future,
            "assessor_organisation": str(cast.orgs["police"].uuid),
            "outcome": "high",
        },
        {
            "instrument": "arij",
            "assessed_on": "2026-01-01",
            "assessor_organisation": str(cast.orgs["south_police"].uuid),
            "outcome": "low",
        },
    ]
    response = api("social").post(
        "/api/v1/cases/", payload(cast, risk_assessments=risks), format="json"
    )
    assert response.status_code == 400
    fields = response.json()["fields"]["risk_assessments"]
    assert "assessor_organisation" in fields["1"]
    assert Case.objects.count() == 0


def _form(cast: Cast, **changes: str) -> dict[str, str]:
    data = {
        "organisation": str(cast.orgs["local_team"].pk),
        "reason": "REASON-WEB worries",
        "goal": "GOAL-WEB safety first",
        "criteria": "repeated_incidents",
        "family_informed": "yes",
        "not_informed_reason": "",
        "not_informed_explanation": "",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "20",
        "members-0-role": "victim",
        "members-0-label": "moeder",
        "members-0-bsn": "123456782",
        "members-0-name": "",
        "members-0-date_of_birth": "",
        "members-0-address": "",
        "members-1-role": "",
        "members-1-label": "",
        "members-1-bsn": "",
        "members-1-name": "",
        "members-1-date_of_birth": "",
        "members-1-address": "",
        "risks-TOTAL_FORMS": "1",
        "risks-INITIAL_FORMS": "0",
        "risks-MIN_NUM_FORMS": "0",
        "risks-MAX_NUM_FORMS": "10",
        "risks-0-instrument": "",
        "risks-0-assessed_on": "",
        "risks-0-assessor_organisation": "",
        "risks-0-outcome": "",
    }
    data.update(changes)
    return data


def test_the_web_form_refers_and_lands_on_the_case_page(cast: Cast, web: Any) -> None:
    client = web("social")
    assert client.get("/cases/refer/").status_code == 200
    response = client.post("/cases/refer/", _form(cast))
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.members.count() == 1  # the empty second row is ignored
    page = client.get(response["Location"]).content.decode()
    assert case.reference in page and "status--referred" in page
    # At level 1 the referrer reads its own referral, and the whole of it on its own page.
    assert "GOAL-WEB" in page
    assert f'href="/cases/{case.pk}/referral/"' in page
    assert "REASON-WEB" in client.get(f"/cases/{case.pk}/referral/").content.decode()


def test_the_web_form_shows_each_wrong_field_and_saves_nothing(cast: Cast, web: Any) -> None:
    response = web("social").post(
        "/cases/refer/", _form(cast, goal="", family_informed="", **{"members-0-bsn": "123456789"})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert shown("Describe what the conference should achieve.", html=True) in html
    assert shown("Say whether the family was informed of this referral.", html=True) in html
    assert "elfproef" in html
    assert 'value="REASON-WEB worries"' not in html  # textareas keep their text, not as value
    assert "REASON-WEB worries" in html
    assert Case.objects.count() == 0
    not_informed = web("social").post("/cases/refer/", _form(cast, family_informed="no"))
    assert not_informed.status_code == 400
    why = "When the family was not informed, say why: a criminal investigation, safety, or "
    assert shown(why + "another reason.", html=True) in not_informed.content.decode()
    assert Case.objects.count() == 0


def test_on_submit_the_coordinators_are_told_and_see_the_bekendheid_check(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    again = refer(cast, persona="police")
    note = Notification.objects.get(
        recipient=cast.coordinator.user, kind="referral_received", case_reference=again.reference
    )
    assert again.reference in note.subject and "Eva" not in note.body
    row = next(
        r
        for r in api("coordinator").get("/api/v1/triage/").json()["results"]
        if r["reference"] == again.reference
    )
    assert row["known_in_region"] == 1 and row["known_in_other_region"] is False
    kinds = set(CaseEvent.objects.filter(case=again).values_list("kind", flat=True))
    assert {"referred", "known_elsewhere", "repeat"} <= kinds


def test_the_referrer_hears_the_decision_in_the_app_and_by_email_without_personal_data(
    cast: Cast, scenario: Scenario, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = refer(cast, persona="care")
    with django_capture_on_commit_callbacks(execute=False):
        response = api("coordinator").post(
            f"/api/v1/cases/{case.pk}/transitions/",
            {"transition": "advise", "reason": "ADVICE-MARKER involve the GP"},
            format="json",
        )
    assert response.status_code == 200
    note = Notification.objects.get(recipient=cast.care.user, kind="triage_decision")
    assert notification_email(notification_id=note.pk)
    message = mail.outbox[-1]
    assert case.reference in message.subject and f"/cases/{case.pk}/" in message.body
    for secret in ("ADVICE-MARKER", GOAL, "REASON-MARKER", "Johanna"):
        assert secret not in f"{message.subject} {message.body} {note.body}"
    timeline = api("care").get(f"/api/v1/cases/{case.pk}/timeline/").json()
    advice = next(e for e in timeline if e["transition"] == "advise")
    assert advice["text"] == "ADVICE-MARKER involve the GP"  # the referrer acts on the advice


def test_a_case_accepted_in_triage_starts_in_safety_phase_one(
    cast: Cast, scenario: Scenario
) -> None:
    case = move(cast, scenario.case, "start_triage", "accept")
    assert (case.status, case.safety_phase) == ("intake", 1)
