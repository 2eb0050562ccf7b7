"""A triage decision is due a number of working days after the referral (default 5, per region),
counted in Europe/Amsterdam: weekends and Dutch public holidays do not count, and the local date
of the referral decides, also around the change to and from summer time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from casework.models import RegionPolicy
from mda.models import RegionClosingDay
from tests.casework.conftest import refer
from tests.conftest import Cast


@pytest.mark.parametrize(
    ("referred_at", "due"),
    [
        ("2026-11-20T09:00:00+00:00", date(2026, 11, 27)),  # Friday: next Friday
        ("2026-11-21T12:00:00+00:00", date(2026, 11, 27)),  # Saturday: counts from Monday
        ("2026-04-02T09:00:00+00:00", date(2026, 4, 13)),  # Good Friday, Easter Monday
        ("2026-04-24T09:00:00+00:00", date(2026, 5, 4)),  # King's Day, Monday 27 April
        ("2026-12-23T09:00:00+00:00", date(2026, 12, 31)),  # Christmas on Friday
        # Monday 00:30 in Amsterdam, still Sunday in UTC: the local Monday counts.
        ("2026-10-25T23:30:00+00:00", date(2026, 11, 2)),  # first night of winter time
        ("2026-03-29T22:30:00+00:00", date(2026, 4, 8)),  # first night of summer time
    ],
)
def test_the_decision_is_due_five_working_days_after_the_local_date_of_the_referral(
    referred_at: str, due: date, cast: Cast, time_machine: Any
) -> None:
    time_machine.move_to(datetime.fromisoformat(referred_at), tick=False)
    assert refer(cast).triage_due_on == due


@pytest.mark.usefixtures("decreed_days")
@pytest.mark.parametrize(
    ("referred_at", "due"),
    [
        # Thursday 30 April 2026: Liberation Day, Tuesday 5 May, does not count.
        ("2026-04-30T09:00:00+00:00", date(2026, 5, 8)),
        # Monday 11 May 2026: Ascension Day 14 May and the decree's Friday 15 May do not count.
        ("2026-05-11T09:00:00+00:00", date(2026, 5, 20)),
        # Monday 3 May 2027: 5 May (not a lustrum year), Ascension Day and the decree's 7 May.
        ("2027-05-03T09:00:00+00:00", date(2027, 5, 13)),
        # Wednesday 31 December 2025: New Year's Day and the decree's 2 January 2026.
        ("2025-12-31T09:00:00+00:00", date(2026, 1, 9)),
    ],
    ids=["liberation-day-2026", "decree-15-may-2026", "may-2027", "decree-2-january-2026"],
)
def test_liberation_day_and_the_decree_days_do_not_count(
    referred_at: str, due: date, cast: Cast, time_machine: Any
) -> None:
    time_machine.move_to(datetime.fromisoformat(referred_at), tick=False)
    assert refer(cast).triage_due_on == due


def test_a_closing_day_of_the_region_moves_that_regions_deadlines_only(
    cast: Cast, time_machine: Any
) -> None:
    for day in (28, 29, 30, 31):
        RegionClosingDay.objects.create(
            region=cast.north, day=date(2026, 12, day), description="Kerstsluiting"
        )
    time_machine.move_to(datetime.fromisoformat("2026-12-23T09:00:00+00:00"), tick=False)

    # North: Thursday 24 December, then Monday 4 to Thursday 7 January 2027.
    assert refer(cast).triage_due_on == date(2027, 1, 7)
    # South keeps its days: 24, 28, 29, 30 and 31 December.
    assert refer(cast, persona="outsider_police").triage_due_on == date(2026, 12, 31)


def test_a_region_sets_its_own_number_of_working_days(cast: Cast, time_machine: Any) -> None:
    RegionPolicy.objects.create(region=cast.north, triage_working_days=2)
    time_machine.move_to(datetime.fromisoformat("2026-11-20T09:00:00+00:00"), tick=False)
    assert refer(cast).triage_due_on == date(2026, 11, 24)  # Friday + 2: Tuesday
    assert refer(cast, persona="outsider_police").triage_due_on == date(2026, 11, 27)


def _row(api: Any, reference: str) -> dict[str, Any]:
    body = api("coordinator").get("/api/v1/triage/").json()
    return next(r for r in body["results"] if r["reference"] == reference) | {
        "overdue_total": body["overdue"]
    }


def test_overdue_referrals_stand_out_in_the_triage_queue(
    cast: Cast, api: Any, web: Any, time_machine: Any
) -> None:
    time_machine.move_to(datetime.fromisoformat("2026-11-20T09:00:00+00:00"), tick=False)
    case = refer(cast)
    time_machine.move_to(datetime.fromisoformat("2026-11-27T22:30:00+00:00"), tick=False)
    row = _row(api, case.reference)  # 23:30 on the due date in Amsterdam
    assert (row["due_today"], row["overdue"], row["overdue_total"]) == (True, False, 0)
    assert "row--overdue" not in web("coordinator").get("/triage/").content.decode()

    time_machine.move_to(datetime.fromisoformat("2026-11-27T23:30:00+00:00"), tick=False)
    row = _row(api, case.reference)  # past midnight in Amsterdam, still the 27th in UTC
    assert (row["due_today"], row["overdue"], row["overdue_total"]) == (False, True, 1)
    html = web("coordinator").get("/triage/").content.decode()
    assert "row--overdue" in html and "badge--overdue" in html
    page = web("coordinator").get(f"/cases/{case.pk}/").content.decode()
    assert "badge--overdue" in page


def test_a_decided_referral_leaves_the_queue(cast: Cast, api: Any) -> None:
    case = refer(cast)
    api("coordinator").post(
        f"/api/v1/cases/{case.pk}/transitions/", {"transition": "accept"}, format="json"
    )
    assert api("coordinator").get("/api/v1/triage/").json()["count"] == 0
