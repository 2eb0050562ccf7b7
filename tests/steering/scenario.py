"""A region's year with known numbers, written as facts, and the figures computed by hand.

Period under test: Q1 2026 (January to March), compared with Q4 2025 and Q1 2025. Region north
has 20,000 households and 7,000 young people; the triage norm is 5 working days, the first-meeting
norm 10.

| what (Q1 2026)            | facts                                                              |
| referrals                 | Jan 6 Veilig Thuis (2 children each), 4 police (2 of them repeats); |
|                           | Feb 5 local team, 1 Veilig Thuis; Mar 7 police (1 child each)      |
|                           | -> 23, 7 VT, 16 other (69.6%), 2 repeats, 29 children               |
| triage decisions (days)   | accept 3 5 7 8 9 6 8, advise 1 2 3 4 5, decline 2 9 -> 14           |
|                           | sorted 1 2 2 3 3 4 5 5 6 7 8 8 9 9: median 5, p90 9, 8 within 5 d   |
| first meeting (days)      | 2 4 6 8 10 12 14 16 18 20: median 10, p90 18, 5 of 10 within norm   |
| plan (days)               | 3 facts: "< 5"                                                      |
| agreements due            | on time 6, late 2, not done 1, open 3 -> 12, 50.0% on time;         |
|                           | one more moved from January to February and done on time there      |
| escalations (February)    | rung 0: 10 sent 8 ack; rung 1: 6 sent 5 ack; rung 2: 2 sent 0 ack   |
|                           | -> 18 sent, 13 acknowledged (72.2%)                                 |
| status at 31 March        | 8 execution, 5 plan -> 13 open (4 declined in Feb, 2 closed in Feb) |
| safety phase at 31 March  | 5 in phase 1, 8 in phase 2                                          |
| meetings                  | 5 held (Jan 2, Feb 2, Mar 1), 20 cases discussed, 16 x 15 + 4 x 20  |
|                           | minutes -> 4.0 cases per meeting, 16.0 minutes per case             |
| follow-up re-openings     | 1 (a repeat referral)                                               |
| Q4 2025                   | 10 referrals from Veilig Thuis in October; 2 cases in execution     |
| Q1 2025                   | 12 referrals: 6 Veilig Thuis in January, 6 police in February       |
"""

from __future__ import annotations

import uuid
from datetime import date

from casework.models import RegionPolicy
from mda.facts import fact_record
from mda.models import FactKind, Organisation, Region
from steering.models import RegionNorms


def spell(region: Region, steps: list[tuple[date, str]], kind: str = FactKind.STATUS) -> uuid.UUID:
    subject = uuid.uuid4()
    for on, category in steps:
        fact_record(kind, region=region, subject=subject, on=on, category=category)
    return subject


def referrals(
    region: Region, org: Organisation, on: date, n: int, *, children: int = 1, repeats: int = 0
) -> None:
    for i in range(n):
        category = "repeat" if i < repeats else "new"
        fact_record(
            FactKind.REFERRAL,
            region=region,
            organisation=org,
            on=on,
            category=category,
            amount=children,
        )


def build(region: Region, orgs: dict[str, Organisation]) -> None:
    region.households = 20000
    region.save()
    RegionPolicy.objects.update_or_create(region=region, defaults={"triage_working_days": 5})
    RegionNorms.objects.update_or_create(
        region=region, defaults={"young_people": 7000, "first_meeting_working_days": 10}
    )
    vt, police, local = orgs["veilig_thuis"], orgs["police"], orgs["local_team"]
    jan, feb, mar = date(2026, 1, 14), date(2026, 2, 11), date(2026, 3, 18)
    referrals(region, vt, jan, 6, children=2)
    referrals(region, police, jan, 4, repeats=2)
    referrals(region, local, feb, 5)
    referrals(region, vt, feb, 1)
    referrals(region, police, mar, 7)
    referrals(region, vt, date(2025, 10, 8), 10)
    referrals(region, vt, date(2025, 1, 8), 6)
    referrals(region, police, date(2025, 2, 8), 6)

    for outcome, days in [
        ("accept", [3, 5, 7, 8, 9, 6, 8]),
        ("advise", [1, 2, 3, 4, 5]),
        ("decline", [2, 9]),
    ]:
        for d in days:
            fact_record(FactKind.TRIAGE, region=region, on=feb, category=outcome, working_days=d)
    for d in [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]:
        fact_record(FactKind.FIRST_MEETING, region=region, on=mar, working_days=d)
    for d in [10, 15, 30]:
        fact_record(FactKind.PLAN, region=region, on=mar, working_days=d)

    for state, n in [("on_time", 6), ("late", 2), ("not_done", 1), ("open", 3)]:
        for _i in range(n):
            fact_record(
                FactKind.AGREEMENT, region=region, on=mar, category=state, organisation=local
            )
    fact_record(FactKind.AGREEMENT, region=region, on=jan, category="open")
    fact_record(FactKind.AGREEMENT, region=region, on=feb, category="open", replaces=(jan, "open"))
    fact_record(
        FactKind.AGREEMENT, region=region, on=feb, category="on_time", replaces=(feb, "open")
    )

    for rung, sent, acknowledged in [("0", 10, 8), ("1", 6, 5), ("2", 2, 0)]:
        for i in range(sent):
            fact_record(FactKind.ESCALATION, region=region, on=feb, category=rung)
            if i < acknowledged:
                fact_record(FactKind.ESCALATION_ACKNOWLEDGED, region=region, on=feb, category=rung)

    for _i in range(8):
        spell(region, [(jan, "referred"), (jan, "intake"), (feb, "plan"), (mar, "execution")])
        # the phase spells of the same cases are separate subjects here: only counts matter
    for _i in range(5):
        spell(region, [(jan, "referred"), (jan, "intake"), (mar, "plan")])
    for _i in range(4):
        spell(region, [(feb, "referred"), (feb, "declined")])
    for _i in range(2):
        subject = spell(region, [(date(2025, 10, 1), "execution")])
        fact_record(
            FactKind.SAFETY_PHASE,
            region=region,
            subject=subject,
            on=date(2025, 10, 1),
            category="1",
        )
        fact_record(FactKind.STATUS, region=region, subject=subject, on=feb, category="closed")
    for _i in range(5):
        spell(region, [(jan, "1")], kind=FactKind.SAFETY_PHASE)
    for _i in range(8):
        spell(region, [(jan, "1"), (mar, "2")], kind=FactKind.SAFETY_PHASE)

    for on, cases in [(jan, 4), (jan, 4), (feb, 4), (feb, 4), (mar, 4)]:
        fact_record(FactKind.MEETING_HELD, region=region, on=on, amount=cases)
    discussed = [15] * 16 + [20] * 4
    for i, minutes in enumerate(discussed):
        on = [jan, jan, feb, feb, mar][i // 4]
        fact_record(FactKind.CASE_DISCUSSED, region=region, on=on, amount=minutes)
    fact_record(FactKind.REOPENING, region=region, on=mar, category="repeat")
