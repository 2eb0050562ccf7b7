"""Reads of scheduling, one module per subject; import from here
(``from scheduling import selectors``).

Each read starts from the access policy (``scheduling.access``); plaintext comes only from here,
and every read of it is recorded in the audit trail.
"""

from scheduling.selectors.agendas import (
    AgendaRow,
    AgendaView,
    Capacity,
    Proposal,
    agenda_proposals,
    agenda_view,
    capacity_of,
    partner_organisation_ids,
    visible_items,
)
from scheduling.selectors.contributions import (
    ContributionView,
    SlotContributions,
    agenda_contributions,
    contribution_views,
    contributions_for_item,
    contributions_for_items,
)
from scheduling.selectors.escalation import (
    EscalationView,
    RegionOverview,
    escalation_history,
    escalation_view,
    escalations_addressed_to,
    ladders_for,
    notices_of_agreement,
    notices_visible,
    region_overview,
)
from scheduling.selectors.invitations import feed_slots, organisations_told
from scheduling.selectors.meetings import (
    CaseMeetings,
    MeetingSummary,
    case_meetings,
    meetings_list,
    my_meetings,
    week_meetings,
    week_start,
)
from scheduling.selectors.minutes import MinutesView, minutes_view

__all__ = [
    "AgendaRow",
    "AgendaView",
    "Capacity",
    "CaseMeetings",
    "ContributionView",
    "EscalationView",
    "MeetingSummary",
    "MinutesView",
    "Proposal",
    "RegionOverview",
    "SlotContributions",
    "agenda_contributions",
    "agenda_proposals",
    "agenda_view",
    "capacity_of",
    "case_meetings",
    "contribution_views",
    "contributions_for_item",
    "contributions_for_items",
    "escalation_history",
    "escalation_view",
    "escalations_addressed_to",
    "feed_slots",
    "ladders_for",
    "meetings_list",
    "minutes_view",
    "my_meetings",
    "notices_of_agreement",
    "notices_visible",
    "organisations_told",
    "partner_organisation_ids",
    "region_overview",
    "visible_items",
    "week_meetings",
    "week_start",
]
