"""The need-to-know table: every persona against the published agenda, in every channel (API, the
meeting page, "my meetings", the e-mail, the .ics attachment, the .ics download and the calendar
feed), and against every write endpoint of meetings.

Expected answers come from ``SEES`` in meetings_support: the references a persona may see, or
None when the meeting must not exist for it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from icalendar import Calendar

from scheduling.access import (
    access_agenda_item,
    access_meeting,
    agenda_items_visible_to,
    meetings_visible_to,
)
from scheduling.services import invitations
from tests.conftest import Cast, logins_made_once
from tests.scheduling import meetings_support
from tests.scheduling.meetings_support import (
    ALL,
    PERSONAS,
    REFERENCES,
    SEES,
    World,
    calendars_of,
    mails_to,
    references_in,
    send_all,
)

logins = logins_made_once()  # one token and one session per persona for the whole table

world = meetings_support.world
published = meetings_support.published


def _refs(text: str) -> set[str]:
    return {ref for ref in ALL if ref in text}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_agenda_holds_exactly_the_slots_the_persona_may_see(
    persona: str, published: World, api: Any
) -> None:
    client = api(persona)
    response = client.get(f"/api/v1/meetings/{published.meeting.pk}/")
    listed = client.get("/api/v1/meetings/").json()
    expected = SEES[persona]
    if expected is None:
        assert response.status_code == 404
        assert listed["results"] == []
        return
    assert response.status_code == 200
    body = response.json()
    assert {row["case_reference"] for row in body["items"]} == expected
    assert _refs(response.content.decode()) == expected  # nothing else anywhere in the answer
    assert str(published.meeting.pk) in {row["id"] for row in listed["results"]}
    whole = persona in {"coordinator", "chair"}
    assert (body["capacity"] is not None) == whole


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_meeting_page_shows_exactly_the_slots_the_persona_may_see(
    persona: str, published: World, web: Any
) -> None:
    client = web(persona)
    page = client.get(f"/meetings/{published.meeting.pk}/")
    mine = client.get("/meetings/mine/")
    expected = SEES[persona]
    if expected is None:
        assert page.status_code == 404
        assert _refs(mine.content.decode()) == set()
        return
    assert page.status_code == 200
    assert _refs(page.content.decode()) == expected
    partner = persona not in {"coordinator", "chair"}
    assert _refs(mine.content.decode()) == (expected if partner else set())


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_ics_download_holds_exactly_the_slots_the_persona_may_see(
    persona: str, published: World, web: Any
) -> None:
    response = web(persona).get(f"/meetings/{published.meeting.pk}/calendar.ics")
    expected = SEES[persona]
    if expected is None:
        assert response.status_code == 404
        return
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert references_in([calendar]) == expected
    assert _refs(response.content.decode()) == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_calendar_feed_holds_only_what_the_persona_may_see(
    persona: str, published: World, cast: Cast
) -> None:
    user = cast.personas[persona].user
    _feed, token = invitations.calendar_feed_issue(actor=user)
    from django.test import Client

    response = Client().get(f"/calendar/{token}.ics")  # no login: the secret address is the key
    assert response.status_code == 200
    text = response.content.decode()
    expected = SEES[persona]
    if persona in {"coordinator", "chair"}:
        assert _refs(text) == set()  # whole meetings, no references in a calendar app
        assert f"meeting-{published.meeting.pk}" in text
    else:
        assert _refs(text) == (expected or set())


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_invitation_e_mail_and_its_ics_hold_only_the_persona_s_own_slots(
    persona: str, published: World, cast: Cast
) -> None:
    sent = send_all()
    received = mails_to(cast.personas[persona].user.email, sent)
    expected = SEES[persona]
    if persona in {"police", "care", "social", "veilig_thuis"}:
        assert len(received) == 1  # one e-mail per organisation, to its professionals too
        message = received[0]
        assert _refs(f"{message.subject} {message.body}") == expected
        assert references_in(calendars_of(message)) == expected
        assert _refs(message.message().as_string()) == expected
    else:
        # Coordinators and chairs are not invited to slots; escalation officials, privacy
        # officers, admins and outsiders receive nothing.
        assert received == []


def test_an_organisation_e_mail_goes_to_its_functional_address(
    published: World, cast: Cast
) -> None:
    sent = send_all()
    police = mails_to(cast.orgs["police"].email, sent)
    assert len(police) == 1
    assert references_in(calendars_of(police[0])) == {REFERENCES["A"]}


def test_a_revoked_feed_address_answers_404(published: World, cast: Cast, client: Any) -> None:
    _feed, token = invitations.calendar_feed_issue(actor=cast.police.user)
    invitations.calendar_feed_revoke(actor=cast.police.user)

    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


# --- Writes --------------------------------------------------------------------------------------

# persona: answer when it asks to manage (build, publish, cancel) or to run (attendance) the meeting
MANAGE = {p: (200 if p == "coordinator" else 404 if SEES[p] is None else 403) for p in PERSONAS}
RUN = {p: (200 if p in {"coordinator", "chair"} else MANAGE[p]) for p in PERSONAS}


def _ok(status: int, expected: int) -> bool:
    return status in (200, 201) if expected == 200 else status == expected


def _one_and_the_list_agree(world: World, persona: str) -> list[tuple[bool, bool, bool]]:
    """For each meeting of *world*: whether ``access_meeting`` lets *persona* see it and with
    which flags, asserted equal to what ``meetings_visible_to`` annotates on its row."""
    user = world.cast.personas[persona].user
    seen = []
    for meeting in (world.meeting, world.next_meeting):
        listed = meetings_visible_to(user).filter(pk=meeting.pk).first()
        try:
            one = access_meeting(user, meeting.pk)
        except Http404:
            assert listed is None, (persona, meeting)
            seen.append((False, False, False))
            continue
        assert listed is not None, (persona, meeting)
        flags = (one.as_coordinator, one.as_chair)
        assert flags == (listed.as_coordinator, listed.as_chair), (persona, meeting)
        seen.append((True, *flags))
    return seen


def _one_item_and_the_list_agree(world: World, persona: str) -> dict[str, tuple[bool, bool]]:
    """For each item of *world*'s meeting (removed ones too): whether ``access_agenda_item``
    lets *persona* see it and as coordinator, asserted equal to ``agenda_items_visible_to``."""
    user = world.cast.personas[persona].user
    seen = {}
    for item in world.meeting.items.all():
        listed = agenda_items_visible_to(user).filter(pk=item.pk).first()
        try:
            one = access_agenda_item(user, world.meeting, item.pk)
        except Http404:
            assert listed is None, (persona, item)
            seen[item.case.reference] = (False, False)
            continue
        assert listed is not None, (persona, item)
        assert one.as_coordinator == listed.as_coordinator, (persona, item)
        seen[item.case.reference] = (True, one.as_coordinator)
    return seen


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_agenda_item_is_decided_as_the_list_decides_it(persona: str, world: World) -> None:
    """Draft, only the region's coordinators and chairs see the items; published, also the
    partners whose organisation takes part in the item's case at level 1 or more."""
    draft = _one_item_and_the_list_agree(world, persona)
    assert set(draft) >= ALL
    whole = persona in {"coordinator", "chair"}
    assert set(draft.values()) <= {(whole, persona == "coordinator")}
    world.publish()
    after = _one_item_and_the_list_agree(world, persona)
    assert {ref for ref, (sees, _c) in after.items() if sees} == (
        set(draft) if whole else SEES[persona] or set()
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_meeting_is_decided_as_the_list_decides_it_on_a_draft_agenda(
    persona: str, world: World
) -> None:
    """``access_meeting`` decides for one meeting what ``meetings_visible_to`` filters and
    annotates on every row: before publication, only the region's coordinators and chairs."""
    whole = persona in {"coordinator", "chair"}
    expected = (whole, persona == "coordinator", persona == "chair")
    assert _one_and_the_list_agree(world, persona) == [expected, expected]


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_meeting_is_decided_as_the_list_decides_it_on_a_published_agenda(
    persona: str, published: World
) -> None:
    """Published: also the partners with a slot on it (the next meeting has no agenda yet)."""
    whole = persona in {"coordinator", "chair"}
    roles = (persona == "coordinator", persona == "chair")
    expected_next = (whole, *roles)
    expected = (SEES[persona] is not None, *roles)
    assert _one_and_the_list_agree(published, persona) == [expected, expected_next]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_coordinators_build_the_agenda(persona: str, world: World, api: Any) -> None:
    client = api(persona)
    meeting = world.meeting
    item = world.item("A")
    answers = [
        client.get(f"/api/v1/meetings/{meeting.pk}/proposals/").status_code,
        client.patch(
            f"/api/v1/meetings/{meeting.pk}/items/{item.pk}/", {"slot_minutes": 20}, format="json"
        ).status_code,
        client.post(
            f"/api/v1/meetings/{meeting.pk}/order/",
            {"items": [str(world.item(k).pk) for k in "CBA"]},
            format="json",
        ).status_code,
        client.post(f"/api/v1/meetings/{meeting.pk}/publish/").status_code,
    ]
    expected = MANAGE[persona] if persona != "chair" else 403
    if SEES[persona] is not None and persona not in {"coordinator", "chair"}:
        expected = 404  # a draft agenda does not exist for partners
    assert all(_ok(status, expected) for status in answers), answers


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_coordinators_and_chairs_run_the_meeting(
    persona: str, published: World, api: Any, web: Any
) -> None:
    url = f"/api/v1/meetings/{published.meeting.pk}/attendance/"
    assert _ok(api(persona).get(url).status_code, RUN[persona])
    page = web(persona).get(f"/meetings/{published.meeting.pk}/run/")
    assert _ok(page.status_code, RUN[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_invited_answer_an_invitation(persona: str, published: World, api: Any) -> None:
    item = published.item("A")
    response = api(persona).post(
        f"/api/v1/meetings/{published.meeting.pk}/items/{item.pk}/response/",
        {"response": "attending"},
        format="json",
    )
    seen = SEES[persona]
    if seen is None or REFERENCES["A"] not in seen:
        assert response.status_code == 404  # veilig_thuis (level 0 on A) may not know the slot
    elif persona in {"police", "care", "social", "escalation"}:
        assert response.status_code == 200
        mine = [r for r in response.json()["items"] if r["case_reference"] == REFERENCES["A"]]
        assert [i["response"] for i in mine[0]["invitations"]] == ["attending"]
    else:
        assert response.status_code == 403  # coordinators and chairs do not answer for partners
