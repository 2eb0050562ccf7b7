"""Every destructive or far-reaching action asks first, on the server: a POST without the
confirmation changes nothing and says so (whatever JavaScript does), the confirmation page says
what will happen and to whom, and only the confirmed POST acts (keeping the reason where the
domain needs it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from casework.models import CaseStatus, IdentityReveal, Participation
from mda import crypto
from scheduling.models import MeetingStatus
from tests.casework.conftest import refer
from tests.scheduling.meetings_support import send_all
from tests.workbench.support import Bench

pytestmark = pytest.mark.django_db
NOT_CONFIRMED = "Nothing was done: this needs your confirmation"
REASON = "The chair is ill and no replacement can be found."


@dataclass
class Action:
    """One destructive action: where it is, what it needs, how to tell it happened."""

    url: Callable[[Bench], str]
    data: dict[str, str]
    done: Callable[[Bench], bool]
    shows: tuple[str, ...]  # on the confirmation page: what happens, who is told


def _participation(bench: Bench) -> Participation:
    return Participation.objects.get(
        case=bench.world.cases["A"], organisation=bench.cast.orgs["ggz"], revoked_at__isnull=True
    )


def _revoke_url(bench: Bench) -> str:
    return f"/cases/{bench.world.cases['A'].pk}/participants/{_participation(bench).pk}/revoke/"


def _revoked(bench: Bench) -> bool:
    return not Participation.objects.filter(
        case=bench.world.cases["A"], organisation=bench.cast.orgs["ggz"], revoked_at__isnull=True
    ).exists()


def _reveal_url(bench: Bench) -> str:
    case = bench.world.cases.setdefault("R", refer(bench.cast))
    return f"/cases/{case.pk}/members/{case.members.get(label='moeder').pk}/reveal/"


ACTIONS: dict[str, Action] = {
    "cancel a meeting": Action(
        url=lambda b: f"/meetings/{b.world.meeting.pk}/cancel/",
        data={"reason": REASON},
        done=lambda b: (
            b.world.meeting.__class__.objects.get(pk=b.world.meeting.pk).status
            == MeetingStatus.CANCELLED
        ),
        shows=("Who is told", "GGZ Noord", "Politie Noord", "Veilig Thuis Noord"),
    ),
    "revoke a participation": Action(
        url=_revoke_url,
        data={"reason": "The care episode has ended."},
        done=_revoked,
        shows=("GGZ Noord", "no longer sees case MDA-2026-0101"),
    ),
    "close a case": Action(
        url=lambda b: f"/cases/{b.world.cases['B'].pk}/transition/",
        data={"transition": "close_early", "reason": "The family moved abroad."},
        done=lambda b: (
            b.world.cases["B"].__class__.objects.get(pk=b.world.cases["B"].pk).status
            == CaseStatus.CLOSED
        ),
        shows=("Close case MDA-2026-0102?", "retention period"),
    ),
    "reveal an identity": Action(
        url=_reveal_url,
        data={"reason": "Needed to verify the address for safety."},
        done=lambda b: IdentityReveal.objects.exists(),
        shows=("access log", "privacy officer"),
    ),
    "take a case off the agenda": Action(
        url=lambda b: f"/meetings/{b.world.meeting.pk}/items/{b.world.item('C').pk}/remove/",
        data={},
        done=lambda b: not b.world.meeting.items.current().filter(case=b.world.cases["C"]).exists(),
        shows=("MDA-2026-0103", "Veilig Thuis Noord"),
    ),
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_a_destructive_action_needs_its_confirmation(name: str, bench: Bench, web: Any) -> None:
    action = ACTIONS[name]
    coordinator = web("coordinator")
    url = action.url(bench)

    forged = coordinator.post(url, action.data)  # a POST that skipped the confirmation step
    assert not action.done(bench), "acted without confirmation"
    assert forged.status_code in (200, 400)
    html = forged.content.decode()
    assert NOT_CONFIRMED in html or "Nothing has changed yet" in html

    page = coordinator.get(url) if name != "close a case" else forged
    for words in action.shows:
        assert words in page.content.decode(), words

    confirmed = coordinator.post(url, {**action.data, "confirm": "True"})
    assert confirmed.status_code in (200, 302), confirmed.content.decode()[:500]
    assert action.done(bench)


def test_a_cancellation_keeps_its_reason_and_sends_it_to_the_invited(
    bench: Bench, web: Any
) -> None:
    send_all()  # the invitations of the published agenda
    url = f"/meetings/{bench.world.meeting.pk}/cancel/"
    too_short = web("coordinator").post(url, {"reason": "ill", "confirm": "True"})
    assert too_short.status_code == 400 and "error-summary" in too_short.content.decode()
    web("coordinator").post(url, {"reason": REASON, "confirm": "True"})
    meeting = bench.world.meeting.__class__.objects.get(pk=bench.world.meeting.pk)
    assert meeting.cancel_reason == REASON
    cancellations = send_all()
    assert cancellations and all(REASON in m.body for m in cancellations)


def test_a_revocation_keeps_its_reason_encrypted(bench: Bench, web: Any, api: Any) -> None:
    participation = _participation(bench)
    web("coordinator").post(
        _revoke_url(bench), {"reason": "The care episode has ended.", "confirm": "True"}
    )
    participation.refresh_from_db()
    assert b"care episode" not in bytes(participation.revoke_reason_ct or b"")
    case = bench.world.cases["A"]
    text = crypto.unseal(participation, "revoke_reason_ct", case.data_key)
    assert text == "The care episode has ended."
    # The API asks for the reason too.
    other = Participation.objects.get(case=case, organisation=bench.cast.orgs["police"])
    response = api("coordinator").post(
        f"/api/v1/cases/{case.pk}/participants/{other.pk}/revoke/", {}, format="json"
    )
    assert response.status_code == 400
