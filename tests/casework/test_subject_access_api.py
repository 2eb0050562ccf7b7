"""Subject access over the REST API: the same steps, rules and audit events as the pages.

The privacy officer's endpoints answer 403 to every other role (as the pages do) and 404 for a
request of another region; the coordinators' reviews answer 404 to anyone who does not coordinate
the case. Bad input answers 400 and changes nothing; a step out of turn answers 409."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from casework.access import access_subject_access_review
from casework.models import SubjectAccessItem, SubjectAccessRequest, Withholding
from casework.services import subject_access
from mda.models import AuditEvent, Role
from mda.services import api_token_issue
from tests.casework.conftest import IDENTITY_BSN, IDENTITY_NAME, NOTES, Scenario
from tests.casework.test_access_matrix import PERSONAS, TABLE
from tests.conftest import Cast
from tests.factories import MembershipFactory, UserFactory

BASE = "/api/v1/subject-access/"
REVIEWS = BASE + "reviews/"
WITHHOLD = {"ground": "criminal_investigation", "explanation": "EXPLANATION-MARKER wait"}


def prepare(cast: Cast) -> SubjectAccessRequest:
    return subject_access.subject_access_prepare(actor=cast.privacy.user, bsn=IDENTITY_BSN)


def item_of(request: SubjectAccessRequest) -> SubjectAccessItem:
    return request.items.get()


def other_region_officer(cast: Cast) -> APIClient:
    """A privacy officer of region south: supervises none of north's requests."""
    user = UserFactory(username="south-privacy")
    MembershipFactory(user=user, organisation=cast.orgs["south_zvh"], role=Role.PRIVACY_OFFICER)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user, name='t')[1]}")
    return client


def note_id(api: Any, request: SubjectAccessRequest, marker: str) -> str:
    review = api("coordinator").get(f"{REVIEWS}{item_of(request).pk}/").json()
    for entry in review["content"]:
        if entry["kind"] == "note" and any(marker in t["text"] for t in entry["texts"]):
            return str(entry["id"])
    raise AssertionError(marker)


# --- Who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_privacy_officer_s_endpoints_answer_only_to_privacy_officers(
    persona: str, cast: Cast, scenario: Scenario, api: Any
) -> None:
    request = prepare(cast)
    url = f"{BASE}{request.pk}/"
    privacy = TABLE[persona][3]
    client = api(persona)
    listing = client.get(BASE)
    assert listing.status_code == (200 if privacy else 403)
    if privacy:
        assert [r["id"] for r in listing.json()["results"]] == [str(request.pk)]
    assert client.get(url).status_code == (200 if privacy else 403)
    assert client.get(url + "report/").status_code == (409 if privacy else 403)
    assert client.post(url + "release/").status_code == (409 if privacy else 403)
    created = client.post(BASE, {"bsn": IDENTITY_BSN}, format="json")
    assert created.status_code == (201 if privacy else 403)
    assert SubjectAccessRequest.objects.count() == (2 if privacy else 1)
    assert not SubjectAccessRequest.objects.filter(status="released").exists()


def test_a_privacy_officer_of_another_region_finds_no_request_of_this_one(
    cast: Cast, scenario: Scenario
) -> None:
    request = prepare(cast)
    subject_access.subject_access_confirm(
        actor=cast.coordinator.user, item=_reviewed(cast, request)
    )
    client = other_region_officer(cast)
    assert client.get(BASE).json()["results"] == []
    for method, path in (("get", ""), ("post", "release/"), ("get", "report/")):
        assert getattr(client, method)(f"{BASE}{request.pk}/{path}").status_code == 404
    found = client.post(BASE, {"bsn": IDENTITY_BSN}, format="json")
    assert found.status_code == 201 and found.json()["items"] == []  # north's case stays unseen
    assert SubjectAccessRequest.objects.get(pk=request.pk).status == "preparing"


def _reviewed(cast: Cast, request: SubjectAccessRequest) -> SubjectAccessItem:
    return access_subject_access_review(cast.coordinator.user, item_of(request).pk)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_case_s_coordinators_review_it_over_the_api(
    persona: str, cast: Cast, scenario: Scenario, api: Any
) -> None:
    request = prepare(cast)
    item = item_of(request)
    coordinator = TABLE[persona][1]
    client = api(persona)
    listing = client.get(REVIEWS)
    assert listing.status_code == 200
    assert [r["id"] for r in listing.json()["results"]] == ([str(item.pk)] if coordinator else [])
    url = f"{REVIEWS}{item.pk}/"
    assert client.get(url).status_code == (200 if coordinator else 404)
    added = client.post(url + "withholdings/", WITHHOLD, format="json")
    assert added.status_code == (201 if coordinator else 404)
    assert Withholding.objects.count() == int(coordinator)
    if not coordinator:  # one withholding to try to remove
        subject_access.withholding_set(
            actor=cast.coordinator.user,
            item=_reviewed(cast, request),
            organisation=None,
            **WITHHOLD,
        )
    withholding = Withholding.objects.get()
    removed = client.delete(f"{url}withholdings/{withholding.pk}/")
    assert removed.status_code == (204 if coordinator else 404)
    assert Withholding.objects.exists() != coordinator
    assert client.post(url + "confirm/").status_code == (200 if coordinator else 404)
    assert SubjectAccessItem.objects.filter(confirmed_at__isnull=False).count() == int(coordinator)


