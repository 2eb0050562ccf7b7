"""Several cases put on the agenda at once (the coordinator ticks proposals): in the order given,
after what is there, all or none, one audit event, a published agenda updated once, a constant
number of statements, and the same through the API and the meeting page."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.models import CaseStatus
from mda.models import AuditEvent
from mda.workdays import AMSTERDAM
from scheduling.models import InvitationMessage, ItemReason
from scheduling.services import agendas
from tests.conftest import Cast
from tests.scheduling import meetings_support
from tests.scheduling.meetings_support import REFERENCES, World, make_case, managed

world = meetings_support.world
published = meetings_support.published


def _order(world: World) -> list[str]:
    items = world.meeting.items.current().order_by("position").select_related("case")
    return [i.case.reference for i in items]


def _add(world: World, *entries: agendas.NewItem) -> list[Any]:
    return agendas.agenda_items_add(
        actor=world.coordinator,
        meeting=managed(world.coordinator, world.meeting),
        entries=list(entries),
    )


def _new_cases(cast: Cast, count: int, start: int = 401) -> list[Any]:
    return [
        make_case(cast, f"MDA-2026-{start + n:04d}", {"police": 2, "ggz": 1}) for n in range(count)
    ]


def test_ticked_cases_follow_the_agenda_in_the_order_given(world: World, cast: Cast) -> None:
    first, second = _new_cases(cast, 2)

    added = _add(
        world,
        agendas.NewItem(case_id=second.pk, reason=ItemReason.REPEAT, slot_minutes=20),
        agendas.NewItem(case_id=first.pk),
    )

    assert _order(world) == [*(REFERENCES[k] for k in "ABC"), second.reference, first.reference]
    times = [
        (i.starts_at.astimezone(AMSTERDAM).strftime("%H:%M"), i.slot_minutes, i.reason)
        for i in added
    ]
    assert times == [("10:15", 20, ItemReason.REPEAT), ("10:35", 15, ItemReason.COORDINATOR)]


def test_one_audit_event_names_every_case_added(world: World, cast: Cast) -> None:
    cases = _new_cases(cast, 3)
    before = AuditEvent.objects.count()

    _add(world, *(agendas.NewItem(case_id=c.pk) for c in cases))

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.object_type == "agenda"
    assert event.detail["added"] == 3
    assert event.detail["cases"] == [c.reference for c in cases]


def _refused(world: World, *entries: agendas.NewItem) -> str:
    before = _order(world)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        _add(world, *entries)
    assert _order(world) == before  # all or none
    assert AuditEvent.objects.count() == events
    assert list(refused.value.message_dict) == ["cases"]
    return " ".join(refused.value.message_dict["cases"])


def test_one_case_that_may_not_be_added_refuses_them_all(world: World, cast: Cast) -> None:
    fine, closed = _new_cases(cast, 2)
    closed.status = CaseStatus.CLOSED
    closed.save(update_fields=["status"])
    south = make_case(cast, "MDA-2026-0499", {}, region=cast.south)
    ok = agendas.NewItem(case_id=fine.pk)

    assert closed.reference in _refused(world, ok, agendas.NewItem(case_id=closed.pk))
    on_agenda = agendas.NewItem(case_id=world.cases["A"].pk)
    assert REFERENCES["A"] in _refused(world, ok, on_agenda)
    assert "twice" in _refused(world, ok, ok)
    # Another region, or no such case at all: the same answer, which names nothing.
    other = _refused(world, ok, agendas.NewItem(case_id=south.pk))
    assert other == _refused(world, ok, agendas.NewItem(case_id=uuid.uuid4()))
    assert south.reference not in other
    assert "exist" in _refused(world, ok, agendas.NewItem(case_id="not-a-case"))
    assert "at least one" in _refused(world)


def test_cases_that_do_not_fit_together_are_refused_with_the_next_meeting(
    world: World, cast: Cast
) -> None:
    cases = _new_cases(cast, 3)  # 135 minutes are free

    message = _refused(world, *(agendas.NewItem(case_id=c.pk, slot_minutes=50) for c in cases))

    assert "45 of 180" in message and "31" in message  # the next meeting: Tuesday 31 March


def test_a_published_agenda_sends_its_updates_once(published: World, cast: Cast) -> None:
    cases = _new_cases(cast, 2)
    before = set(InvitationMessage.objects.values_list("pk", flat=True))

    _add(published, *(agendas.NewItem(case_id=c.pk) for c in cases))

    new = InvitationMessage.objects.exclude(pk__in=before)
    police, ggz = cast.orgs["police"], cast.orgs["ggz"]
    assert sorted(new.values_list("organisation_id", flat=True)) == sorted([police.pk, ggz.pk])
    police_message = new.get(organisation=police)
    assert police_message.lines.count() == 2  # one message, a line per new slot


def _add_queries(world: World, cases: list[Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        _add(world, *(agendas.NewItem(case_id=c.pk) for c in cases))
    return len(queries)


def test_adding_two_cases_or_six_takes_the_same_statements(published: World, cast: Cast) -> None:
    two = _add_queries(published, _new_cases(cast, 2, start=411))
    six = _add_queries(published, _new_cases(cast, 6, start=421))

    assert two == six


def test_the_api_adds_several_cases_for_coordinators_only(
    world: World, cast: Cast, api: Any
) -> None:
    cases = _new_cases(cast, 2)
    url = f"/api/v1/meetings/{world.meeting.pk}/items/batch/"
    body = {"items": [{"case": str(c.pk), "reason": "repeat"} for c in cases]}

    assert api("chair").post(url, body, format="json").status_code == 403
    assert api("police").post(url, body, format="json").status_code == 404
    assert api("outsider").post(url, body, format="json").status_code == 404
    assert api("coordinator").post(url, {"items": []}, format="json").status_code == 400
    assert (
        api("coordinator").post(url, {"items": [{"case": "x"}]}, format="json").status_code == 400
    )
    assert _order(world) == [REFERENCES[k] for k in "ABC"]
    response = api("coordinator").post(url, body, format="json")

    assert response.status_code == 201
    listed = [row["case_reference"] for row in response.json()["items"]]
    assert listed == [*(REFERENCES[k] for k in "ABC"), *(c.reference for c in cases)]
    again = api("coordinator").post(url, body, format="json")
    assert again.status_code == 400
    assert cases[0].reference in " ".join(again.json()["fields"]["cases"])


def test_the_coordinator_ticks_proposals_on_the_meeting_page(
    world: World, cast: Cast, web: Any
) -> None:
    first, second = _new_cases(cast, 2)
    url = f"/meetings/{world.meeting.pk}/items/chosen/"
    ticked = {"case": [str(first.pk), str(second.pk)], f"reason_{first.pk}": "accepted"}

    assert web("police").post(url, ticked).status_code == 404
    assert web("outsider").post(url, ticked).status_code == 404
    assert web("chair").post(url, ticked).status_code == 403
    refused = web("coordinator").post(url, {"case": [str(first.pk), str(first.pk)]}, follow=True)
    assert "twice" in refused.content.decode()
    assert _order(world) == [REFERENCES[k] for k in "ABC"]
    page = web("coordinator").post(url, ticked, follow=True).content.decode()

    assert "2 cases were added to the agenda." in page
    assert _order(world)[-2:] == [first.reference, second.reference]
    assert world.meeting.items.current().get(case=first).reason == ItemReason.ACCEPTED
    assert world.meeting.items.current().get(case=second).reason == ItemReason.COORDINATOR


def test_the_meeting_page_offers_the_proposals_to_tick(world: World, cast: Cast, web: Any) -> None:
    accepted = make_case(cast, "MDA-2026-0431", {"police": 2}, status=CaseStatus.INTAKE)
    page = web("coordinator").get(f"/meetings/{world.meeting.pk}/").content.decode()

    box = f'<input type="checkbox" name="case" value="{accepted.pk}"'
    assert box in page and 'form="add-chosen"' in page
    assert "Add the ticked cases" in page
    assert (
        'form="add-chosen"'
        not in web("chair").get(f"/meetings/{world.meeting.pk}/").content.decode()
    )
