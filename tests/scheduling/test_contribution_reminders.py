"""The reminder before the information deadline: the invited organisations that have not submitted
are told once, one working day before it (the meeting of Tuesday 24 March has its deadline on
Monday 23 March 12:00, so the reminder is due on Friday 20 March 12:00, not on the Sunday), and
never twice: not by a second sweep, nor by two sweeps at once."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from django.db import connections, transaction

from mda.models import Notification
from mda.workdays import AMSTERDAM
from scheduling import tasks
from scheduling.models import AgendaItem
from scheduling.services.contributions import (
    contribution_reminder_send,
    contribution_reminders_sweep,
    reminder_due_at,
)
from tests.conftest import require_postgresql
from tests.scheduling import meetings_support
from tests.scheduling.contributions_support import MARKERS, contribute, deadline_of
from tests.scheduling.meetings_support import World

published = meetings_support.published

FRIDAY_NOON = datetime(2026, 3, 20, 12, 0, tzinfo=AMSTERDAM)


def _reminded() -> dict[str, set[str]]:
    """Reference -> usernames told."""
    found: dict[str, set[str]] = {}
    for note in Notification.objects.filter(kind="contribution_due").select_related("recipient"):
        found.setdefault(note.case_reference, set()).add(note.recipient.username)
    return found


def test_the_reminder_is_due_one_working_day_before_the_deadline(published: World) -> None:
    deadline = deadline_of(published)

    assert deadline == datetime(2026, 3, 23, 12, 0, tzinfo=AMSTERDAM)  # Monday
    assert reminder_due_at(deadline, published.cast.north.pk) == FRIDAY_NOON


def test_nobody_is_reminded_before_it_is_due(published: World, time_machine: Any) -> None:
    time_machine.move_to(FRIDAY_NOON.replace(hour=11, minute=59), tick=False)

    assert contribution_reminders_sweep() == 0
    assert _reminded() == {}


def test_those_who_have_not_submitted_are_reminded_once(
    published: World, time_machine: Any
) -> None:
    contribute(published, "police")  # submitted: not reminded
    contribute(published, "social", submit=False)  # a draft does not count
    time_machine.move_to(FRIDAY_NOON, tick=False)

    assert contribution_reminders_sweep() == 2 + 2 + 1  # A: local team, GGZ; B: both; C: VT
    assert contribution_reminders_sweep() == 0
    tasks.sweep_contribution_reminders()  # the beat's task: the same sweep, nothing new

    assert _reminded() == {
        "MDA-2026-0101": {"social", "escalation", "care"},
        "MDA-2026-0102": {"social", "escalation", "care"},
        "MDA-2026-0103": {"veilig_thuis"},
    }
    notes = list(Notification.objects.filter(kind="contribution_due"))
    assert len(notes) == 7
    for note in notes:
        assert all(marker not in note.body + note.subject for marker in MARKERS)
        assert note.link.endswith("/contributions/")
    assert AgendaItem.objects.filter(contributions_reminded_at__isnull=True).count() == 0


def test_a_slot_whose_deadline_passed_unswept_is_not_reminded_after_it(
    published: World, time_machine: Any
) -> None:
    time_machine.move_to(deadline_of(published), tick=False)

    assert contribution_reminders_sweep() == 0
    assert _reminded() == {}


def test_a_slot_claimed_by_another_sweep_is_skipped(published: World, time_machine: Any) -> None:
    time_machine.move_to(FRIDAY_NOON, tick=False)
    item = published.item("C")

    assert contribution_reminder_send(item_id=item.pk) == 1
    assert contribution_reminder_send(item_id=item.pk) == 0  # the conditional claim fails
    assert _reminded() == {"MDA-2026-0103": {"veilig_thuis"}}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_each_organisation_once(
    published_agenda: World, time_machine: Any
) -> None:
    require_postgresql("SQLite has one writer: two sweeps cannot overlap")
    time_machine.move_to(FRIDAY_NOON, tick=False)
    start = threading.Barrier(2)
    results: list[int] = []
    failures: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait(timeout=30)
            results.append(contribution_reminders_sweep())
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sum(results) == 3 + 2 + 1  # organisations: A three, B two, C one
    assert Notification.objects.filter(kind="contribution_due").count() == 4 + 3 + 1  # people


@pytest.mark.django_db(transaction=True)
def test_a_sweep_waiting_on_an_open_claim_finds_it_taken(
    published_agenda: World, time_machine: Any
) -> None:
    """The first sweep holds its claim uncommitted while the second tries the same slot: the
    second waits for the row lock and then sees the claim (0), whichever order the threads run."""
    require_postgresql("SQLite has one writer: two sweeps cannot overlap")
    time_machine.move_to(FRIDAY_NOON, tick=False)
    item_id = published_agenda.item("A").pk
    claimed, release = threading.Event(), threading.Event()
    results: dict[str, int] = {}
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = contribution_reminder_send(item_id=item_id)
                claimed.set()
                release.wait(timeout=30)
        except BaseException as error:
            failures.append(error)
            claimed.set()
        finally:
            connections.close_all()

    def second() -> None:
        try:
            claimed.wait(timeout=30)
            results["second"] = contribution_reminder_send(item_id=item_id)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    claimed.wait(timeout=30)
    release.set()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert results == {"first": 3, "second": 0}
    # social, escalation (local team), police, care (GGZ): each once
    assert Notification.objects.filter(kind="contribution_due").count() == 4