# --- The flow ------------------------------------------------------------------------------------


def test_a_request_prepared_reviewed_and_released_over_the_api_gives_the_report_as_json(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    created = api("privacy").post(
        BASE, {"name": "Johanna Vermeulen-Secret", "date_of_birth": "1990-05-17"}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert body["lookup"] == "name_dob" and body["status"] == "preparing"
    assert [i["reference"] for i in body["items"]] == [scenario.case.reference]
    assert IDENTITY_NAME not in str(body) and "NOTE" not in str(body)  # no content before release
    request = SubjectAccessRequest.objects.get()
    social = note_id(api, request, "SOCIAL-ORG-NOTE")
    url = f"{REVIEWS}{item_of(request).pk}/"
    added = api("coordinator").post(
        url + "withholdings/", {**WITHHOLD, "entry_kind": "note", "entry_id": social}, format="json"
    )
    assert added.status_code == 201
    withheld = [e for e in added.json()["content"] if e["withheld"]]
    assert [e["id"] for e in withheld] == [social]
    assert api("privacy").post(f"{BASE}{request.pk}/release/").status_code == 409  # unconfirmed
    assert api("coordinator").post(url + "confirm/").status_code == 200
    released = api("privacy").post(f"{BASE}{request.pk}/release/")
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert api("privacy").post(f"{BASE}{request.pk}/release/").status_code == 409  # once
    report = api("privacy").get(f"{BASE}{request.pk}/report/")
    assert report.status_code == 200 and report["Cache-Control"] == "no-store"
    (case,) = report.json()["cases"]
    assert case["reference"] == scenario.case.reference and case["identity"]["bsn"] == IDENTITY_BSN
    texts = str(case["notes"])
    kept = [body for key, (_p, _v, body) in NOTES.items() if key != "social_org"]
    assert all(body in texts for body in kept) and "SOCIAL-ORG-NOTE" not in texts
    assert "EXPLANATION-MARKER" not in str(report.json())
    detail = api("privacy").get(f"{BASE}{request.pk}/").json()
    assert "EXPLANATION-MARKER" in str(detail["items"][0]["withholdings"])  # recorded, not sent
    events = AuditEvent.objects.filter(object_type="subject_access_report")
    assert sorted(events.values_list("action", flat=True)) == ["disclose", "export"]


def test_the_coordinator_reads_no_text_the_notes_rules_keep_from_them(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    request = prepare(cast)
    review = api("coordinator").get(f"{REVIEWS}{item_of(request).pk}/").json()
    assert "POLICE-DOMAIN-NOTE" not in str(review) and "SOCIAL-ORG-NOTE" in str(review)
    hidden = [e for e in review["content"] if not e["readable"]]
    assert (
        len(hidden) == 1
        and hidden[0]["texts"] == []
        and hidden[0]["organisation"] == ("Politie Noord")
    )


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "name"),
        ({"bsn": "123456789"}, "bsn"),
        ({"name": "Johanna"}, "date_of_birth"),
        ({"name": "Johanna", "date_of_birth": "17-05-1990"}, "date_of_birth"),
    ],
)
def test_a_lookup_with_bad_input_answers_400_and_prepares_nothing(
    data: dict[str, str], field: str, cast: Cast, scenario: Scenario, api: Any
) -> None:
    response = api("privacy").post(BASE, data, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not SubjectAccessRequest.objects.exists()
    assert not AuditEvent.objects.filter(object_type="subject_search").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"ground": "curiosity"},
        {"explanation": "short"},
        {"organisation_id": "00000000-0000-0000-0000-000000000000"},
        {"entry_kind": "note", "entry_id": "00000000-0000-0000-0000-000000000000"},
        {"entry_kind": "rumour", "entry_id": "00000000-0000-0000-0000-000000000000"},
        {"entry_kind": "note"},
    ],
)
def test_a_withholding_with_bad_input_answers_400_and_changes_nothing(
    data: dict[str, str], cast: Cast, scenario: Scenario, api: Any
) -> None:
    request = prepare(cast)
    response = api("coordinator").post(
        f"{REVIEWS}{item_of(request).pk}/withholdings/", {**WITHHOLD, **data}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert response.json()["code"] and response.json()["message"]
    assert not Withholding.objects.exists()


def test_an_organisation_and_an_entry_at_once_answer_400(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    request = prepare(cast)
    data = {
        **WITHHOLD,
        "organisation_id": str(cast.orgs["police"].uuid),
        "entry_kind": "note",
        "entry_id": note_id(api, request, "SOCIAL-ORG-NOTE"),
    }
    response = api("coordinator").post(
        f"{REVIEWS}{item_of(request).pk}/withholdings/", data, format="json"
    )
    assert response.status_code == 400 and "organisation" in response.json()["fields"]
    assert not Withholding.objects.exists()


def test_a_list_with_a_cursor_not_made_here_answers_400(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    prepare(cast)
    assert api("privacy").get(BASE + "?cursor=not-a-cursor").status_code == 400
    assert api("coordinator").get(REVIEWS + "?cursor=not-a-cursor").status_code == 400
