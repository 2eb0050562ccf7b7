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
