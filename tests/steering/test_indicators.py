"""Each indicator against the value computed by hand from the scenario
(tests/steering/scenario.py)."""

from __future__ import annotations

from collections import Counter

from steering.selectors import RegionDashboard, percentile
from tests.steering.conftest import labels


def test_referrals_this_quarter_previous_quarter_and_a_year_earlier(
    figures: RegionDashboard,
) -> None:
    assert labels(figures, "referrals", "referrals.total") == ["23", "10", "12"]
    referrals = figures.indicator("referrals").figure("referrals.total")
    assert (referrals.change_previous.value, referrals.change_year.value) == (13, 11)


def test_share_of_referrals_from_partners_other_than_veilig_thuis(figures: RegionDashboard) -> None:
    assert labels(figures, "referrals", "referrals.veilig_thuis") == ["7", "10", "6"]
    assert labels(figures, "referrals", "referrals.other") == ["16", "0", "6"]
    assert labels(figures, "referrals", "referrals.share_other") == ["69.6", "0.0", "50.0"]


def test_two_repeats_are_shown_as_under_five_and_the_rest_cannot_reveal_them(
    figures: RegionDashboard,
) -> None:
    assert labels(figures, "referrals", "referrals.repeat") == ["< 5", "0", "0"]
    assert labels(figures, "referrals", "referrals.share_repeat") == ["×", "0.0", "0.0"]


def test_children_involved_and_rates_per_10000(figures: RegionDashboard) -> None:
    assert labels(figures, "referrals", "children.children") == ["29", "10", "12"]
    # 23 referrals per 20,000 households; 29 children per 7,000 young people
    assert labels(figures, "referrals", "referrals.per_10000_households")[0] == "11.5"
    assert labels(figures, "referrals", "children.per_10000_young_people")[0] == "41.4"


def test_triage_decisions_per_outcome_with_the_small_one_and_its_partner_hidden(
    figures: RegionDashboard,
) -> None:
    assert labels(figures, "triage", "triage.total")[0] == "14"
    assert labels(figures, "triage", "triage.accept")[0] == "7"
    assert labels(figures, "triage", "triage.decline")[0] == "< 5"
    assert labels(figures, "triage", "triage.advise")[0] == "×"
    assert labels(figures, "triage", "triage.acute_route")[0] == "0"


def test_working_days_to_a_triage_decision_median_p90_and_norm(figures: RegionDashboard) -> None:
    assert labels(figures, "triage", "triage.median")[0] == "5"
    assert labels(figures, "triage", "triage.p90")[0] == "9"
    assert labels(figures, "triage", "triage.within_norm")[0] == "57.1"  # 8 of 14
    assert "5 working days" in figures.indicator("triage").note


def test_working_days_from_acceptance_to_first_meeting(figures: RegionDashboard) -> None:
    assert labels(figures, "first_meeting", "first_meeting.count")[0] == "10"
    assert labels(figures, "first_meeting", "first_meeting.median")[0] == "10"
    assert labels(figures, "first_meeting", "first_meeting.p90")[0] == "18"
    assert labels(figures, "first_meeting", "first_meeting.within_norm")[0] == "50.0"


def test_working_days_to_a_plan_over_three_cases_are_not_shown(figures: RegionDashboard) -> None:
    assert labels(figures, "plan", "plan.count")[0] == "< 5"
    assert labels(figures, "plan", "plan.median")[0] == "< 5"


def test_open_cases_per_status_at_the_end_of_the_period(figures: RegionDashboard) -> None:
    assert labels(figures, "status_at_end", "status.execution") == ["8", "< 5", "0"]
    assert labels(figures, "status_at_end", "status.plan") == ["5", "0", "0"]
    assert labels(figures, "status_at_end", "status.total") == ["13", "< 5", "0"]
    assert labels(figures, "status_at_end", "status.referred")[0] == "0"


def test_open_cases_per_safety_phase_at_the_end_of_the_period(figures: RegionDashboard) -> None:
    assert labels(figures, "safety_phase_at_end", "safety_phase.1")[0] == "5"
    assert labels(figures, "safety_phase_at_end", "safety_phase.2")[0] == "8"
    assert labels(figures, "safety_phase_at_end", "safety_phase.total")[0] == "13"


def test_agreements_due_and_the_share_done_on_time(figures: RegionDashboard) -> None:
    # 12 due in March, plus one moved from January to February and done on time there.
    assert labels(figures, "agreements", "agreement.total")[0] == "13"
    assert labels(figures, "agreements", "agreement.on_time")[0] == "7"
    assert labels(figures, "agreements", "agreement.late")[0] == "< 5"
    assert labels(figures, "agreements", "agreement.share_on_time")[0] == "53.8"


def test_escalations_per_rung_and_the_share_acknowledged(figures: RegionDashboard) -> None:
    assert labels(figures, "escalations", "escalations.sent")[0] == "18"
    assert labels(figures, "escalations", "escalations.sent:0")[0] == "10"
    assert labels(figures, "escalations", "escalations.sent:2")[0] == "< 5"
    assert labels(figures, "escalations", "escalations.sent:1")[0] == "×"
    assert labels(figures, "escalations", "escalations.ack")[0] == "13"
    assert labels(figures, "escalations", "escalations.share_acknowledged")[0] == "72.2"


def test_follow_up_reopenings(figures: RegionDashboard) -> None:
    assert labels(figures, "reopenings", "reopening.total") == ["< 5", "0", "0"]


def test_cases_per_meeting_and_minutes_per_case(figures: RegionDashboard) -> None:
    assert labels(figures, "meetings", "meetings.meeting_held")[0] == "5"
    assert labels(figures, "meetings", "meetings.case_discussed")[0] == "20"
    assert labels(figures, "meetings", "meetings.cases_per_meeting")[0] == "4.0"
    assert labels(figures, "meetings", "meetings.minutes_per_case")[0] == "16.0"


def test_percentiles_use_the_nearest_rank() -> None:
    days = Counter([1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 8, 9, 9])
    assert (percentile(days, 0.5), percentile(days, 0.9)) == (5, 9)
    assert percentile(Counter(), 0.5) is None
