from __future__ import annotations

from django.urls import path

from scheduling.api import (
    agendas,
    contributions,
    escalation,
    invitations,
    meetings,
    minutes,
    packs,
)

_M = "meetings/<uuid:meeting_id>/"
_I = _M + "items/<uuid:item_id>/"
_S = "meeting-series/<uuid:series_id>/"
_E = "escalations/<uuid:notice_id>/"

urlpatterns = [
    # series and meetings
    path("meeting-series/", meetings.SeriesListView.as_view(), name="api-series-list"),
    path(_S, meetings.SeriesDetailView.as_view(), name="api-series-detail"),
    path(_S + "generate/", meetings.SeriesGenerateView.as_view(), name="api-series-generate"),
    path("meetings/", meetings.MeetingListView.as_view(), name="api-meeting-list"),
    path(
        "meetings/emergency/",
        meetings.EmergencyMeetingView.as_view(),
        name="api-meeting-emergency",
    ),
    path(_M, meetings.MeetingDetailView.as_view(), name="api-meeting-detail"),
    path(_M + "cancel/", meetings.MeetingCancelView.as_view(), name="api-meeting-cancel"),
    # agendas
    path(_M + "publish/", agendas.AgendaPublishView.as_view(), name="api-agenda-publish"),
    path(_M + "proposals/", agendas.ProposalListView.as_view(), name="api-agenda-proposals"),
    path(_M + "items/", agendas.AgendaItemListView.as_view(), name="api-agenda-items"),
    path(
        _M + "items/batch/", agendas.AgendaItemsBatchView.as_view(), name="api-agenda-items-batch"
    ),
    path(_M + "order/", agendas.AgendaOrderView.as_view(), name="api-agenda-order"),
    path(_I, agendas.AgendaItemDetailView.as_view(), name="api-agenda-item"),
    # invitations and the calendar feed
    path(_I + "response/", invitations.ResponseView.as_view(), name="api-meeting-response"),
    path("calendar-feed/", invitations.CalendarFeedView.as_view(), name="api-calendar-feed"),
    path(
        _M + "invitations/",
        packs.InvitationOverviewView.as_view(),
        name="api-invitation-overview",
    ),
    # the meeting day and its minutes
    path(_I + "minutes/", minutes.MinutesView.as_view(), name="api-item-minutes"),
    path(_I + "minutes/draft/", minutes.MinutesDraftView.as_view(), name="api-item-minutes-draft"),
    path(
        _I + "agreements/<uuid:agreement_id>/review/",
        minutes.MinutesAgreementReviewView.as_view(),
        name="api-minutes-agreement-review",
    ),
    path(
        _I + "agreements/",
        minutes.MinutesAgreementView.as_view(),
        name="api-minutes-agreements",
    ),
    path(_M + "attendance/", minutes.AttendanceView.as_view(), name="api-attendance"),
    path(
        _M + "confidentiality/",
        minutes.ConfidentialityView.as_view(),
        name="api-confidentiality",
    ),
    path(
        _M + "minutes/publish/",
        minutes.MinutesPublishView.as_view(),
        name="api-minutes-publish",
    ),
    # partner contributions before the information deadline
    path(
        _M + "contributions/",
        contributions.AgendaContributionsView.as_view(),
        name="api-agenda-contributions",
    ),
    path(
        _I + "contributions/",
        contributions.ContributionListView.as_view(),
        name="api-item-contributions",
    ),
    path(
        _I + "contributions/own/",
        contributions.OwnContributionView.as_view(),
        name="api-own-contribution",
    ),
    # escalation
    path("escalations/", escalation.EscalationListView.as_view(), name="api-escalation-list"),
    path(_E, escalation.EscalationDetailView.as_view(), name="api-escalation-detail"),
    path(
        _E + "acknowledge/",
        escalation.EscalationAcknowledgeView.as_view(),
        name="api-escalation-acknowledge",
    ),
    path(
        "cases/<uuid:case_id>/escalations/",
        escalation.CaseEscalationListView.as_view(),
        name="api-case-escalation-list",
    ),
    path("ladders/", escalation.LadderListView.as_view(), name="api-ladder-list"),
]
