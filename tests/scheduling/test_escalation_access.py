"""The authorization table for escalations: every persona (and the two extra ladder people)
against every escalation endpoint and page.

The local team's agreement has climbed the whole ladder (rungs 0-4), and a coordinator escalated
the case by hand to Veilig Thuis (rung 2) with a reason. Who sees a notice: coordinators; whoever
sees the agreement (level 2, the owner organisation); level-2 partners for the manual one; and the
recipients, who get reference, rung, due date and a link, never the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import time_machine
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.access import access_case
from mda.models import Notification
from scheduling import services as ladder
from scheduling.access import access_escalation_notice, escalation_notices_visible_to
from scheduling.models import EscalationNotice, EscalationRecipient, NoticeStatus, Rung
from scheduling.selectors.escalation import escalation_history, notices_visible
from tests.casework.conftest import Scenario
from tests.conftest import Cast, Logins, Persona
from tests.scheduling.conftest import LadderPeople, at, make_agreement, run_ladder
from tests.support.layers import layer

MANUAL_REASON = "REASON-MARKER the school refuses to share"
# persona: (sees the automatic notices, sees the manual one, reads its reason, recipient of,
#           level on the case or None, coordinator?)
TABLE: dict[str, tuple[bool, bool, bool, set[str], int | None, bool]] = {
    "coordinator": (True, True, True, {"3"}, 2, True),
    "chair": (False, False, False, set(), 1, False),
    "police": (True, True, True, set(), 2, False),
    "social": (True, True, True, {"0-2", "0+0"}, 2, False),
    "escalation": (True, True, True, {"1"}, 2, False),
    "care": (False, False, False, set(), 1, False),
    "veilig_thuis": (False, False, False, set(), 0, False),
    "vt_lead": (False, True, False, {"2", "manual"}, 0, False),
    "mayor": (False, False, False, {"4"}, None, False),
    "privacy": (False, False, False, set(), None, False),
    "admin": (False, False, False, set(), None, False),
    "policy": (False, False, False, set(), None, False),
    "outsider": (False, False, False, set(), None, False),
    "outsider_police": (False, False, False, set(), None, False),
}
PERSONAS = list(TABLE)


@dataclass
class Ladder:
    notices: dict[str, EscalationNotice]  # "0-2", "0+0", "1".."4", "manual"


def _key(notice: EscalationNotice) -> str:
    if notice.manual:
        return "manual"
    if notice.rung_number == 0:
        return f"0{notice.rung.offset_working_days:+d}"
    return str(notice.rung_number)


@layer
def climbed_ladder(cast: Cast, scenario: Scenario, ladder_people: LadderPeople) -> Ladder:
    """Built once for the tests that follow, so it moves the clock itself."""
    with time_machine.travel(at(2026, 6, 1), tick=False):
        make_agreement(cast, scenario.case, date(2026, 6, 12))
    with time_machine.travel(at(2026, 7, 10), tick=False):
        run_ladder()
        coordinator = cast.coordinator.user
        manual = ladder.escalation_raise(
            actor=coordinator,
            case=access_case(coordinator, scenario.case.pk),
            rung=Rung.objects.get(ladder__region=cast.north, number=2),
            reason=MANUAL_REASON,
        )
        ladder.escalation_deliver(notice_id=manual.pk)
    notices = {_key(n): n for n in EscalationNotice.objects.select_related("rung")}
    assert len(notices) == 7
    return Ladder(notices=notices)


@pytest.fixture
def climbed(climbed_ladder: Ladder, travel: Any) -> Ladder:
    travel(at(2026, 7, 10))
    return climbed_ladder


@layer
def people(cast: Cast, ladder_people: LadderPeople) -> dict[str, Persona]:
    extra = {}
    for name, user in (("vt_lead", ladder_people.vt_lead), ("mayor", ladder_people.mayor)):
        membership = user.memberships.get()
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        extra[name] = Persona(
            user=user, organisation=membership.organisation, role=membership.role, device=device
        )
    return {**cast.personas, **extra}


@layer
def people_logins(people: dict[str, Persona]) -> Logins:
    return Logins.made_once(people)


@pytest.fixture
def as_api(people_logins: Logins) -> Any:
    return people_logins.api


@pytest.fixture
def as_web(people_logins: Logins) -> Any:
    return people_logins.web


def _sees(persona: str, key: str) -> bool:
    automatic, manual, _reason, recipient_of, _level, _coord = TABLE[persona]
    return key in recipient_of or (manual if key == "manual" else automatic)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_notice_answers_by_the_table_and_recipients_get_no_content(
    persona: str, climbed: Ladder, as_api: Any, as_web: Any
) -> None:
    api, web = as_api(persona), as_web(persona)
    reads_reason = TABLE[persona][2]
    for key, notice in climbed.notices.items():
        response = api.get(f"/api/v1/escalations/{notice.pk}/")
        page = web.get(f"/escalations/{notice.pk}/")
        expected = 200 if _sees(persona, key) else 404
        assert (response.status_code, page.status_code) == (expected, expected), key
        if expected == 404:
            continue
        body, html = response.json(), page.content.decode()
        assert body["case_reference"] == notice.case.reference
        assert body["rung"] == notice.rung_number
        assert ("reason" in body) == reads_reason
        assert (MANUAL_REASON in html) == (reads_reason and key == "manual")
        assert "AGREEMENT-MARKER" not in html + str(body)
        if not notice.manual:
            assert ("agreement" in body) == TABLE[persona][0]


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_notice_is_decided_as_the_list_decides_it(
    persona: str, climbed: Ladder, people: dict[str, Persona]
) -> None:
    """``access_escalation_notice`` decides for one notice what ``escalation_notices_visible_to``
    filters and annotates on every row, for each notice of the climbed ladder."""
    user = people[persona].user
    listed = {
        n.pk: (True, n.as_recipient, n.agreement_visible, n.reason_visible)
        for n in escalation_notices_visible_to(user)
    }
    for key, notice in climbed.notices.items():
        try:
            one = access_escalation_notice(user, notice.pk)
        except Http404:
            decided = (False, False, False, False)
        else:
            decided = (True, one.as_recipient, one.agreement_visible, one.reason_visible)
        assert decided == listed.get(notice.pk, (False, False, False, False)), key
        assert decided[0] == _sees(persona, key), key
        if decided[0]:
            assert decided[1] == (key in TABLE[persona][3]), key
            assert decided[3] == TABLE[persona][2], key


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_case_history_is_decided_as_the_list_decides_it(
    persona: str, climbed: Ladder, scenario: Scenario, people: dict[str, Persona]
) -> None:
    """The case page's history (``escalation_notices_of_case_visible_to``) holds the notices of
    the case that ``escalation_notices_visible_to`` lists, in the same order, annotated alike,
    with the persona's own acknowledgement (one of the notices it received is acknowledged)."""
    user = people[persona].user
    received = EscalationRecipient.objects.filter(
        user=user, notice__case=scenario.case, notification__isnull=False
    )
    Notification.objects.filter(
        pk__in=received.values("notification")[:1], acknowledged_at__isnull=True
    ).update(acknowledged_at=at(2026, 7, 10, 11))

    def flags(notices: Any) -> list[tuple[Any, ...]]:
        fields = ("as_recipient", "agreement_visible", "reason_visible", "my_acknowledged_at")
        return [(n.pk, n.my_notification, *(getattr(n, f) for f in fields)) for n in notices]

    history = escalation_history(actor=user, case=scenario.case)
    listed = (
        notices_visible(actor=user)
        .filter(case=scenario.case)
        .exclude(status=NoticeStatus.CANCELLED)
        .order_by("-due_at", "-rung_number")
    )
    assert flags(history) == flags(listed)
    seen = {k for k, n in climbed.notices.items() if _sees(persona, k)}
    assert {n.pk for n in history} == {climbed.notices[k].pk for k in seen}
    acknowledged = [n for n in history if n.my_acknowledged_at is not None]
    assert len(acknowledged) == (1 if TABLE[persona][3] else 0)


