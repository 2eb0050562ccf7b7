"""An agenda costs what changes: adding a slot does not rewrite the others, a sync writes its
invitations and messages in bulk whatever the number of slots, and an e-mail's calendars share
one VTIMEZONE."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Timezone

from scheduling import ical
from scheduling.models import Invitation, InvitationMessage
from scheduling.services import agendas, invitations
from tests.scheduling import meetings_support
from tests.scheduling.meetings_support import World, make_case, managed, managed_item

world = meetings_support.world
published = meetings_support.published


def _statements(fn: Any, verb: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verb)]


def _agenda_items_written(statements: list[str]) -> list[str]:
    return [sql for sql in statements if "scheduling_agendaitem" in sql]


def test_adding_a_slot_at_the_end_does_not_rewrite_the_slots_before_it(world: World) -> None:
    world.cases["D"] = make_case(world.cast, "MDA-2026-0104", {"police": 2})
    updates = _statements(lambda: world.add("D"), "UPDATE")
    assert _agenda_items_written(updates) == []


def test_a_longer_slot_retimes_only_the_slots_after_it_in_one_statement(world: World) -> None:
    second = managed_item(world.coordinator, world.item("B"))
    updates = _statements(
        lambda: agendas.agenda_item_update(actor=world.coordinator, item=second, slot_minutes=30),
        "UPDATE",
    )
    written = _agenda_items_written(updates)
    assert len(written) == 2  # the slot's own length, then one statement for the times
    retimed = written[1]
    assert str(world.item("C").pk).replace("-", "") in retimed.replace("-", "")
    assert str(world.item("A").pk).replace("-", "") not in retimed.replace("-", "")


def _sync_queries(world: World) -> int:
    with CaptureQueriesContext(connection) as queries:
        invitations.invitations_sync(meeting=world.meeting)
    return len(queries)


def test_a_sync_takes_the_same_statements_for_three_slots_or_seven(published: World) -> None:
    world = published
    Invitation.objects.filter(item__meeting=world.meeting).update(fingerprint="stale")
    three = _sync_queries(world)
    for n in range(4):
        key = f"extra{n}"
        world.cases[key] = make_case(world.cast, f"MDA-2026-02{n:02d}", {"police": 2, "ggz": 1})
        world.add(key)
    Invitation.objects.filter(item__meeting=world.meeting).update(fingerprint="stale")
    seven = _sync_queries(world)
    assert three == seven
    assert InvitationMessage.objects.filter(meeting=world.meeting).count() > 0


def test_an_e_mail_with_many_slots_builds_its_timezone_once(published: World) -> None:
    ical._vtimezone.cache_clear()
    local_team = published.cast.orgs["local_team"]  # invited to A and B
    message = InvitationMessage.objects.get(meeting=published.meeting, organisation=local_team)
    assert message.lines.count() >= 2
    with mock.patch.object(Timezone, "from_tzid", wraps=Timezone.from_tzid) as built:
        invitations.invitation_message_send(message_id=message.pk)
    assert built.call_count == 1


def test_publishing_and_reordering_keep_working_through_the_bulk_writes(world: World) -> None:
    agendas.agenda_publish(
        actor=world.coordinator, meeting=managed(world.coordinator, world.meeting)
    )
    first = Invitation.objects.filter(item__meeting=world.meeting).count()
    ids = [world.item(k).pk for k in ("C", "B", "A")]
    agendas.agenda_reorder(
        actor=world.coordinator, meeting=managed(world.coordinator, world.meeting), item_ids=ids
    )
    assert Invitation.objects.filter(item__meeting=world.meeting).count() == first
    assert set(
        Invitation.objects.filter(item__meeting=world.meeting).values_list("sequence", flat=True)
    ) <= {0, 1}
