"""Partner contributions on the published agenda of ``meetings_support`` (meeting of Tuesday 24
March 2026, 09:30; the clock on Friday 20 March, 10:00).

| case A  | local_team (social, escalation) 2 | police 2 | ggz (care) 1 | veilig_thuis 0 |
| case B  | local_team 2                      | -        | ggz 2        | -              |
| case C  | -                                 | -        | -            | veilig_thuis 1 |

Invited to a slot: the organisations at level 1 or more. The markers in the texts let a test
find any leak of contents in an answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduling.access import access_agenda_item, access_meeting
from scheduling.models import AgendaItem, Contribution
from scheduling.selectors import contributions_for_item
from scheduling.services.contributions import ContributionText, contribution_save
from tests.scheduling.meetings_support import World

MARKERS = ("KNOWN-MARKER", "INVOLVED-MARKER", "RISK-MARKER", "PROPOSAL-MARKER")


def text(tag: str = "") -> ContributionText:
    known, involved, risk, proposal = (f"{m} {tag}".strip() for m in MARKERS)
    return ContributionText(known_since=known, involvement=involved, risks=risk, proposals=proposal)


def item_as(world: World, persona: str, key: str = "A") -> AgendaItem:
    user = world.cast.personas[persona].user
    meeting = access_meeting(user, world.meeting.pk)
    return access_agenda_item(user, meeting, world.item(key).pk)


def contribute(
    world: World,
    persona: str,
    key: str = "A",
    *,
    submit: bool = True,
    visibility: str | None = None,
    tag: str = "",
) -> Contribution:
    return contribution_save(
        actor=world.cast.personas[persona].user,
        item=item_as(world, persona, key),
        text=text(tag or persona),
        submit=submit,
        visibility=visibility,
    )


def readable_by(world: World, persona: str, key: str = "A") -> set[str]:
    """The organisations whose contribution to the slot *persona* reads."""
    item = item_as(world, persona, key)
    user = world.cast.personas[persona].user
    return {view.organisation.name for view in contributions_for_item(actor=user, item=item)}


def deadline_of(world: World, key: str = "A") -> datetime:
    deadline = world.item(key).deadline
    assert deadline is not None
    return deadline


def just_before(moment: datetime) -> datetime:
    return moment - timedelta(minutes=1)