def _one_and_the_list(user: Any, notice: EscalationNotice) -> tuple[bool, ...]:
    listed = escalation_notices_visible_to(user).filter(pk=notice.pk).first()
    try:
        one = access_escalation_notice(user, notice.pk)
    except Http404:
        assert listed is None
        return (False,)
    assert listed is not None
    flags = (True, one.as_recipient, one.agreement_visible, one.reason_visible)
    assert flags == (True, listed.as_recipient, listed.agreement_visible, listed.reason_visible)
    return flags


def test_an_owner_at_level_one_sees_the_notice_of_its_agreement_as_the_list_shows_it(
    cast: Cast, scenario: Scenario, people: dict[str, Persona], climbed: Ladder
) -> None:
    """The care team takes part at level 1 and owns this agreement: it sees the agreement and
    so its notice, without the reason; the chair (level 1 too, no owner) sees neither."""
    agreement = make_agreement(cast, scenario.case, date(2026, 7, 20), org="ggz", owner="care")
    rung = climbed.notices["1"].rung
    notice = EscalationNotice.objects.create(
        case=scenario.case,
        agreement=agreement,
        rung=rung,
        rung_number=rung.number,
        rung_name=rung.name,
        due_at=at(2026, 7, 21),
    )
    assert _one_and_the_list(people["care"].user, notice) == (True, False, True, False)
    assert _one_and_the_list(people["chair"].user, notice) == (False,)
    assert _one_and_the_list(people["police"].user, notice) == (True, False, True, True)


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_hold_only_what_the_persona_sees(
    persona: str, climbed: Ladder, as_api: Any, as_web: Any
) -> None:
    visible = {str(n.pk) for k, n in climbed.notices.items() if _sees(persona, k)}
    rows = as_api(persona).get("/api/v1/escalations/?page_size=100").json()["results"]
    assert {r["id"] for r in rows} == visible
    mine = as_api(persona).get("/api/v1/escalations/?mine=1").json()["results"]
    assert {r["id"] for r in mine} == {str(climbed.notices[k].pk) for k in TABLE[persona][3]}
    page = as_web(persona).get("/escalations/?all=1")
    assert page.status_code == 200
    for key in TABLE[persona][3]:
        assert str(climbed.notices[key].pk) in page.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_recipients_acknowledge(
    persona: str, climbed: Ladder, as_api: Any, as_web: Any
) -> None:
    for key in ("manual", "4"):
        notice = climbed.notices[key]
        response = as_api(persona).post(f"/api/v1/escalations/{notice.pk}/acknowledge/")
        if key in TABLE[persona][3]:
            assert response.status_code == 200
            assert response.json()["acknowledged_at"]
        else:
            assert response.status_code == (403 if _sees(persona, key) else 404)
    notice = climbed.notices["2"]
    page = as_web(persona).post(f"/escalations/{notice.pk}/acknowledge/")
    if "2" in TABLE[persona][3]:
        assert page.status_code == 302
    else:
        assert page.status_code == (403 if _sees(persona, "2") else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_case_history_and_manual_escalation_answer_by_case_access(
    persona: str, climbed: Ladder, scenario: Scenario, cast: Cast, as_api: Any, as_web: Any
) -> None:
    _a, _m, _r, _rec, level, coordinator = TABLE[persona]
    url = f"/api/v1/cases/{scenario.case.pk}/escalations/"
    history = as_api(persona).get(url)
    expected = 404 if level is None else (403 if level < 1 else 200)
    assert history.status_code == expected
    if expected == 200:
        seen = {
            k
            for k in climbed.notices
            if _sees(persona, k) and (TABLE[persona][0] or TABLE[persona][1])
        }
        assert {r["id"] for r in history.json()} == {str(climbed.notices[k].pk) for k in seen}
        case_page = as_web(persona).get(f"/cases/{scenario.case.pk}/").content.decode()
        for key, notice in climbed.notices.items():
            assert (f"/escalations/{notice.pk}/" in case_page) == (key in seen), key
    rung = Rung.objects.get(ladder__region=cast.north, number=3)
    raised = as_api(persona).post(
        url, {"rung": rung.pk, "reason": "Cooperation stalls badly."}, format="json"
    )
    may = 404 if level is None else (201 if coordinator else 403)
    assert raised.status_code == may, raised.content
    page = as_web(persona).get(f"/cases/{scenario.case.pk}/escalate/")
    assert page.status_code == (200 if may == 201 else may)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_region_overview_is_for_the_regions_coordinators(
    persona: str, climbed: Ladder, as_web: Any
) -> None:
    coordinator = TABLE[persona][5]
    page = as_web(persona).get("/regions/noord/agreements/")
    assert page.status_code == (200 if coordinator else 404)
    index = as_web(persona).get("/overview/agreements/")
    expected = 302 if coordinator or persona == "outsider" else 403
    assert index.status_code == expected
    if coordinator:
        assert "MDA-2026-0042" in page.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_sees_the_ladder_of_their_own_regions_only(
    persona: str, climbed: Ladder, as_api: Any, as_web: Any
) -> None:
    regions = {r["region"] for r in as_api(persona).get("/api/v1/ladders/").json()}
    expected = {"zuid"} if persona.startswith("outsider") else {"noord"}
    assert regions == expected
    assert as_web(persona).get("/ladders/").status_code == 200


def test_a_coordinator_escalates_from_the_web_form(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, web: Any
) -> None:
    rung = ladder.ladder_of(cast.north).rungs.get(number=4)
    response = web("coordinator").post(
        f"/cases/{scenario.case.pk}/escalate/",
        {
            "rung": rung.pk,
            "reason": "The school refuses every meeting.",
        },
    )
    assert response.status_code == 302
    notice = EscalationNotice.objects.get(manual=True)
    assert (notice.rung_number, notice.status) == (4, "pending")
    too_short = web("coordinator").post(
        f"/cases/{scenario.case.pk}/escalate/", {"rung": rung.pk, "reason": "stuck"}
    )
    assert too_short.status_code == 400


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_functional_admins_edit_the_ladder_and_only_of_their_region(
    persona: str, cast: Cast, as_web: Any
) -> None:
    north = ladder.ladder_of(cast.north)
    south = ladder.ladder_of(cast.south)
    client = as_web(persona)
    own = client.get(f"/admin/scheduling/ladder/{north.pk}/change/")
    other = client.get(f"/admin/scheduling/ladder/{south.pk}/change/")
    if persona == "admin":
        assert own.status_code == 200
        assert "Team lead of the owner organisation" in own.content.decode()
        assert other.status_code == 302  # not in the admin's queryset: back to the list
    else:
        assert own.status_code in (302, 403)
        assert other.status_code in (302, 403)


def test_a_rung_says_what_is_missing_in_who_it_tells(cast: Cast) -> None:
    from django.core.exceptions import ValidationError as Invalid

    rung = Rung(
        ladder=ladder.ladder_of(cast.north),
        number=5,
        name="Extra",
        offset_working_days=20,
        organisation_scope="kind",
        roles=["nobody"],
    )
    with pytest.raises(Invalid) as error:
        rung.full_clean()
    assert {"roles", "organisation_kind"} <= set(error.value.message_dict)
