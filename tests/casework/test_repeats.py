"""Repeats: a referral whose household member matches (blind index) a member of a case referred
in the region within the last 12 months is marked as a repeat of it, shown in triage and
counted; an earlier case in follow-up re-opens by itself. So does a check-in with concerns."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from casework import services
from casework.models import CaseEvent, CheckIn
from mda.models import Notification
from mda.workdays import add_months
from tests.casework.conftest import refer
from tests.casework.lifecycle_support import as_seen_by, move, ready_for_execution, shown
from tests.conftest import Cast

FIRST = datetime.fromisoformat("2026-01-15T10:00:00+00:00")


@pytest.mark.parametrize(
    ("later", "repeat"),
    [
        (add_months(FIRST, 12) - timedelta(days=1), True),  # just within 12 months
        (add_months(FIRST, 12) + timedelta(days=1), False),  # just outside
    ],
)
def test_a_referral_within_twelve_months_is_a_repeat_of_the_earlier_case(
    later: datetime, repeat: bool, cast: Cast, api: Any, time_machine: Any
) -> None:
    time_machine.move_to(FIRST, tick=False)
    first = refer(cast)
    time_machine.move_to(later, tick=False)
    second = refer(cast, persona="police")
    assert (second.repeat_of == first) == repeat
    body = api("coordinator").get("/api/v1/triage/").json()
    row = next(r for r in body["results"] if r["reference"] == second.reference)
    assert row["repeat_of"] == (first.reference if repeat else None)
    assert body["repeats_last_12_months"] == (1 if repeat else 0)
    html = api("coordinator").get(f"/api/v1/cases/{second.pk}/lifecycle/").json()
    assert html["repeat_of"] == (first.reference if repeat else None)


def test_the_same_person_in_another_region_is_no_repeat_only_known_there(
    cast: Cast, api: Any
) -> None:
    refer(cast)
    south = refer(cast, persona="outsider_police")
    assert south.repeat_of is None
    row = api("outsider").get("/api/v1/triage/").json()["results"][0]
    assert (row["known_in_other_region"], row["repeat_of"]) == (True, None)


def test_repeats_and_bekendheid_are_shown_to_coordinators_only(
    cast: Cast, api: Any, web: Any
) -> None:
    first = refer(cast)
    second = refer(cast, persona="police")
    coordinator = web("coordinator").get(f"/cases/{second.pk}/").content.decode()
    assert first.reference in coordinator and shown("Bekendheid") in coordinator
    assert "badge--attention" in coordinator  # the repeat badge
    referrer = web("police").get(f"/cases/{second.pk}/").content.decode()
    assert first.reference not in referrer and shown("Bekendheid") not in referrer
    timeline = api("police").get(f"/api/v1/cases/{second.pk}/timeline/").json()
    assert {e["kind"] for e in timeline} & {"repeat", "known_elsewhere"} == set()


def _in_execution(cast: Cast, case: Any) -> Any:
    """Accepted, the police at level 2 with its professional as case director, executing."""
    case = move(cast, case, "accept")
    services.participation_add(
        actor=cast.coordinator.user,
        case=as_seen_by(cast, "coordinator", case),
        organisation=cast.orgs["police"],
        level=2,
        legal_basis="convenant",
        purpose="Plan.",
        necessity="Needed.",
    )
    case = ready_for_execution(cast, case, director="police")
    return move(cast, case, "start_plan", "start_execution")


def _in_follow_up(cast: Cast, case: Any) -> Any:
    return move(cast, _in_execution(cast, case), "start_follow_up")


def test_a_repeat_re_opens_the_earlier_case_in_follow_up(cast: Cast, api: Any) -> None:
    first = _in_follow_up(cast, refer(cast))
    assert CheckIn.objects.pending().filter(case=first).count() == 3
    refer(cast, persona="social")
    first.refresh_from_db()
    assert first.status == "reopened"
    event = CaseEvent.objects.get(case=first, transition="reopen")
    assert (event.automatic, event.detail["cause"]) == (True, "new_referral")
    assert not CheckIn.objects.pending().filter(case=first).exists()
    told = set(
        Notification.objects.filter(
            kind="case_reopened", case_reference=first.reference
        ).values_list("recipient__username", flat=True)
    )
    assert told == {"coordinator", "police"}  # the coordinators and the case director
    entries = api("coordinator").get(f"/api/v1/cases/{first.pk}/timeline/").json()
    cause = shown("a new referral for a household member")
    assert any(cause in e["summary"] for e in entries if e["transition"] == "reopen")


def test_a_new_referral_re_opens_a_follow_up_referred_longer_than_a_year_ago(
    cast: Cast, time_machine: Any
) -> None:
    time_machine.move_to(FIRST, tick=False)
    first = refer(cast)
    time_machine.move_to(add_months(FIRST, 9), tick=False)
    _in_follow_up(cast, first)  # follow-up lasts a year: longer than the repeat window
    time_machine.move_to(add_months(FIRST, 20), tick=False)
    second = refer(cast, persona="police")
    first.refresh_from_db()
    assert (second.repeat_of, first.status) == (None, "reopened")


def test_a_repeat_of_a_case_in_execution_only_links_it(cast: Cast) -> None:
    first = _in_execution(cast, refer(cast))
    second = refer(cast)
    first.refresh_from_db()
    assert (first.status, second.repeat_of) == ("execution", first)


def test_a_check_in_with_concerns_re_opens_the_case(cast: Cast, api: Any, web: Any) -> None:
    case = _in_follow_up(cast, refer(cast))
    check_in = CheckIn.objects.pending().filter(case=case).earliest("due_on")
    url = f"/api/v1/cases/{case.pk}/check-ins/{check_in.pk}/complete/"
    assert api("care").post(url, {"outcome": "stable"}, format="json").status_code == 404
    refused = api("police").post(url, {"outcome": "concerns"}, format="json")
    assert refused.status_code == 400 and "remark" in refused.json()["fields"]
    page = web("police").post(
        f"/cases/{case.pk}/check-ins/{check_in.pk}/",
        {"outcome": "concerns", "remark": "New incident reported."},
    )
    assert page.status_code == 302
    case.refresh_from_db()
    assert case.status == "reopened"
    assert CaseEvent.objects.get(case=case, transition="reopen").detail["cause"] == (
        "check_in_concerns"
    )


def test_the_sweep_tells_the_case_director_once_when_a_check_in_is_due(
    cast: Cast, time_machine: Any
) -> None:
    time_machine.move_to(FIRST, tick=False)
    case = _in_follow_up(cast, refer(cast))
    first_due = CheckIn.objects.filter(case=case).earliest("due_on")
    assert first_due.due_on == add_months(FIRST, 3).date()
    assert services.check_ins_due_notify(today=first_due.due_on) == 1
    assert services.check_ins_due_notify(today=first_due.due_on) == 0
    note = Notification.objects.get(kind="check_in_due")
    assert note.recipient == cast.police.user and case.reference in note.subject
