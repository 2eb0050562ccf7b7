from __future__ import annotations

from django.urls import path

from scheduling.api import escalation as api

urlpatterns = [
    path("escalations/", api.EscalationListView.as_view(), name="api-escalation-list"),
    path(
        "escalations/<uuid:notice_id>/",
        api.EscalationDetailView.as_view(),
        name="api-escalation-detail",
    ),
    path(
        "escalations/<uuid:notice_id>/acknowledge/",
        api.EscalationAcknowledgeView.as_view(),
        name="api-escalation-acknowledge",
    ),
    path(
        "cases/<uuid:case_id>/escalations/",
        api.CaseEscalationListView.as_view(),
        name="api-case-escalation-list",
    ),
    path("ladders/", api.LadderListView.as_view(), name="api-ladder-list"),
]

# --- Meetings (issue 5) ---
from scheduling.api import meetings as meetings_api  # noqa: E402

_M = "meetings/<uuid:meeting_id>/"
_I = _M + "items/<uuid:item_id>/"

urlpatterns += [
    path("meeting-series/", meetings_api.SeriesListView.as_view(), name="api-series-list"),
    path(
        "meeting-series/<uuid:series_id>/",
        meetings_api.SeriesDetailView.as_view(),
        name="api-series-detail",
    ),
    path(
        "meeting-series/<uuid:series_id>/generate/",
        meetings_api.SeriesGenerateView.as_view(),
        name="api-series-generate",
    ),
    path("meetings/", meetings_api.MeetingListView.as_view(), name="api-meeting-list"),
    path(
        "meetings/emergency/",
        meetings_api.EmergencyMeetingView.as_view(),
        name="api-meeting-emergency",
    ),
    path(_M, meetings_api.MeetingDetailView.as_view(), name="api-meeting-detail"),
    path(_M + "cancel/", meetings_api.MeetingCancelView.as_view(), name="api-meeting-cancel"),
    path(_M + "publish/", meetings_api.AgendaPublishView.as_view(), name="api-agenda-publish"),
    path(_M + "proposals/", meetings_api.ProposalListView.as_view(), name="api-agenda-proposals"),
    path(_M + "items/", meetings_api.AgendaItemListView.as_view(), name="api-agenda-items"),
    path(_M + "order/", meetings_api.AgendaOrderView.as_view(), name="api-agenda-order"),
    path(_I, meetings_api.AgendaItemDetailView.as_view(), name="api-agenda-item"),
    path(_I + "response/", meetings_api.ResponseView.as_view(), name="api-meeting-response"),
    path(_I + "minutes/", meetings_api.MinutesView.as_view(), name="api-item-minutes"),
    path(
        _I + "agreements/",
        meetings_api.MinutesAgreementView.as_view(),
        name="api-minutes-agreements",
    ),
    path(_M + "attendance/", meetings_api.AttendanceView.as_view(), name="api-attendance"),
    path(
        _M + "confidentiality/",
        meetings_api.ConfidentialityView.as_view(),
        name="api-confidentiality",
    ),
    path(
        _M + "minutes/publish/",
        meetings_api.MinutesPublishView.as_view(),
        name="api-minutes-publish",
    ),
    path("calendar-feed/", meetings_api.CalendarFeedView.as_view(), name="api-calendar-feed"),
]
