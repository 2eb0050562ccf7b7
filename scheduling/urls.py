from __future__ import annotations

from django.urls import path

from scheduling.views import escalation as views

app_name = "scheduling"

urlpatterns = [
    path("escalations/", views.escalation_list_view, name="escalation-list"),
    path("escalations/<uuid:notice_id>/", views.escalation_detail_view, name="escalation-detail"),
    path(
        "escalations/<uuid:notice_id>/acknowledge/",
        views.escalation_acknowledge_view,
        name="escalation-acknowledge",
    ),
    path("cases/<uuid:case_id>/escalate/", views.escalation_raise_view, name="escalation-raise"),
    path("overview/agreements/", views.region_overview_index_view, name="region-overview-index"),
    path(
        "regions/<slug:region_slug>/agreements/",
        views.region_overview_view,
        name="region-overview",
    ),
    path("ladders/", views.ladder_list_view, name="ladder-list"),
]
