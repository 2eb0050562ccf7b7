"""Retention as the users see it: the destruction date on the case, legal holds on a page and in
the API (by persona), the warning e-mail, the privacy officer's destruction records, and a
destroyed case that answers 404 on every case address of the service."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casework.models import Case, LegalHold
from casework.services import retention
from mda.models import AuditEvent, Notification
from mda.notifications import notification_email
from tests.casework import retention_support
from tests.casework.conftest import IDENTITY_BSN, Scenario
from tests.casework.retention_support import (
    Rich,
    at,
    coordinator_view,
)
from tests.casework.test_access_matrix import PERSONAS, TABLE, _ok, expected
from tests.conftest import Cast, login_client

closed_rich_case = retention_support.closed_rich_case
rich = retention_support.rich


def _destroy(time_machine: Any, case: Case) -> None:
    for day in (date(2027, 12, 16), date(2028, 1, 15)):
        time_machine.move_to(at(day.year, day.month, day.day, 3), tick=False)
        retention.retention_sweep()
    case.refresh_from_db()
    assert case.destroyed_at is not None


# --- The case page and the retention page ------------------------------------------------------


def test_the_case_page_shows_the_day_a_closed_case_will_be_destroyed(
    cast: Cast, rich: Rich, time_machine: Any
) -> None:
    time_machine.move_to(at(2026, 2, 1), tick=False)
    page = login_client(cast.coordinator, language="nl").get(f"/cases/{rich.case.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Vernietigd op" in html and "15 jan. 2028" in html
    api = login_client(cast.police).get(f"/api/v1/cases/{rich.case.pk}/retention/").json()
    assert (api["destroy_on"], api["rule"], api["term_months"]) == ("2028-01-15", "closed", 24)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_retention_page_and_holds_answer_by_access_level(
    persona: str, scenario: Scenario, api: Any, web: Any, time_machine: Any
) -> None:
    time_machine.move_to(at(2026, 3, 2), tick=False)
    case_id = scenario.case.pk
    assert _ok(
        web(persona).get(f"/cases/{case_id}/retention/").status_code, expected(persona, "process")
    )
    answer = api(persona).get(f"/api/v1/cases/{case_id}/retention/")
    assert _ok(answer.status_code, expected(persona, "process"))
    if answer.status_code == 200:
        assert answer.json()["ended"] is False and answer.json()["destroy_on"] is None
    hold = {"reason": "The public prosecutor investigates.", "until": "2026-09-30"}
    placed = api(persona).post(f"/api/v1/cases/{case_id}/legal-holds/", hold, format="json")
    assert _ok(placed.status_code, expected(persona, "coordinate")), placed.content
    page = web(persona).post(f"/cases/{case_id}/retention/", hold)
    want = expected(persona, "coordinate")
    assert page.status_code == (302 if want == 200 else want)
    assert LegalHold.objects.count() == (2 if want == 200 else 0)
    if want == 200:
        view = api(persona).get(f"/api/v1/cases/{case_id}/retention/").json()
        assert view["held_until"] == "2026-09-30"
        assert {h["reason"] for h in view["holds"]} == {hold["reason"]}


def test_only_coordinators_read_a_hold_s_reason(
    cast: Cast, scenario: Scenario, api: Any, web: Any, time_machine: Any
) -> None:
    time_machine.move_to(at(2026, 3, 2), tick=False)
    retention.legal_hold_place(
        actor=cast.coordinator.user,
        case=coordinator_view(cast, scenario.case),
        reason="HOLD-REASON-MARKER the prosecutor investigates",
        until=date(2026, 9, 30),
    )
    for persona in ("coordinator", "police", "care", "chair"):
        body = api(persona).get(f"/api/v1/cases/{scenario.case.pk}/retention/").content.decode()
        html = web(persona).get(f"/cases/{scenario.case.pk}/retention/").content.decode()
        assert "2026-09-30" in body
        sees = TABLE[persona][1]
        assert ("HOLD-REASON-MARKER" in body) == sees and ("HOLD-REASON-MARKER" in html) == sees


def test_a_hold_with_bad_input_changes_nothing_and_the_form_keeps_its_input(
    cast: Cast, scenario: Scenario, api: Any, web: Any, time_machine: Any
) -> None:
    time_machine.move_to(at(2026, 3, 2), tick=False)
    url = f"/api/v1/cases/{scenario.case.pk}/legal-holds/"
    short = api("coordinator").post(url, {"reason": "short", "until": "2026-01-01"}, format="json")
    assert short.status_code == 400 and set(short.json()["fields"]) == {"reason", "until"}
    far = api("coordinator").post(
        url, {"reason": "A very long investigation.", "until": "2032-01-01"}, format="json"
    )
    assert far.status_code == 400 and "until" in far.json()["fields"]
    page = web("coordinator").post(
        f"/cases/{scenario.case.pk}/retention/", {"reason": "KEEP-ME", "until": "2026-03-01"}
    )
    assert page.status_code == 400 and "KEEP-ME" in page.content.decode()
    assert not LegalHold.objects.exists()
    assert not AuditEvent.objects.filter(object_type="legal_hold").exists()


def test_ending_a_hold_asks_first_is_audited_and_cannot_happen_twice(
    cast: Cast, scenario: Scenario, api: Any, web: Any, time_machine: Any
) -> None:
    time_machine.move_to(at(2026, 3, 2), tick=False)
    hold = retention.legal_hold_place(
        actor=cast.coordinator.user,
        case=coordinator_view(cast, scenario.case),
        reason="The public prosecutor investigates.",
        until=date(2026, 9, 30),
    )
    url = f"/cases/{scenario.case.pk}/retention/holds/{hold.pk}/release/"
    for persona in ("police", "chair"):
        assert web(persona).get(url).status_code == 403
        assert web(persona).post(url).status_code == 403
    assert web("outsider").post(url).status_code == 404
    confirm = web("coordinator").get(url)
    assert confirm.status_code == 200 and LegalHold.objects.get().released_at is None
    assert web("coordinator").post(url).status_code == 400  # not confirmed: nothing done
    assert LegalHold.objects.get().released_at is None
    assert web("coordinator").post(url, {"confirm": "True"}).status_code == 302
    assert LegalHold.objects.get().released_at is not None
    again = api("coordinator").post(
        f"/api/v1/cases/{scenario.case.pk}/legal-holds/{hold.pk}/release/"
    )
    assert again.status_code == 409
    actions = AuditEvent.objects.filter(object_type="legal_hold").values_list("action", flat=True)
    assert sorted(actions) == ["create", "revoke"]


# --- The warning --------------------------------------------------------------------------------


def test_coordinators_get_the_warning_by_e_mail_with_reference_date_and_link_only(
    cast: Cast, rich: Rich, time_machine: Any
) -> None:
    time_machine.move_to(at(2027, 12, 16, 3), tick=False)
    retention.retention_sweep()
    for note in Notification.objects.filter(kind="retention_warning"):
        notification_email(notification_id=note.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cast.coordinator.user.email]
    text = f"{message.subject}\n{message.body}"
    assert rich.case.reference in text and "15 Jan 2028" in text
    assert f"/cases/{rich.case.pk}/" in text
    assert "Johanna" not in text and "REASON-MARKER" not in text


# --- The privacy officer's records --------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_destruction_records_are_for_the_privacy_officer(
    persona: str, cast: Cast, rich: Rich, api: Any, web: Any, time_machine: Any
) -> None:
    _destroy(time_machine, rich.case)
    page = web(persona).get("/privacy/destructions/")
    answer = api(persona).get("/api/v1/destructions/")
    privacy = TABLE[persona][3]
    assert page.status_code == answer.status_code == (200 if privacy else 403)
    if privacy:
        assert rich.case.reference in page.content.decode()
        assert [r["reference"] for r in answer.json()["results"]] == [rich.case.reference]
        log = web(persona).get(f"/privacy/cases/{rich.case.pk}/access-log/")
        assert log.status_code == 200  # the tombstone's access log outlives the case
        disclosures = web(persona).get(f"/privacy/cases/{rich.case.pk}/disclosures/")
        assert disclosures.status_code == 404  # its weegmomenten went with it
        assert api(persona).get(f"/api/v1/cases/{rich.case.pk}/disclosures/").status_code == 404


# --- A destroyed case is gone everywhere --------------------------------------------------------

# The privacy officer's records of a case: the tombstone's access log stays readable.
PRIVACY_RECORDS = {"access-log", "api-access-log", "api-reveal-log", "disclosure-log"}
PRIVACY_RECORDS |= {"api-disclosure-log"}


def _case_urls() -> list[tuple[str, str, bool]]:
    """(name, path pattern, only the case in it) of every route of the service with a case."""
    found: list[tuple[str, str, bool]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif (
                isinstance(p, URLPattern)
                and "case_id" in p.pattern.converters
                and p.name not in PRIVACY_RECORDS
            ):
                name = f"{namespace}{p.name}"
                found.append((name, prefix + str(p.pattern), len(p.pattern.converters) == 1))

    walk(get_resolver().url_patterns, "", "")
    return found


def _url(name: str, case: Case) -> str:
    kwargs: dict[str, Any] = {"case_id": case.pk}
    for key in _converters(name):
        kwargs.setdefault(key, uuid.uuid4())
    return reverse(name, kwargs=kwargs)


def _converters(name: str) -> list[str]:
    for found, route, _only in _case_urls():
        if found == name:
            return [part.split(">")[0].split(":")[-1] for part in route.split("<")[1:]]
    raise KeyError(name)


METHODS = ("get", "post", "put", "patch", "delete")


def _answers(client: Any, url: str) -> set[int]:
    """What the route answers to each method it has (405: a method it does not have)."""
    answers = {
        getattr(client, m)(url, {}, content_type="application/json").status_code for m in METHODS
    }
    return answers - {405}


def test_every_case_address_is_found_by_the_scan() -> None:
    names = {name for name, _route, _only in _case_urls()}
    assert {
        "casework:case-detail",
        "casework:retention",
        "casework:note-add",
        "scheduling:escalation-raise",
        "scheduling:emergency-meeting",
        "api-case-detail",
        "api-case-agreement-list",
        "api-case-escalation-list",
        "api-legal-hold-release",
    } <= names


def test_a_destroyed_case_answers_404_on_every_case_address(
    cast: Cast, rich: Rich, time_machine: Any
) -> None:
    coordinator = login_client(cast.coordinator)
    routes = _case_urls()
    living = {
        name: _answers(coordinator, _url(name, rich.case)) for name, _r, only in routes if only
    }
    assert not [n for n, answers in living.items() if 404 in answers], living  # reached alive
    searches = (
        coordinator.get("/cases/", {"q": rich.case.reference}),
        coordinator.post("/cases/find-person/", {"bsn": IDENTITY_BSN}),
    )
    assert all(str(rich.case.pk) in page.content.decode() for page in searches)  # found alive
    _destroy(time_machine, rich.case)
    for persona in ("coordinator", "police", "privacy"):
        client = login_client(cast.personas[persona])
        for name, _route, _only in routes:
            assert _answers(client, _url(name, rich.case)) == {404}, (persona, name)
        lists = (
            client.get("/cases/").content.decode() + client.get("/api/v1/cases/").content.decode()
        )
        found = client.get("/cases/", {"q": rich.case.reference}).content.decode()
        assert rich.case.reference not in lists, persona
        assert str(rich.case.pk) not in found, persona  # the query itself is echoed back
    by_person = login_client(cast.coordinator).post("/cases/find-person/", {"bsn": IDENTITY_BSN})
    assert by_person.status_code == 200 and str(rich.case.pk) not in by_person.content.decode()
