"""The transition table: from every status, exactly the allowed transitions work (for the
coordinators); every other one answers 409 saying what is possible; and who may not move the case
gets 403 or 404 as the access policy says (see test_access_matrix.TABLE)."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

import pytest
from django.db import OperationalError, connection, connections, transaction

from casework.models import CaseEvent, CaseStatus, CheckIn
from casework.services import lifecycle
from casework.transitions import TRANSITIONS, transitions_from
from mda.models import AuditAction, AuditEvent
from mda.workdays import AMSTERDAM
from tests.casework.conftest import Scenario
from tests.casework.lifecycle_support import (
    force_status,
    move,
    open_agreement,
    ready_for_execution,
    resolve,
    shown,
)
from tests.casework.test_access_matrix import PERSONAS, expected
from tests.conftest import Cast, require_postgresql

# What a foreign-key check takes on the row it refers to, failing at once instead of waiting.
KEY_SHARE_NOWAIT = "SELECT 1 FROM {} WHERE id = %s FOR KEY SHARE NOWAIT"
ALLOWED = {(source, t.name): t.target for t in TRANSITIONS.values() for source in t.sources}


def _url(case: Any) -> str:
    return f"/api/v1/cases/{case.pk}/transitions/"


@pytest.mark.parametrize("status", CaseStatus.values)
def test_from_each_status_only_the_table_s_transitions_work_and_the_rest_answer_409(
    status: str, cast: Cast, scenario: Scenario, api: Any
) -> None:
    case = ready_for_execution(cast, move(cast, scenario.case, "accept"))
    client = api("coordinator")
    wrong = []
    for name in TRANSITIONS:
        force_status(case, status)
        response = client.post(
            _url(case), {"transition": name, "reason": "Why: test."}, format="json"
        )
        body = response.json()
        if (status, name) in ALLOWED:
            if response.status_code != 200 or body["status"] != ALLOWED[(status, name)]:
                wrong.append((name, response.status_code, body))
            continue
        options = [t.name for t in transitions_from(status)]
        says_what_is_allowed = all(o in body.get("message", "") for o in options) and (
            options
            or shown("No further status change is possible from here.") in body.get("message", "")
        )
        if (response.status_code, body.get("code")) != (409, "transition_not_allowed") or (
            not says_what_is_allowed
        ):
            wrong.append((name, response.status_code, body))
    assert wrong == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_coordinators_move_a_case_the_rest_get_403_or_404(
    persona: str, scenario: Scenario, api: Any, web: Any
) -> None:
    want = expected(persona, "coordinate")
    url = _url(scenario.case)
    illegal = api(persona).post(url, {"transition": "close"}, format="json")
    assert illegal.status_code == (409 if want == 200 else want)
    page = web(persona).get(f"/cases/{scenario.case.pk}/transition/")
    assert page.status_code == want
    legal = api(persona).post(url, {"transition": "start_triage"}, format="json")
    assert legal.status_code == want
    if want == 200:
        assert legal.json()["status"] == "triage"
    else:
        assert legal.json()["code"] == ("not_found" if want == 404 else "permission_denied")
    scenario.case.refresh_from_db()
    assert scenario.case.status == ("triage" if want == 200 else "referred")


def test_a_transition_records_who_when_and_why_in_the_timeline_and_the_audit_trail(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    response = api("coordinator").post(
        _url(scenario.case),
        {"transition": "decline", "reason": "DECLINE-MARKER no MDA++ case"},
        format="json",
    )
    assert response.status_code == 200
    event = CaseEvent.objects.get(case=scenario.case, transition="decline")
    assert (event.actor, event.actor_organisation) == (cast.coordinator.user, cast.orgs["zvh"])
    assert (event.from_status, event.to_status) == ("referred", "declined")
    assert b"DECLINE-MARKER" not in bytes(event.text_ct or b"")  # encrypted
    audit = AuditEvent.objects.get(
        case_reference=scenario.case.reference, action=AuditAction.CHANGE, object_type="case"
    )
    assert audit.username == "coordinator"
    assert audit.detail["transition"] == "decline"
    assert "DECLINE-MARKER" not in str(audit.detail)


@pytest.mark.parametrize("name", ["advise", "decline", "acute_route", "reopen", "close_early"])
def test_steps_that_need_a_reason_refuse_without_one_and_change_nothing(
    name: str, cast: Cast, scenario: Scenario, api: Any
) -> None:
    source = TRANSITIONS[name].sources[0]
    force_status(scenario.case, source)
    response = api("coordinator").post(
        _url(scenario.case), {"transition": name, "reason": " "}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    scenario.case.refresh_from_db()
    assert scenario.case.status == source


def test_execution_needs_a_case_director_and_a_plan(
    cast: Cast, scenario: Scenario, api: Any
) -> None:
    case = move(cast, scenario.case, "accept", "start_plan")
    blocked = api("coordinator").post(_url(case), {"transition": "start_execution"}, format="json")
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "transition_blocked"
    assert blocked.json()["message"].startswith(
        shown(
            "Execution needs a case director and a plan with "
            "safety goals. Assign the case director and "
            "record the plan first."
        )[:40]
    )
    ready_for_execution(cast, case)
    done = api("coordinator").post(_url(case), {"transition": "start_execution"}, format="json")
    assert done.json()["status"] == "execution"


def test_closing_needs_every_agreement_resolved(cast: Cast, scenario: Scenario, api: Any) -> None:
    case = ready_for_execution(cast, move(cast, scenario.case, "accept"))
    case = move(cast, case, "start_plan", "start_execution", "start_follow_up")
    agreement = open_agreement(cast, case)
    blocked = api("coordinator").post(_url(case), {"transition": "close"}, format="json")
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "transition_blocked"
    assert "1" in blocked.json()["message"]  # how many agreements are still open
    resolve(agreement, "not_possible")
    closed = api("coordinator").post(_url(case), {"transition": "close"}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert not CheckIn.objects.pending().filter(case=case).exists()


def test_the_web_ui_renders_a_transition_that_is_not_possible_as_409_with_what_is(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    page = web("coordinator").post(
        f"/cases/{scenario.case.pk}/transition/", {"transition": "close", "reason": ""}
    )
    assert page.status_code == 409
    html = page.content.decode()
    assert 'role="alert"' in html and "start_triage" in html and "accept" in html
    ok = web("coordinator").post(
        f"/cases/{scenario.case.pk}/transition/", {"transition": "accept", "reason": ""}
    )
    assert ok.status_code == 302
    scenario.case.refresh_from_db()
    assert (scenario.case.status, scenario.case.safety_phase) == ("intake", 1)


def test_the_schema_documents_every_status_and_transition(api: Any) -> None:
    schema = api("coordinator").get("/api/schema/?format=json").json()
    text = str(schema)
    for status in CaseStatus.values:
        assert status in text
    for name, spec in TRANSITIONS.items():
        assert f"`{name}`" in text and spec.target in text
    table = api("social").get("/api/v1/lifecycle/").json()
    assert {t["name"] for t in table["transitions"]} == set(TRANSITIONS)
    assert {s["value"] for s in table["statuses"]} == set(CaseStatus.values)


@pytest.mark.usefixtures("decreed_days")
def test_a_follow_up_check_in_on_a_day_off_is_due_the_next_working_day(
    cast: Cast, scenario: Scenario, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2027, 2, 5, 10, 0, tzinfo=AMSTERDAM), tick=False)  # Friday
    case = ready_for_execution(cast, move(cast, scenario.case, "accept"))
    move(cast, case, "start_plan", "start_execution", "start_follow_up")

    due = dict(CheckIn.objects.filter(case=case).values_list("months_after", "due_on"))
    assert due == {
        # 5 May 2027, then Ascension Day 6 May and the decree's Friday 7 May: Monday 10 May.
        3: date(2027, 5, 10),
        6: date(2027, 8, 5),  # a Thursday
        12: date(2028, 2, 7),  # Saturday 5 February: Monday
    }


@pytest.mark.django_db(transaction=True)
def test_a_transition_locks_the_case_row_alone_and_lets_others_add_to_the_case_meanwhile(
    cast: Cast, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a transition holds its lock, another connection still takes the key-share lock that
    its foreign-key check takes at COMMIT (a note or agreement added to the case, a case referred
    in the region) on the case, its region, referring organisation and data key: none of them
    waits, so none of them can deadlock with the transition."""
    require_postgresql("SQLite has no row locks")
    case = scenario.case
    rows: dict[str, Any] = {
        "casework_case": case.pk,
        "mda_region": case.region_id,
        "mda_organisation": case.referring_organisation_id,
        "mda_datakey": case.data_key_id,
    }
    refused: list[str] = []
    probed = threading.Event()

    def probe() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for table, pk in rows.items():
                    try:
                        with transaction.atomic():
                            cursor.execute(KEY_SHARE_NOWAIT.format(table), [pk])
                    except OperationalError:
                        refused.append(table)
        finally:
            connections.close_all()
            probed.set()

    def lock_then_probe(locked: Any) -> Any:
        locked = real_lock(locked)
        thread = threading.Thread(target=probe)
        thread.start()
        thread.join(timeout=30)
        return locked

    real_lock = lifecycle._lock
    monkeypatch.setattr(lifecycle, "_lock", lock_then_probe)
    move(cast, case, "accept")

    assert probed.is_set()
    assert refused == []
