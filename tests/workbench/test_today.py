"""The start page ("Vandaag") per role: every list and count comes from the access rules, so a
persona never sees or counts a case it may not know (the world of tests/workbench/support.py)."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.access import access_case
from mda.models import User
from scheduling.models import Meeting, MeetingStatus
from tests.casework.conftest import refer
from tests.conftest import logins_made_once
from tests.workbench.support import LEVELS, PERSONAS, Bench
from workbench.selectors.today import today_for

logins = logins_made_once()  # one token and one session per persona for the whole module
REFERENCE = re.compile(r"MDA-2026-\d{4}")


def _refs(rows: list[Any], attr: str = "case") -> set[str]:
    return {getattr(row, attr).reference for row in rows}


def test_each_start_page_names_only_cases_the_persona_may_see(bench: Bench, web: Any) -> None:
    wrong = []
    for persona in PERSONAS:
        html = web(persona).get("/").content.decode()
        allowed = {bench.ref(k) for k in LEVELS[persona]} | (
            {bench.ref("S")} if persona == "outsider" else set()
        )
        shown = set(REFERENCE.findall(html))
        if not shown <= allowed:
            wrong.append((persona, sorted(shown - allowed)))
    assert wrong == []


def test_a_coordinator_sees_what_needs_them_today(bench: Bench) -> None:
    referral = refer(bench.cast)  # waiting for triage
    today = today_for(actor=bench.cast.coordinator.user)
    assert today.triage is not None and _refs(today.triage.rows) == {referral.reference}
    assert today.agreements_attention is not None
    assert _refs(today.agreements_attention.rows) == {bench.ref("A")}  # overdue
    assert today.meetings and today.meetings[0].slots == 3
    assert today.meetings[0].meeting.is_published
    assert today.my_agreements is None  # not a partner


def test_the_meetings_ahead_cost_the_same_queries_for_one_meeting_or_two(bench: Bench) -> None:
    coordinator = bench.cast.coordinator.user
    world = bench.world
    world.add("A", meeting=world.next_meeting, slot_minutes=20)

    with CaptureQueriesContext(connection) as two_ahead:
        two = today_for(actor=coordinator)
    Meeting.objects.filter(pk=world.next_meeting.pk).update(status=MeetingStatus.CANCELLED)
    with CaptureQueriesContext(connection) as one_ahead:
        one = today_for(actor=coordinator)

    assert [(m.meeting.pk, m.slots, m.planned_minutes) for m in two.meetings or []] == [
        (world.meeting.pk, 3, 45),
        (world.next_meeting.pk, 1, 20),
    ]
    assert [m.meeting.pk for m in one.meetings or []] == [world.meeting.pk]
    assert len(two_ahead) == len(one_ahead)


def test_a_coordinator_of_another_region_counts_nothing_of_north(bench: Bench) -> None:
    refer(bench.cast)
    today = today_for(actor=bench.cast.outsider.user)
    assert today.triage is not None and today.triage.count == 0
    assert today.agreements_attention is not None and today.agreements_attention.count == 0
    assert today.meetings == []
    assert today.expiring is not None and today.expiring.count == 0


def test_partners_see_their_agreements_slots_and_new_notes(bench: Bench) -> None:
    cast = bench.cast
    police = cast.police.user
    case_a = bench.world.cases["A"]
    services.note_add(
        actor=police,
        case=access_case(police, case_a.pk),
        body="NOTE-MARKER seen by level 2 partners",
        visibility="participants",
    )
    social = today_for(actor=cast.social.user)
    assert social.my_agreements is not None and social.my_agreements.count == 1
    assert social.my_overdue == 1
    assert social.my_slots is not None and _refs(social.my_slots.rows) == {
        bench.ref("A"),
        bench.ref("B"),
    }
    assert social.new_notes is not None and _refs(social.new_notes.rows) == {bench.ref("A")}
    care = today_for(actor=cast.care.user)  # level 1 on A: no notes, not the owner
    assert care.my_agreements is not None and care.my_agreements.count == 0
    assert care.new_notes is not None and care.new_notes.count == 0
    vt = today_for(actor=cast.veilig_thuis.user)  # level 0 on A: not invited to its slot
    assert vt.my_slots is not None and _refs(vt.my_slots.rows) == {bench.ref("C")}
    assert today_for(actor=police).new_notes.count == 0  # type: ignore[union-attr]  # own note


def test_privacy_officers_see_recent_reveals_without_reasons(bench: Bench, web: Any) -> None:
    cast = bench.cast
    case = refer(cast)
    coordinator = cast.coordinator.user
    member = case.members.get(label="moeder")
    services.identity_reveal(
        actor=coordinator,
        case=access_case(coordinator, case.pk),
        member=member,
        justification="REVEAL-REASON needed for the safety plan",
    )
    today = today_for(actor=cast.privacy.user)
    assert today.reveals is not None and _refs(today.reveals.rows) == {case.reference}
    html = web("privacy").get("/").content.decode()
    assert case.reference in html and "REVEAL-REASON" not in html
    assert today_for(actor=User.objects.get(username="outsider")).reveals is None
