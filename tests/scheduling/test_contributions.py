"""Partner contributions before the information deadline: stored sealed, read under the rules of
notes (level 2, domain, organisation, coordinators; a draft only by its own organisation), shown
on the agenda as "who contributed" to everyone who sees the slot, and closed at the deadline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casework.models import NoteVisibility
from mda.errors import Conflict
from mda.models import AuditEvent
from scheduling.models import Contribution, ContributionStatus
from scheduling.selectors import agenda_contributions, visible_items
from scheduling.services import agendas
from scheduling.services.contributions import ContributionText, contribution_save
from tests.conftest import Cast
from tests.scheduling import meetings_support
from tests.scheduling.contributions_support import (
    MARKERS,
    contribute,
    deadline_of,
    item_as,
    just_before,
    readable_by,
)
from tests.scheduling.meetings_support import World, managed_item

published = meetings_support.published

POLICE, GGZ, LOCAL = "Politie Noord", "GGZ Noord", "Lokaal team Noord"


def test_a_contribution_is_stored_sealed_and_audited_without_its_contents(
    published: World,
) -> None:
    saved = contribute(published, "social")

    raw = Contribution.objects.get(pk=saved.pk)
    for field in ("known_since_ct", "involvement_ct", "risks_ct", "proposals_ct"):
        assert b"MARKER" not in bytes(getattr(raw, field))
    event = AuditEvent.objects.filter(object_type="contribution", object_id=str(saved.pk)).get()
    assert "MARKER" not in str(event.detail)
    assert event.detail["status"] == "submitted"


def test_a_justice_contribution_stays_in_the_justice_domain_by_default(published: World) -> None:
    saved = contribute(published, "police")

    assert saved.visibility == NoteVisibility.DOMAIN
    assert readable_by(published, "police") == {POLICE}
    assert readable_by(published, "social") == set()  # level 2, but the social domain
    assert readable_by(published, "coordinator") == set()  # the coordination domain
    assert readable_by(published, "chair") == set()
    assert readable_by(published, "care") == set()  # level 1


def test_a_justice_author_may_widen_it_to_all_participants_at_level_2(published: World) -> None:
    contribute(published, "police", visibility=NoteVisibility.PARTICIPANTS)

    for persona in ("police", "social", "escalation", "coordinator"):
        assert readable_by(published, persona) == {POLICE}, persona
    assert readable_by(published, "care") == set()  # level 1 on case A: only that it was given
    assert readable_by(published, "chair") == set()  # the chair reads at level 1


def test_a_care_contribution_reaches_the_level_2_participants_by_default(
    published: World,
) -> None:
    contribute(published, "care", "B")

    assert readable_by(published, "social", "B") == {GGZ}
    assert readable_by(published, "coordinator", "B") == {GGZ}


def test_an_organisation_at_level_1_contributes_and_reads_back_only_its_own(
    published: World,
) -> None:
    contribute(published, "care")  # GGZ is at level 1 on case A
    contribute(published, "social")

    assert readable_by(published, "care") == {GGZ}
    assert readable_by(published, "social") == {GGZ, LOCAL}


def test_organisation_and_coordinator_visibility(published: World) -> None:
    contribute(published, "social", visibility=NoteVisibility.ORGANISATION)
    assert readable_by(published, "escalation") == {LOCAL}  # the same organisation
    assert readable_by(published, "coordinator") == {LOCAL}
    assert readable_by(published, "police") == set()

    contribute(published, "social", visibility=NoteVisibility.COORDINATORS)
    assert readable_by(published, "coordinator") == {LOCAL}
    assert readable_by(published, "police") == set()


def test_a_draft_is_read_only_by_its_own_organisation(published: World) -> None:
    contribute(published, "social", submit=False, visibility=NoteVisibility.PARTICIPANTS)

    assert readable_by(published, "social") == {LOCAL}
    assert readable_by(published, "escalation") == {LOCAL}
    for persona in ("police", "coordinator", "chair", "care"):
        assert readable_by(published, persona) == set(), persona


def test_the_agenda_shows_who_submitted_to_everyone_who_sees_the_slot(
    published: World,
) -> None:
    contribute(published, "police")  # domain only: its contents stay in justice
    contribute(published, "social", submit=False)

    for persona in ("coordinator", "chair", "care", "social", "police"):
        user = published.cast.personas[persona].user
        slots = agenda_contributions(actor=user, items=[item_as(published, persona)])
        slot = next(iter(slots.values()))
        assert slot.submitted == [POLICE], persona  # a draft does not count
        assert slot.invited == 3  # local team, police, GGZ; not Veilig Thuis at level 0
    social = published.cast.social.user
    own = agenda_contributions(actor=social, items=[item_as(published, "social")])
    assert next(iter(own.values())).own_status == ContributionStatus.DRAFT


def test_the_agenda_markers_cost_the_same_for_one_slot_or_the_whole_agenda(
    published: World, django_assert_num_queries: Any
) -> None:
    contribute(published, "social")
    contribute(published, "care", "B")
    coordinator = published.coordinator
    items = list(visible_items(actor=coordinator, meeting=published.meeting))
    assert len(items) == 3

    with django_assert_num_queries(3):
        agenda_contributions(actor=coordinator, items=items[:1])
    with django_assert_num_queries(3):
        agenda_contributions(actor=coordinator, items=items)


def test_saving_again_changes_the_one_contribution_and_a_draft_withdraws_it(
    published: World,
) -> None:
    contribute(published, "social", tag="first")
    contribute(published, "escalation", submit=False, tag="second")  # same organisation

    row = Contribution.objects.get()
    assert row.status == ContributionStatus.DRAFT
    assert row.submitted_at is None
    assert readable_by(published, "police") == set()


def test_contributions_close_at_the_information_deadline(
    published: World, time_machine: Any
) -> None:
    deadline = deadline_of(published)
    time_machine.move_to(just_before(deadline), tick=False)
    contribute(published, "social", submit=False)

    time_machine.move_to(deadline, tick=False)
    with pytest.raises(Conflict) as refused:
        contribute(published, "social", tag="too late")

    assert "deadline" in refused.value.message and "has passed" in refused.value.message
    assert Contribution.objects.get().status == ContributionStatus.DRAFT


def test_a_slots_own_deadline_wins_over_the_meetings(published: World, time_machine: Any) -> None:
    coordinator = published.coordinator
    own = deadline_of(published) - timedelta(days=1)
    agendas.agenda_item_update(
        actor=coordinator,
        item=managed_item(coordinator, published.item("A")),
        slot_minutes=15,
        information_deadline=own,
    )
    time_machine.move_to(own, tick=False)

    with pytest.raises(Conflict):
        contribute(published, "social")
    contribute(published, "care", "B")  # B keeps the meeting's later deadline


def test_only_invited_partners_contribute(published: World, cast: Cast) -> None:
    for persona in ("coordinator", "chair"):
        with pytest.raises(PermissionDenied):
            contribute(published, persona)
    assert not Contribution.objects.exists()


def test_a_submission_needs_some_content_and_a_known_visibility(published: World) -> None:
    social = published.cast.social.user
    item = item_as(published, "social")
    with pytest.raises(ValidationError):
        contribution_save(actor=social, item=item, text=ContributionText(), submit=True)
    with pytest.raises(ValidationError):
        contribution_save(
            actor=social,
            item=item,
            text=ContributionText(risks="x"),
            submit=True,
            visibility="everyone",
        )
    contribution_save(actor=social, item=item, text=ContributionText(), submit=False)  # a draft
    assert Contribution.objects.get().status == ContributionStatus.DRAFT


def test_every_read_of_contents_is_recorded(published: World) -> None:
    contribute(published, "police", visibility=NoteVisibility.PARTICIPANTS)
    before = AuditEvent.objects.filter(object_type="contribution", action="view").count()

    readable_by(published, "social")

    reads = AuditEvent.objects.filter(object_type="contribution", action="view")
    assert reads.count() == before + 1
    last = reads.order_by("pk").last()
    assert last is not None
    assert last.user == published.cast.social.user
    assert all(marker not in str(last.detail) for marker in MARKERS)
